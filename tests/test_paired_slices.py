"""The slices probe's paired block, from sidecars the probe wrote: for every pair of models and tested slice, the
error rates, their paired difference and McNemar's test equal a direct computation (numpy, statsmodels' exact
McNemar), Benjamini-Hochberg over the slices equals statsmodels, the candidate erring more in its planted slice is
found; a missing sidecar is a skipped pair with a relative reason; one model gets no block."""

from __future__ import annotations

import json

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar
from slices_builders import TableModel, planted
from statsmodels.stats.multitest import multipletests

from audit.cache import PredictionCache
from audit.core.results import ResultsStore
from audit.models.base import LoadedModel
from audit.predictions.paired_verdicts import add_paired
from audit.probes.base import ProbeContext
from audit.probes.slices import SlicesProbe
from audit.runner import metric_specs


@pytest.fixture
def run_dir(tmp_path):
    """Two models on the planted data: 'cand' errs 60% in the negation slice, 'base' 10% everywhere."""
    data, planted_model, wrong, conf = planted()
    cand = LoadedModel("cand", "mem", "callable", planted_model.classifier)
    gold = np.array([["neg", "pos"].index(y) for y in data.labels])
    base_wrong = np.arange(len(data)) % 10 == 0
    top = np.where(base_wrong, 1 - gold, gold)
    proba = np.zeros((len(data), 2))
    proba[np.arange(len(data)), top], proba[np.arange(len(data)), 1 - top] = conf, 1 - conf
    base = LoadedModel("base", "mem", "callable", TableModel(dict(zip(data.inputs, proba))))
    doc = {"schema": "audit-results/1", "run": {"seed": 0}, "probes": [],
           "models": [{"id": "cand", "labels": ["neg", "pos"]}, {"id": "base", "labels": ["neg", "pos"]}]}
    store = ResultsStore(tmp_path, doc)
    probe = SlicesProbe.from_mapping({"min_size": 30})
    entry = store.probe_entry(probe, metric_specs(probe))
    for model in (cand, base):
        res = probe.run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
        store.record(entry, model.id, res.as_dict(), res.predictions)
    return tmp_path, store.doc, wrong, base_wrong


def test_every_slice_row_equals_a_direct_computation(run_dir):
    folder, doc, wrong, base_wrong = run_dir
    add_paired(doc, folder)
    block = doc["probes"][0]["paired"]["slices"]
    assert (block["q"], block["test"], block["skipped"]) == (0.05, "mcnemar", [])
    [pair] = block["pairs"]
    assert (pair["a"], pair["b"], pair["n"]) == ("cand", "base", 300)
    rows = {json.loads(line)["id"]: json.loads(line) for line in (folder / "predictions/slices--cand.jsonl").open()}
    members = [set(rows[f"r{i}"]["slices"]) for i in range(300)]
    tested = doc["probes"][0]["results"]["cand"]["details"]["slices"]
    assert [r["slice"] for r in pair["rows"]] == [t["slice"] for t in tested]
    for row, t in zip(pair["rows"], tested):
        mask = np.array([set(t["parts"]) <= m for m in members])
        a, b = wrong[mask], base_wrong[mask]
        assert row["n"] == mask.sum()
        assert (row["error_a"], row["error_b"]) == pytest.approx((a.mean(), b.mean()))
        assert row["diff"] == pytest.approx(a.mean() - b.mean()) and row["ci"][0] <= row["diff"] <= row["ci"][1]
        assert (row["wrong_only_a"], row["wrong_only_b"]) == (int((a & ~b).sum()), int((~a & b).sum()))
        if row["wrong_only_a"] + row["wrong_only_b"] < 25:  # the exact test, as statsmodels' exact McNemar
            table = [[int((~a & ~b).sum()), int((~a & b).sum())], [int((a & ~b).sum()), int((a & b).sum())]]
            assert row["p_value"] == pytest.approx(sm_mcnemar(table, exact=True).pvalue)
    reference = multipletests([r["p_value"] for r in pair["rows"]], method="fdr_bh")[1]
    assert [r["p_adjusted"] for r in pair["rows"]] == pytest.approx(reference.tolist())
    by_name = {r["slice"]: r for r in pair["rows"]}
    assert by_name["negation"]["a_worse"] and by_name["negation"]["p_adjusted"] <= 0.05
    assert pair["a_worse"] == sum(r["a_worse"] for r in pair["rows"]) >= 1 and pair["b_worse"] == 0
    assert all(r["wrong_only_b"] == 0 for r in pair["rows"])  # base's errors are a subset of cand's


def test_a_missing_sidecar_skips_the_pair_with_a_relative_reason(run_dir):
    folder, doc, _, _ = run_dir
    (folder / "predictions/slices--base.jsonl").unlink()
    add_paired(doc, folder)
    block = doc["probes"][0]["paired"]["slices"]
    assert block["pairs"] == []
    assert block["skipped"] == [{"a": "cand", "b": "base", "reason": "the predictions file "
                                 "predictions/slices--base.jsonl of 'base' is missing"}]
    (folder / "predictions/slices--cand.jsonl").write_text("{not json\n", encoding="utf-8")
    add_paired(doc, folder)
    reason = doc["probes"][0]["paired"]["slices"]["skipped"][0]["reason"]
    assert reason.startswith("predictions/slices--cand.jsonl:1: not a valid JSON line") and str(folder) not in reason


def test_one_model_gets_no_block(run_dir):
    folder, doc, _, _ = run_dir
    del doc["probes"][0]["results"]["base"]
    add_paired(doc, folder)
    assert "paired" not in doc["probes"][0]
