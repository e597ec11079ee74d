"""Paired tests against independent computations: McNemar against statsmodels (exact and chi-square), scipy and a
hand computation; the sign test against scipy.stats.binomtest; the sign-flip permutation test against a
brute-force enumeration of every sign assignment; all-equal pairs give p = 1."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from paired_builders import correctness as pairs
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from audit.core.errors import AuditError
from audit.stats import mcnemar, paired_bootstrap, sign_flip_test, sign_test


@pytest.mark.parametrize("a_only,b_only", [(0, 1), (1, 0), (1, 5), (3, 9), (7, 7), (12, 0), (0, 24), (2, 22),
                                           (11, 13), (10, 14)])
def test_exact_mcnemar_equals_statsmodels(a_only, b_only):
    a, b = pairs(40, a_only, b_only, 10)
    res = mcnemar(a, b)
    want = sm_mcnemar([[40, a_only], [b_only, 10]], exact=True)
    assert res["method"] == "exact-binomial"
    assert res["statistic"] == want.statistic and res["p_value"] == pytest.approx(want.pvalue, rel=1e-12)


@pytest.mark.parametrize("a_only,b_only", [(30, 15), (13, 14), (40, 0), (100, 130), (12, 14)])
def test_chi_square_mcnemar_equals_statsmodels_with_continuity_correction(a_only, b_only):
    a, b = pairs(100, a_only, b_only, 5)
    res = mcnemar(a, b)
    want = sm_mcnemar([[100, a_only], [b_only, 5]], exact=False, correction=True)
    assert res["method"] == "chi2-continuity"
    assert res["statistic"] == pytest.approx(want.statistic, rel=1e-12)
    assert res["p_value"] == pytest.approx(want.pvalue, rel=1e-10)


def test_mcnemar_without_examples_or_discordant_pairs_is_p_one():
    assert mcnemar(np.zeros(0, bool), np.zeros(0, bool)) == {"n": 0, "a_only": 0, "b_only": 0, "statistic": 0.0,
                                                             "p_value": 1.0, "method": "none"}
    assert mcnemar(*pairs(20, 0, 0, 15))["p_value"] == 1.0  # all pairs agree


@pytest.mark.parametrize("pos,neg", [(1, 0), (9, 1), (10, 0), (3, 11), (25, 25), (0, 6), (140, 110), (2, 900)])
def test_sign_test_equals_scipy_binomtest(pos, neg):
    d = np.array([0.1] * pos + [-0.2] * neg + [0.0] * 5 + [5e-13])  # zeros and near-zeros are ties, dropped
    got = sign_test(d)
    assert got[:2] == (pos, neg)
    assert got[2] == pytest.approx(sps.binomtest(pos, pos + neg, 0.5).pvalue, rel=1e-9)


def test_sign_test_of_all_ties_is_p_one():
    assert sign_test(np.zeros(5)) == (0, 0, 1.0)
    assert sign_test(np.array([])) == (0, 0, 1.0)


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
    with pytest.raises(AuditError, match="differ in length"):
        mcnemar(np.ones(3, bool), np.ones(4, bool))




def test_chi_square_mcnemar_with_equal_discordant_counts_is_zero():
    # (|b - c| - 1)^2 would give 1/(b + c); the correction may not push the statistic past 0
    res = mcnemar(*pairs(10, 15, 15, 5))
    assert res["method"] == "chi2-continuity" and res["statistic"] == 0.0 and res["p_value"] == 1.0
    res = mcnemar(*pairs(10, 13, 14, 5))
    assert res["statistic"] == 0.0 and res["p_value"] == 1.0  # |b - c| - 1 = 0




def brute_force_sign_flip_p(d) -> float:
    """Two-sided p by listing every sign assignment of the non-zero differences with itertools (no numpy)."""
    values = [float(x) for x in d if x != 0]
    observed = abs(sum(values))
    hits = total = 0
    for signs in itertools.product((1, -1), repeat=len(values)):
        total += 1
        hits += abs(sum(s * v for s, v in zip(signs, values))) >= observed - 1e-12
    return hits / total


def test_sign_flip_four_one_way_differences_of_301_is_exact_p_one_eighth():
    # the reviewer's case: 297 examples with equal losses, 4 all favouring a; the bootstrap CI excludes 0 here
    d = np.zeros(301)
    d[:4] = -np.array([0.9, 1.3, 2.1, 0.7])
    res = sign_flip_test(d, resamples=10000, seed=1)
    assert res == {"p_value": pytest.approx(2 / 2**4, abs=1e-15), "n_nonzero": 4, "method": "exact-sign-flip",
                   "resamples": 16}
    assert paired_bootstrap(d, np.zeros(301), resamples=10000, seed=0)["ci"][1] < 0  # what the test guards


def test_sign_flip_nine_one_way_differences_is_exact_two_over_512():
    d = np.concatenate([np.linspace(0.1, 0.9, 9), np.zeros(391)])
    res = sign_flip_test(d, resamples=10000, seed=0)
    assert res["method"] == "exact-sign-flip" and res["n_nonzero"] == 9
    assert res["p_value"] == pytest.approx(2 / 512, abs=1e-15)
    assert res["p_value"] == pytest.approx(brute_force_sign_flip_p(d), abs=1e-15)


@pytest.mark.parametrize("seed,n", [(0, 1), (1, 5), (2, 8), (3, 12), (4, 16)])
def test_exact_sign_flip_equals_brute_force_enumeration(seed, n):
    rng = np.random.default_rng(seed)
    d = np.concatenate([rng.normal(0.05, 0.3, size=n), np.zeros(20)])
    d[:2] = [0.25, -0.25] if n >= 2 else d[:2]  # ties in |d|, as repeated per-example losses give
    res = sign_flip_test(d, resamples=10000, seed=0)
    assert res["method"] == "exact-sign-flip" and res["n_nonzero"] == n
    assert res["p_value"] == pytest.approx(brute_force_sign_flip_p(d), abs=1e-15)


def test_monte_carlo_sign_flip_above_sixteen_is_seeded_and_near_the_exact_p():
    rng = np.random.default_rng(5)
    d = rng.normal(0.15, 0.5, size=17)
    exact = brute_force_sign_flip_p(d)
    res = sign_flip_test(d, resamples=10000, seed=3)
    assert res["method"] == "monte-carlo-sign-flip" and res["n_nonzero"] == 17 and res["resamples"] == 10000
    assert res == sign_flip_test(d, resamples=10000, seed=3)  # the same seed, the same p
    se = math.sqrt(exact * (1 - exact) / 10000)
    assert abs(res["p_value"] - exact) < 4 * se + 1e-4
    assert 0 < sign_flip_test(np.full(40, 0.3), resamples=2000, seed=0)["p_value"] == pytest.approx(1 / 2001)


def test_sign_flip_without_differences_is_p_one():
    assert sign_flip_test(np.zeros(50), resamples=100, seed=0) == {"p_value": 1.0, "n_nonzero": 0, "method": "none",
                                                                  "resamples": 0}
    with pytest.raises(ValueError):
        sign_flip_test(np.array([0.1, np.nan]))


@pytest.mark.parametrize("shift,expect_difference", [(0.08, True), (0.0, False)])
def test_sign_flip_agrees_with_the_bootstrap_at_large_n(shift, expect_difference):
    # many examples differ, both ways: the bootstrap is fine here and the permutation test reaches the same verdict
    rng = np.random.default_rng(11)
    loss_b = rng.uniform(0.1, 1.0, size=2000)
    loss_a = loss_b + rng.normal(-shift, 0.5, size=2000)
    boot = paired_bootstrap(loss_a, loss_b, resamples=4000, seed=0)
    flip = sign_flip_test(loss_a - loss_b, resamples=10000, seed=0)
    assert flip["method"] == "monte-carlo-sign-flip" and flip["n_nonzero"] == 2000
    assert (boot["ci"][1] < 0 or boot["ci"][0] > 0) is expect_difference
    assert (flip["p_value"] < 0.05) is expect_difference
