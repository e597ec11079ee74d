"""The paired block gives known answers: 9 fixed and 0 broken of 400 is a clear paired difference
(McNemar exact p = 2 * 0.5**9) although the accuracies' own intervals overlap; Brier and log-loss
differences equal scikit-learn's and carry an exact sign-flip test; pairs without usable sidecars are skipped
with the reason (relative paths only); probes reporting none of accuracy, Brier, log loss get no block and
their sidecars are not read."""

from __future__ import annotations

import json

import numpy as np
import pytest
from paired_builders import LABELS, correctness, model_proba, write_run
from sklearn.metrics import brier_score_loss, log_loss

from audit.predictions import paired_verdicts
from audit.predictions.paired_verdicts import add_paired, drop_paired, per_example_loss


def comparison(doc: dict, metric: str, a: str = "a", b: str = "b") -> dict:
    block = doc["probes"][0]["paired"]
    return next(c for c in block["comparisons"] if (c["metric"], c["a"], c["b"]) == (metric, a, b))


@pytest.fixture
def nine_fixed(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = write_run(tmp_path, {"a": a, "b": b})
    return add_paired(doc, tmp_path)


def test_nine_fixed_none_broken_is_a_paired_difference(nine_fixed):
    acc = comparison(nine_fixed, "accuracy")
    assert acc["n"] == 400 and acc["diff"] == pytest.approx(9 / 400)
    assert acc["method"] == "newcombe-hybrid-score" and acc["confidence"] == 0.95
    assert acc["ci"][0] > 0 and acc["ci"][1] > acc["diff"]
    test = acc["mcnemar"]
    assert (test["a_only"], test["b_only"], test["method"]) == (9, 0, "exact-binomial")
    assert test["p_value"] == pytest.approx(2 * 0.5**9, rel=1e-12)
    ci_a = nine_fixed["probes"][0]["results"]["a"]["metrics"]["accuracy"]["ci"]
    ci_b = nine_fixed["probes"][0]["results"]["b"]["metrics"]["accuracy"]["ci"]
    assert ci_a[0] <= ci_b[1]  # the marginal intervals overlap: the unpaired rule would see nothing


def test_loss_differences_equal_sklearn(nine_fixed, tmp_path):
    gold = [LABELS[i] for i in np.arange(400) % 2]
    a, b = correctness(300, 9, 0, 91)
    proba = {m: model_proba(c, np.arange(400) % 2, 0) for m, c in (("a", a), ("b", b))}
    brier = {m: brier_score_loss(gold, p[:, 1], pos_label="pos") for m, p in proba.items()}
    logl = {m: log_loss(gold, p, labels=LABELS) for m, p in proba.items()}
    for name, ref in (("brier", brier), ("log_loss", logl)):
        c = comparison(nine_fixed, name)
        assert c["method"] == "paired-bootstrap" and c["resamples"] == 10000 and c["n"] == 400
        assert c["diff"] == pytest.approx(ref["a"] - ref["b"], abs=1e-12)
        assert c["ci"][0] <= c["diff"] <= c["ci"][1]


def test_per_example_losses_average_to_sklearn_in_the_model_label_order(tmp_path):
    gold = np.array([0, 1, 1, 0, 1])
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8], [0.5, 0.5]])
    rows = {str(i): {"label": LABELS[g], "proba": p.tolist()} for i, (g, p) in enumerate(zip(gold, proba))}
    ids = list(rows)
    y = [LABELS[g] for g in gold]
    assert per_example_loss(rows, ids, "brier", LABELS).mean() == pytest.approx(
        brier_score_loss(y, proba[:, 1], pos_label="pos"), abs=1e-12)
    assert per_example_loss(rows, ids, "log_loss", LABELS).mean() == pytest.approx(log_loss(y, proba), abs=1e-12)
    # the same model with its labels the other way round: columns swap with them, losses do not change
    flipped = {i: {"label": r["label"], "proba": r["proba"][::-1]} for i, r in rows.items()}
    assert per_example_loss(flipped, ids, "log_loss", LABELS[::-1]) == pytest.approx(
        per_example_loss(rows, ids, "log_loss", LABELS))
    assert per_example_loss(rows, ids, "log_loss", ["x", "y"]) is None  # labels the rows do not use


def test_three_models_every_pair_in_model_order(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = add_paired(write_run(tmp_path, {"a": a, "b": b, "c": b.copy()}), tmp_path)
    pairs = [(c["a"], c["b"]) for c in doc["probes"][0]["paired"]["comparisons"] if c["metric"] == "accuracy"]
    assert pairs == [("a", "b"), ("a", "c"), ("b", "c")]
    assert comparison(doc, "accuracy", "b", "c")["mcnemar"]["p_value"] == 1.0


def test_a_model_without_sidecar_is_skipped_with_the_reason(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = write_run(tmp_path, {"a": a, "b": b, "c": b.copy()})
    (tmp_path / doc["probes"][0]["results"]["c"]["predictions_file"]).unlink()
    block = add_paired(doc, tmp_path)["probes"][0]["paired"]
    assert {(c["a"], c["b"]) for c in block["comparisons"]} == {("a", "b")}
    assert [(s["a"], s["b"]) for s in block["skipped"]] == [("a", "c"), ("b", "c")]
    assert "metrics--c.jsonl" in block["skipped"][0]["reason"] and "missing" in block["skipped"][0]["reason"]


def test_a_malformed_sidecar_is_skipped_not_raised(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = write_run(tmp_path, {"a": a, "b": b})
    (tmp_path / doc["probes"][0]["results"]["b"]["predictions_file"]).write_text('{"id": "1"}\n')
    block = add_paired(doc, tmp_path)["probes"][0]["paired"]
    assert block["comparisons"] == [] and "lacks label, predicted" in block["skipped"][0]["reason"]
    reason = block["skipped"][0]["reason"]
    assert reason.startswith("predictions/metrics--b.jsonl:1: ") and str(tmp_path) not in reason


def test_no_block_without_two_sidecars_and_resume_drops_stale_blocks(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = add_paired(write_run(tmp_path, {"a": a, "b": b}, no_sidecar=("b",)), tmp_path)
    assert "paired" not in doc["probes"][0]
    doc["probes"][0]["paired"] = {"comparisons": ["stale"]}
    assert add_paired(doc, tmp_path, keep=True)["probes"][0]["paired"] == {"comparisons": ["stale"]}
    drop_paired(doc)
    assert "paired" not in doc["probes"][0]


def test_confidence_follows_the_probe_config_and_block_is_json(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = write_run(tmp_path, {"a": a, "b": b})
    doc["probes"][0]["config"]["confidence"] = 0.8
    add_paired(doc, tmp_path)
    wide = add_paired(write_run(tmp_path, {"a": a, "b": b}), tmp_path)
    narrow_ci, wide_ci = comparison(doc, "accuracy")["ci"], comparison(wide, "accuracy")["ci"]
    assert doc["probes"][0]["paired"]["confidence"] == 0.8
    assert wide_ci[0] < narrow_ci[0] and narrow_ci[1] < wide_ci[1]
    json.dumps(doc, allow_nan=False)  # results.json is written with allow_nan=False


def test_loss_comparisons_carry_an_exact_sign_flip_test(nine_fixed):
    for name in ("brier", "log_loss"):
        c = comparison(nine_fixed, name)
        flip = c["sign_flip"]
        assert (flip["method"], flip["n_nonzero"], flip["resamples"]) == ("exact-sign-flip", 9, 512)
        assert flip["p_value"] == pytest.approx(2 / 512, abs=1e-15)  # all 9 differences favour a
    assert "sign_flip" not in comparison(nine_fixed, "accuracy")  # accuracy has McNemar


def test_four_one_way_differences_of_301_give_sign_flip_p_one_eighth(tmp_path):
    a, b = correctness(200, 4, 0, 97)
    doc = add_paired(write_run(tmp_path, {"a": a, "b": b}), tmp_path)
    c = comparison(doc, "log_loss")
    assert c["n"] == 301 and c["ci"][1] < 0  # the bootstrap alone would call it
    assert c["sign_flip"]["p_value"] == pytest.approx(0.125, abs=1e-15) and c["sign_flip"]["n_nonzero"] == 4


def _other_probe(doc: dict, tmp_path, name: str, metrics: dict, with_label: bool) -> dict:
    """A probe entry whose models wrote sidecars but report none of the paired metrics (templates-like rows
    have no label column)."""
    results = {}
    for m in ("a", "b"):
        rel = f"predictions/{name}--{m}.jsonl"
        row = {"id": "0", "test": "t", "predicted": "pos", "proba": [0.1, 0.9]}
        if with_label:
            row["label"] = "pos"
        (tmp_path / rel).write_text(json.dumps(row) + "\n", encoding="utf-8")
        results[m] = {"status": "ok", "metrics": metrics, "details": {}, "predictions_file": rel}
    entry = {"name": name, "family": "fairness", "version": "1", "config": {}, "metric_specs": [], "results": results}
    doc["probes"].append(entry)
    return entry


def test_probes_without_paired_metrics_get_no_block_and_their_sidecars_are_not_read(tmp_path, monkeypatch):
    a, b = correctness(300, 9, 0, 91)
    doc = write_run(tmp_path, {"a": a, "b": b})
    templates = _other_probe(doc, tmp_path, "templates", {"inv_failure_rate": {"value": 0.1, "ci": [0, 0.2]}},
                             with_label=False)
    counterfactual = _other_probe(doc, tmp_path, "counterfactual", {"flip_rate": {"value": 0.2, "ci": None}},
                                  with_label=False)
    fairness = _other_probe(doc, tmp_path, "group_fairness", {"dp_gap": {"value": 0.05, "ci": None}},
                            with_label=True)
    read = []
    real = paired_verdicts.load_sidecar

    def spy(results_dir, unit):
        read.append(unit["predictions_file"])
        return real(results_dir, unit)

    monkeypatch.setattr(paired_verdicts, "load_sidecar", spy)
    for entry in (templates, counterfactual, fairness):
        entry["paired"] = {"comparisons": [], "skipped": []}  # a stale block goes too
    add_paired(doc, tmp_path)
    assert sorted(read) == ["predictions/metrics--a.jsonl", "predictions/metrics--b.jsonl"]
    assert all("paired" not in entry for entry in (templates, counterfactual, fairness))
    assert doc["probes"][0]["paired"]["skipped"] == []


def test_no_block_when_the_models_share_no_paired_metric(tmp_path):
    a, b = correctness(300, 9, 0, 91)
    doc = write_run(tmp_path, {"a": a, "b": b})
    results = doc["probes"][0]["results"]
    results["a"]["metrics"] = {"accuracy": results["a"]["metrics"]["accuracy"]}
    results["b"]["metrics"] = {"brier": results["b"]["metrics"]["brier"]}
    assert "paired" not in add_paired(doc, tmp_path)["probes"][0]
