"""Paired tests give known answers: McNemar against scipy and a hand computation, the paired
bootstrap against a direct loop over the same seeded resamples."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.paired import load_sidecar, mcnemar, paired_bootstrap, paired_correctness


def pairs(both: int, a_only: int, b_only: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    """Correctness arrays with the given 2x2 table of (a right?, b right?) counts."""
    a = np.array([1] * both + [1] * a_only + [0] * b_only + [0] * neither, dtype=bool)
    b = np.array([1] * both + [0] * a_only + [1] * b_only + [0] * neither, dtype=bool)
    return a, b


@pytest.mark.parametrize("a_only,b_only", [(0, 1), (1, 5), (3, 9), (7, 7), (12, 0), (2, 22), (11, 13)])
def test_exact_mcnemar_equals_scipy_binomtest(a_only, b_only):
    a, b = pairs(40, a_only, b_only, 10)
    res = mcnemar(a, b)
    assert res["method"] == "exact-binomial"
    assert (res["n"], res["a_only"], res["b_only"]) == (50 + a_only + b_only, a_only, b_only)
    expected = sps.binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert res["p_value"] == pytest.approx(expected, rel=1e-12)


def test_chi_square_mcnemar_equals_hand_computation():
    a, b = pairs(100, 30, 15, 5)  # 45 discordant pairs: chi-square branch
    res = mcnemar(a, b)
    assert res["method"] == "chi2-continuity"
    # (|30 - 15| - 1)^2 / 45 = 196 / 45
    assert res["statistic"] == pytest.approx(196 / 45)
    assert res["p_value"] == pytest.approx(sps.chi2.sf(196 / 45, df=1), rel=1e-10)
    assert res["p_value"] == pytest.approx(0.036888, abs=1e-5)  # tabulated chi2(1) tail at 4.3556


def test_boundary_between_exact_and_chi_square():
    assert mcnemar(*pairs(10, 12, 12, 0))["method"] == "exact-binomial"  # 24 discordant
    assert mcnemar(*pairs(10, 12, 13, 0))["method"] == "chi2-continuity"  # 25 discordant


def test_identical_models_have_zero_difference_and_p_one():
    a = np.array([1, 0, 1, 1, 0, 1, 1, 1], dtype=bool)
    res = mcnemar(a, a.copy())
    assert res["p_value"] == 1.0 and res["a_only"] == res["b_only"] == 0
    boot = paired_bootstrap(a, a.copy(), resamples=500)
    assert boot["diff"] == 0.0 and boot["ci"] == [0.0, 0.0]


def test_length_mismatch_is_refused():
    with pytest.raises(ValueError):
        mcnemar(np.ones(3, bool), np.ones(4, bool))


def test_bootstrap_equals_direct_loop_with_same_seed():
    rng = np.random.default_rng(7)
    a = rng.random(60) < 0.8
    b = rng.random(60) < 0.7
    res = paired_bootstrap(a, b, resamples=2000, confidence=0.9, seed=3)
    idx = np.random.default_rng(3).integers(0, 60, size=(2000, 60))
    diffs = [a[row].mean() - b[row].mean() for row in idx]
    lo, hi = np.quantile(diffs, [0.05, 0.95])
    assert res["diff"] == pytest.approx(a.mean() - b.mean())
    assert res["ci"] == pytest.approx([lo, hi], abs=1e-12)
    assert res["resamples"] == 2000 and res["confidence"] == 0.9


def test_bootstrap_ci_covers_the_true_difference_and_is_narrower_than_unpaired():
    # b is a with 5% of examples flipped wrong: the true paired difference is 0.05
    n = 2000
    rng = np.random.default_rng(1)
    a = rng.random(n) < 0.85
    b = a.copy()
    flip = rng.choice(np.flatnonzero(a), size=100, replace=False)
    b[flip] = False
    res = paired_bootstrap(a, b, resamples=4000, seed=0)
    assert res["diff"] == pytest.approx(100 / n)
    lo, hi = res["ci"]
    assert lo < 0.05 < hi and lo > 0  # a is reliably better
    # the normal-approximation half-width of the paired difference, sqrt(p(1-p)/n) with p = 0.05
    half = 1.96 * math.sqrt(0.05 * 0.95 / n)
    assert (hi - lo) / 2 == pytest.approx(half, rel=0.15)


def test_empty_input_gives_no_interval():
    res = paired_bootstrap(np.zeros(0, bool), np.zeros(0, bool))
    assert res["diff"] is None and res["ci"] is None


def test_sidecars_pair_by_id_in_first_models_order(tmp_path):
    (tmp_path / "predictions").mkdir()
    rows_a = [{"id": "1", "label": "pos", "predicted": "pos", "proba": [0.1, 0.9]},
              {"id": "2", "label": "neg", "predicted": "pos", "proba": [0.4, 0.6]},
              {"id": "3", "label": "neg", "predicted": "neg", "proba": [0.8, 0.2]}]
    rows_b = [{"id": 3, "label": "neg", "predicted": "pos", "proba": [0.3, 0.7]},
              {"id": "1", "label": "pos", "predicted": "pos", "proba": [0.2, 0.8]}]
    for name, rows in (("a", rows_a), ("b", rows_b)):
        (tmp_path / "predictions" / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    a = load_sidecar(tmp_path, {"predictions_file": "predictions/a.jsonl"})
    b = load_sidecar(tmp_path, {"predictions_file": "predictions/b.jsonl"})
    ids, ca, cb = paired_correctness(a, b)
    assert ids == ["1", "3"]
    assert ca.tolist() == [True, True] and cb.tolist() == [True, False]
    assert load_sidecar(tmp_path, {"status": "ok"}) is None
    assert load_sidecar(tmp_path, {"predictions_file": "predictions/missing.jsonl"}) is None
