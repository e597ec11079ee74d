"""Relative checks on constructed sidecars with known answers: non-inferiority passes and fails,
the accuracy bound is Newcombe's paired interval (checked against published values in
tests/test_paired.py), losses use the paired bootstrap (checked against a direct loop), McNemar
equals scipy, missing or malformed sidecars are never silently turned into point comparisons, and
baselines from other runs are refused when they are on other data or another schema."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.core.errors import AuditError
from audit.gate.evaluate import evaluate_gate
from audit.gate.policy import load_policy
from audit.stats import paired_proportion_interval

RESAMPLES, SEED = 2000, 3


def relative(metric="metrics.accuracy", baseline="base", max_drop=0.01, model=None, extra="") -> str:
    text = (f"resamples: {RESAMPLES}\nseed: {SEED}\nchecks:\n  - metric: {metric}\n    baseline: {baseline}\n"
            f"    max_drop: {max_drop}\n")
    return text + (f"    model: {model}\n" if model else "") + extra


def drop_ci(base: np.ndarray, cand: np.ndarray, confidence=0.95) -> list[float]:
    """Newcombe's interval of base - cand accuracy: the drop's orientation."""
    return paired_proportion_interval(base, cand, confidence)["ci"]


def direct_loss_ci(base: np.ndarray, cand: np.ndarray, confidence=0.95) -> tuple[float, float]:
    """The paired bootstrap of a per-example loss written out: the same seeded resamples, one row at a time."""
    n = len(base)
    idx = np.random.default_rng(SEED).integers(0, n, size=(RESAMPLES, n))
    drops = [cand[row].mean() - base[row].mean() for row in idx]
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(drops, [alpha, 1 - alpha])
    return float(lo), float(hi)


def swapped(base: np.ndarray, lose: int, gain: int) -> np.ndarray:
    """``base`` with ``lose`` of its right answers made wrong and ``gain`` of its errors made right."""
    cand = base.copy()
    cand[np.flatnonzero(base)[:lose]] = False
    cand[np.flatnonzero(~base)[:gain]] = True
    return cand


@pytest.fixture()
def base_correct():
    rng = np.random.default_rng(0)
    base = np.zeros(200, dtype=bool)
    base[rng.choice(200, 180, replace=False)] = True
    return base


def run_pair(make_results, policy, tmp_path, base, cand, text):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": cand, "base": base})
    return evaluate_gate(load_policy(policy(text)), doc, folder)


def test_better_candidate_is_non_inferior(make_results, policy, tmp_path, base_correct):
    cand = swapped(base_correct, lose=0, gain=4)
    gate = run_pair(make_results, policy, tmp_path, base_correct, cand, relative())
    [row] = gate["checks"]  # 'all' models minus the baseline itself
    assert row["model"] == "cand" and row["kind"] == "relative" and row["method"] == "newcombe-hybrid-score"
    assert row["drop"] == pytest.approx(-0.02) and row["n"] == 200
    assert row["drop_ci"] == pytest.approx(drop_ci(base_correct, cand), abs=1e-12)
    # 4 discordant pairs cannot rule out a small drop (the bootstrap said <= -0.005 here): 0.0044 <= 0.01 still
    assert row["drop_ci"] == pytest.approx([-0.0484, 0.0044], abs=1e-4)
    assert row["value"] == row["drop_ci"][1] <= 0.01 and row["passed"] is True and gate["passed"] is True
    assert "resamples" not in row
    # McNemar: 4 discordant pairs, all in the candidate's favour: exact p = 2 / 2^4
    assert row["mcnemar"]["a_only"] == 4 and row["mcnemar"]["b_only"] == 0
    assert row["p_value"] == pytest.approx(sps.binomtest(4, 4, 0.5).pvalue) == pytest.approx(0.125)
    assert (row["operator"], row["threshold"], row["baseline"]["model"]) == ("<=", 0.01, "base")
    assert "McNemar p=0.125" in row["message"] and "Newcombe paired score interval over 200 examples" in row["message"]


def test_clearly_worse_candidate_fails(make_results, policy, tmp_path, base_correct):
    cand = swapped(base_correct, lose=10, gain=0)
    row = run_pair(make_results, policy, tmp_path, base_correct, cand, relative())["checks"][0]
    assert row["drop"] == pytest.approx(0.05) and row["passed"] is False and row["status"] == "fail"
    lo, hi = drop_ci(base_correct, cand)
    assert row["drop_ci"] == pytest.approx([lo, hi], abs=1e-12) and lo > 0.01
    assert f"upper bound {hi:.4f}".rstrip("0") in row["message"] and "fails <= max_drop 0.01" in row["message"]


def test_equal_accuracy_is_not_enough_without_confidence(make_results, policy, tmp_path, base_correct):
    # 15 swaps each way: the same accuracy, but 30 discordant pairs leave a wide interval
    cand = swapped(base_correct, lose=15, gain=15)
    row = run_pair(make_results, policy, tmp_path, base_correct, cand, relative(max_drop=0.01))["checks"][0]
    assert row["drop"] == pytest.approx(0.0)
    lo, hi = drop_ci(base_correct, cand)
    assert row["value"] == pytest.approx(hi) and hi > 0.01 and row["passed"] is False
    # normal approximation of the half-width: 1.96 * sqrt(30) / 200
    assert hi == pytest.approx(1.96 * math.sqrt(30) / 200, rel=0.2)
    mc = row["mcnemar"]
    # b = c: the corrected statistic max(0, |b - c| - 1)^2 / (b + c) is 0, not 1/30
    assert mc["method"] == "chi2-continuity" and mc["statistic"] == 0.0 and row["p_value"] == 1.0
    wide = run_pair(make_results, policy, tmp_path, base_correct, cand, relative(max_drop=0.08))["checks"][0]
    assert wide["passed"] is True


def test_confidence_level_changes_the_bound(make_results, policy, tmp_path, base_correct):
    cand = swapped(base_correct, lose=15, gain=15)
    text = relative(extra="    confidence: 0.8\n")
    row = run_pair(make_results, policy, tmp_path, base_correct, cand, text)["checks"][0]
    assert row["drop_ci"] == pytest.approx(drop_ci(base_correct, cand, confidence=0.8), abs=1e-12)
    assert row["drop_ci"][1] < drop_ci(base_correct, cand)[1]
    assert row["confidence"] == 0.8 and "80% CI" in row["message"]


def test_brier_drop_from_sidecar_probabilities(make_results, policy, tmp_path, base_correct):
    # sidecar rows give Brier 0.04 when right and 0.49 when wrong: the drop is 0.45 x accuracy gap
    cand = swapped(base_correct, lose=0, gain=4)
    row = run_pair(make_results, policy, tmp_path, base_correct, cand,
                   relative("metrics.brier", max_drop=0.0))["checks"][0]
    assert row["method"] == "paired-bootstrap" and "mcnemar" not in row
    assert row["drop"] == pytest.approx(0.45 * (base_correct.mean() - cand.mean()))
    loss = lambda c: np.where(c, 0.04, 0.49)  # noqa: E731
    assert row["drop_ci"] == pytest.approx(direct_loss_ci(loss(base_correct), loss(cand)), abs=1e-12)
    assert (row["resamples"], row["seed"]) == (RESAMPLES, SEED)
    assert row["passed"] is True


def test_metric_without_per_example_data_compares_point_values(make_results, policy, tmp_path, base_correct):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct},
                       extra={"cand": {"ece": {"value": 0.08, "ci": None, "higher_is_better": False}}})
    row = evaluate_gate(load_policy(policy(relative("metrics.ece", max_drop=0.01))), doc, folder)["checks"][0]
    assert row["method"] == "point" and row["drop"] == pytest.approx(0.04) and row["passed"] is False
    assert "point values were compared without a confidence interval" in row["message"]


def test_saved_baseline_run_gives_the_same_answer(make_results, policy, tmp_path, base_correct):
    cand = swapped(base_correct, lose=0, gain=4)
    make_results(tmp_path / "prod", {"production": base_correct})
    folder = tmp_path / "new"
    doc = make_results(folder, {"cand": cand})
    path = tmp_path / "prod" / "results.json"
    row = evaluate_gate(load_policy(policy(relative(baseline=f"{{model: production, results: '{path}'}}"))),
                        doc, folder)["checks"][0]
    assert row["drop_ci"] == pytest.approx(drop_ci(base_correct, cand), abs=1e-12)
    # the resolved file is recorded, so the row says which saved run it was compared with
    assert row["baseline"] == {"model": "production", "results": str(path.resolve()), "run_id": "run-prod"}
    # the same through the --baseline option, for a policy that names only the model
    again = evaluate_gate(load_policy(policy(relative(baseline="production"))), doc, folder,
                          baseline=str(tmp_path / "prod"))["checks"][0]
    assert again["drop_ci"] == row["drop_ci"]


def test_baseline_on_other_data_is_refused(make_results, policy, tmp_path, base_correct):
    make_results(tmp_path / "prod", {"production": base_correct}, fingerprint="sha256:other-data")
    doc = make_results(tmp_path / "new", {"cand": base_correct})
    p = load_policy(policy(relative(baseline="production")))
    with pytest.raises(AuditError, match="was audited on different data .*same dataset"):
        evaluate_gate(p, doc, tmp_path / "new", baseline=str(tmp_path / "prod" / "results.json"))


def test_baseline_of_another_schema_is_refused(make_results, policy, tmp_path, base_correct):
    make_results(tmp_path / "prod", {"production": base_correct})
    path = tmp_path / "prod" / "results.json"
    old = json.loads(path.read_text())
    old["schema"] = "audit-results/0"
    path.write_text(json.dumps(old))
    doc = make_results(tmp_path / "new", {"cand": base_correct})
    with pytest.raises(AuditError, match="has schema 'audit-results/0'"):
        evaluate_gate(load_policy(policy(relative(baseline="production"))), doc, tmp_path / "new", baseline=str(path))


def test_baseline_model_mistakes(make_results, policy, tmp_path, base_correct):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    with pytest.raises(AuditError, match="Unknown model 'bsae'. Did you mean 'base'"):
        evaluate_gate(load_policy(policy(relative(baseline="bsae"))), doc, folder)
    with pytest.raises(AuditError, match="is its own baseline"):
        evaluate_gate(load_policy(policy(relative(model="base"))), doc, folder)


def test_missing_sidecar_is_not_evaluated_unless_unpaired_is_allowed(make_results, policy, tmp_path, base_correct):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    (folder / "predictions" / "metrics--base.jsonl").unlink()
    row = evaluate_gate(load_policy(policy(relative())), doc, folder)["checks"][0]
    assert row["status"] == "error" and row["passed"] is False and row["value"] is None
    assert "predictions file" in row["message"] and "metrics--base.jsonl for 'base' is missing" in row["message"]
    assert "archive the predictions/ folder beside results.json" in row["message"]
    skipped = evaluate_gate(load_policy(policy(relative(extra="    on_missing: skip\n"))), doc, folder)
    assert skipped["checks"][0]["status"] == "skip" and skipped["passed"] is False
    opted = evaluate_gate(load_policy(policy(relative(extra="    allow_unpaired: true\n"))), doc, folder)["checks"][0]
    assert opted["method"] == "point" and opted["passed"] is True and "allow_unpaired: the predictions" in opted["message"]


@pytest.mark.parametrize("change,expected", [
    (lambda doc: doc["probes"][0]["results"]["base"].pop("predictions_file"), "record no predictions file for 'base'"),
    (lambda doc: doc["probes"][0]["results"]["base"].update(predictions_file="predictions/empty.jsonl"), "is empty"),
])
def test_unusable_sidecar_reference_is_not_evaluated(make_results, policy, tmp_path, base_correct, change, expected):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    (folder / "predictions" / "empty.jsonl").write_text("\n")
    change(doc)
    row = evaluate_gate(load_policy(policy(relative())), doc, folder)["checks"][0]
    assert row["status"] == "error" and expected in row["message"]


def test_sidecars_without_common_ids_are_not_evaluated(make_results, policy, tmp_path, base_correct):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    path = folder / "predictions" / "metrics--base.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps({**r, "id": f"other-{r['id']}"}) + "\n" for r in rows))
    row = evaluate_gate(load_policy(policy(relative())), doc, folder)["checks"][0]
    assert row["status"] == "error" and "share 0 example ids" in row["message"]


@pytest.mark.parametrize("text,expected", [
    ('{"id": "0", "label": "negative"\n', r"metrics--base.jsonl:1: not a valid JSON line"),
    ('{"id": "0", "label": "negative", "predicted": "negative"}\n{"id": "1", "label": "x"}\n',
     r"metrics--base.jsonl:2: row lacks predicted"),
    ('{"id": "0", "label": "negative", "predicted": "negative", "proba": [NaN, 1]}\n', r"jsonl:1: .*NaN"),
])
def test_malformed_sidecar_is_an_input_error_naming_file_and_line(make_results, policy, tmp_path, base_correct,
                                                                  text, expected):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    (folder / "predictions" / "metrics--base.jsonl").write_text(text)
    with pytest.raises(AuditError, match=expected):
        evaluate_gate(load_policy(policy(relative())), doc, folder)


@pytest.mark.parametrize("rel", ["../outside.jsonl", "/etc/passwd", "predictions/../../x.jsonl"])
def test_sidecar_path_must_stay_under_the_results_dir(make_results, policy, tmp_path, base_correct, rel):
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    doc["probes"][0]["results"]["base"]["predictions_file"] = rel
    with pytest.raises(AuditError, match="points outside the results directory"):
        evaluate_gate(load_policy(policy(relative())), doc, folder)


def test_baselines_without_fingerprints_are_unverifiable(make_results, policy, tmp_path, base_correct):
    make_results(tmp_path / "prod", {"production": base_correct}, fingerprint=None)
    doc = make_results(tmp_path / "new", {"cand": base_correct}, fingerprint=None)
    with pytest.raises(AuditError, match="Cannot verify that baseline .* same data: these results record no dataset"):
        evaluate_gate(load_policy(policy(relative(baseline="production"))), doc, tmp_path / "new",
                      baseline=str(tmp_path / "prod"))


def test_baseline_option_precedence(make_results, policy, tmp_path, base_correct):
    # a same-run model wins over --baseline; --baseline used by no check is refused, not ignored
    make_results(tmp_path / "prod", {"base": swapped(base_correct, lose=20, gain=0)})
    folder = tmp_path / "pair"
    doc = make_results(folder, {"cand": base_correct, "base": base_correct})
    text = relative() + "  - metric: metrics.accuracy\n    baseline: production\n    max_drop: 0.01\n"
    with pytest.raises(AuditError, match="model 'production'"):
        evaluate_gate(load_policy(policy(text)), doc, folder, baseline=str(tmp_path / "prod"))
    with pytest.raises(AuditError, match="--baseline .* is used by no check.*drop --baseline"):
        evaluate_gate(load_policy(policy(relative())), doc, folder, baseline=str(tmp_path / "prod"))
    absolute = "checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n"
    with pytest.raises(AuditError, match="is used by no check"):
        evaluate_gate(load_policy(policy(absolute)), doc, folder, baseline=str(tmp_path / "prod"))
    make_results(tmp_path / "prod2", {"production": base_correct})
    gate = evaluate_gate(load_policy(policy(text)), doc, folder, baseline=str(tmp_path / "prod2"))
    same, *saved = gate["checks"]  # the saved baseline's check covers every model in this run
    assert same["baseline"]["results"] is None and same["drop"] == 0
    assert [r["model"] for r in saved] == ["cand", "base"]
    assert {r["baseline"]["results"] for r in saved} == {str((tmp_path / "prod2" / "results.json").resolve())}
