"""Relative checks on constructed sidecars with known answers: non-inferiority passes and fails,
the paired-bootstrap bound equals a direct computation, McNemar equals scipy, baselines from
other runs are refused when they are on other data or another schema."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.errors import AuditError
from audit.gate.evaluate import evaluate_gate
from audit.gate.policy import load_policy

RESAMPLES, SEED = 2000, 3


def relative(metric="metrics.accuracy", baseline="base", max_drop=0.01, model=None, extra="") -> str:
    text = (f"resamples: {RESAMPLES}\nseed: {SEED}\nchecks:\n  - metric: {metric}\n    baseline: {baseline}\n"
            f"    max_drop: {max_drop}\n")
    return text + (f"    model: {model}\n" if model else "") + extra


def direct_drop_ci(base: np.ndarray, cand: np.ndarray, confidence=0.95) -> tuple[float, float]:
    """The paired bootstrap written out: the same seeded resamples, one row of indices at a time."""
    n = len(base)
    idx = np.random.default_rng(SEED).integers(0, n, size=(RESAMPLES, n))
    drops = [base[row].mean() - cand[row].mean() for row in idx]
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
    assert row["model"] == "cand" and row["kind"] == "relative" and row["method"] == "paired-bootstrap"
    assert row["drop"] == pytest.approx(-0.02) and row["n"] == 200
    assert row["drop_ci"] == pytest.approx(direct_drop_ci(base_correct, cand), abs=1e-12)
    assert row["value"] == row["drop_ci"][1] <= 0 and row["passed"] is True and gate["passed"] is True
    # McNemar: 4 discordant pairs, all in the candidate's favour: exact p = 2 / 2^4
    assert row["mcnemar"]["a_only"] == 4 and row["mcnemar"]["b_only"] == 0
    assert row["p_value"] == pytest.approx(sps.binomtest(4, 4, 0.5).pvalue) == pytest.approx(0.125)
    assert (row["operator"], row["threshold"], row["baseline"]["model"]) == ("<=", 0.01, "base")
    assert "McNemar p=0.125" in row["message"] and "paired bootstrap over 200 examples" in row["message"]


def test_clearly_worse_candidate_fails(make_results, policy, tmp_path, base_correct):
    cand = swapped(base_correct, lose=10, gain=0)
    row = run_pair(make_results, policy, tmp_path, base_correct, cand, relative())["checks"][0]
    assert row["drop"] == pytest.approx(0.05) and row["passed"] is False and row["status"] == "fail"
    lo, hi = direct_drop_ci(base_correct, cand)
    assert row["drop_ci"] == pytest.approx([lo, hi], abs=1e-12) and lo > 0.01
    assert f"upper bound {hi:.4f}".rstrip("0") in row["message"] and "fails <= max_drop 0.01" in row["message"]


def test_equal_accuracy_is_not_enough_without_confidence(make_results, policy, tmp_path, base_correct):
    # 15 swaps each way: the same accuracy, but 30 discordant pairs leave a wide interval
    cand = swapped(base_correct, lose=15, gain=15)
    row = run_pair(make_results, policy, tmp_path, base_correct, cand, relative(max_drop=0.01))["checks"][0]
    assert row["drop"] == pytest.approx(0.0)
    lo, hi = direct_drop_ci(base_correct, cand)
    assert row["value"] == pytest.approx(hi) and hi > 0.01 and row["passed"] is False
    # normal approximation of the half-width: 1.96 * sqrt(30) / 200
    assert hi == pytest.approx(1.96 * math.sqrt(30) / 200, rel=0.2)
    mc = row["mcnemar"]
    assert mc["method"] == "chi2-continuity" and mc["statistic"] == pytest.approx(1 / 30)
    assert row["p_value"] == pytest.approx(sps.chi2.sf(1 / 30, df=1))
    wide = run_pair(make_results, policy, tmp_path, base_correct, cand, relative(max_drop=0.08))["checks"][0]
    assert wide["passed"] is True


def test_confidence_level_changes_the_bound(make_results, policy, tmp_path, base_correct):
    cand = swapped(base_correct, lose=15, gain=15)
    text = relative(extra="    confidence: 0.8\n")
    row = run_pair(make_results, policy, tmp_path, base_correct, cand, text)["checks"][0]
    assert row["drop_ci"] == pytest.approx(direct_drop_ci(base_correct, cand, confidence=0.8), abs=1e-12)
    assert row["confidence"] == 0.8 and "80% CI" in row["message"]


def test_brier_drop_from_sidecar_probabilities(make_results, policy, tmp_path, base_correct):
    # sidecar rows give Brier 0.04 when right and 0.49 when wrong: the drop is 0.45 x accuracy gap
    cand = swapped(base_correct, lose=0, gain=4)
    row = run_pair(make_results, policy, tmp_path, base_correct, cand,
                   relative("metrics.brier", max_drop=0.0))["checks"][0]
    assert row["method"] == "paired-bootstrap" and "mcnemar" not in row
    assert row["drop"] == pytest.approx(0.45 * (base_correct.mean() - cand.mean()))
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
    assert row["drop_ci"] == pytest.approx(direct_drop_ci(base_correct, cand), abs=1e-12)
    assert row["baseline"] == {"model": "production", "results": str(path), "run_id": "run-prod"}
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
