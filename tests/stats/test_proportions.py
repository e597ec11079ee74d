"""Wilson and Newcombe intervals against independent computations: statsmodels' Wilson interval, Newcombe's
published tables (independent and paired proportions), and Newcombe's (1998) paired method 10 written out
again here from the paper, on many tables including empty cells; plus the interval's error rate at a
non-inferiority margin and its coverage, by seeded simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from paired_builders import correctness as pairs
from statsmodels.stats.proportion import proportion_confint

from audit.core.errors import AuditError
from audit.stats import (
    mcnemar, newcombe_interval, newcombe_paired, paired_bootstrap, paired_proportion_interval, two_sided_z, wilson,
    wilson_bounds,
)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99, 0.999])
def test_wilson_equals_statsmodels_on_every_count(confidence):
    for n in (1, 2, 3, 7, 10, 35, 100, 263, 1000):
        k = np.arange(n + 1)
        lo, hi = wilson_bounds(k, n, two_sided_z(1 - confidence))
        sm_lo, sm_hi = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
        np.testing.assert_allclose(lo, np.clip(sm_lo, 0, 1), rtol=0, atol=1e-12)
        np.testing.assert_allclose(hi, np.clip(sm_hi, 0, 1), rtol=0, atol=1e-12)
        assert (lo <= k / n).all() and (k / n <= hi).all()  # the observed rate is always inside
        scalar = [wilson(int(i), n, confidence) for i in k]
        assert scalar == [(float(a), float(b)) for a, b in zip(lo, hi)]


def test_wilson_tabulated_value_and_edges():
    # Newcombe (1998a) example: 81 of 263, Wilson 95% interval 0.2553 to 0.3662
    assert tuple(round(x, 4) for x in wilson(81, 263)) == (0.2553, 0.3662)
    lo, hi = wilson(0, 35)  # no successes: the interval still covers rates above 0
    assert lo == 0.0 and hi == pytest.approx(0.0989, abs=1e-4) and hi > 0
    lo, hi = wilson(35, 35)
    assert hi == 1.0 and lo == pytest.approx(1 - 0.0989, abs=1e-4)
    assert wilson(0, 0) is None  # no trials: no interval
    lo, hi = wilson_bounds([0, 3], [0, 10], 1.96)
    assert (lo[0], hi[0]) == (0.0, 1.0) and 0 < lo[1] < 0.3 < hi[1] < 1  # vectorised: [0, 1] without trials


@pytest.mark.parametrize("call", [lambda: wilson(5, 3), lambda: wilson(-1, 3), lambda: wilson(1, 3, 1.5),
                                  lambda: wilson_bounds([1, np.nan], 4, 1.96), lambda: two_sided_z(0.0)])
def test_bad_input_is_one_audit_error_line(call):
    with pytest.raises(AuditError) as err:
        call()
    assert "\n" not in str(err.value) and isinstance(err.value, ValueError)


@pytest.mark.parametrize("k1,n1,k2,n2,want", [
    # Newcombe (1998a), Stat Med 17:873, Table II, method 10 (square-and-add of Wilson intervals)
    (56, 70, 48, 80, (0.0524, 0.3339)), (9, 10, 3, 10, (0.1705, 0.8090)), (5, 56, 0, 29, (-0.0381, 0.1926)),
    (0, 10, 0, 20, (-0.1611, 0.2775)), (0, 10, 0, 10, (-0.2775, 0.2775)), (10, 10, 0, 20, (0.6791, 1.0)),
    (10, 10, 0, 10, (0.6075, 1.0)),
])
def test_newcombe_independent_matches_the_published_table(k1, n1, k2, n2, want):
    z = two_sided_z(0.05)
    (l1, l2), (u1, u2) = wilson_bounds([k1, k2], [n1, n2], z)
    lo, hi = newcombe_interval(k1 / n1, l1, u1, k2 / n2, l2, u2)
    assert (round(float(lo), 4), round(float(hi), 4)) == want


def newcombe_1998_paired(a: int, b: int, c: int, d: int, confidence: float) -> tuple[float, float, float]:
    """Newcombe (1998), Stat Med 17:2635, method 10, from the paper's notation: a pairs with both outcomes, b
    with the first only, c with the second only, d with neither; Wilson limits from statsmodels."""
    n = a + b + c + d
    alpha = 1 - confidence
    p1, p2 = (a + b) / n, (a + c) / n
    l2, u2 = (max(0.0, x) for x in proportion_confint(a + b, n, alpha=alpha, method="wilson"))
    l3, u3 = (min(1.0, x) for x in proportion_confint(a + c, n, alpha=alpha, method="wilson"))
    e, f, g, h = a + b, c + d, a + c, b + d
    if e * f * g * h == 0:
        phi = 0.0
    else:
        ad_bc = a * d - b * c
        if ad_bc > 0:  # the paper's correction: max(AD - BC - N/2, 0) when AD > BC
            ad_bc = max(ad_bc - n / 2, 0.0)
        phi = ad_bc / math.sqrt(e * f * g * h)
    theta = p1 - p2
    delta = math.sqrt(max(0.0, (p1 - l2) ** 2 - 2 * phi * (p1 - l2) * (u3 - p2) + (u3 - p2) ** 2))
    eps = math.sqrt(max(0.0, (u2 - p1) ** 2 - 2 * phi * (u2 - p1) * (p2 - l3) + (p2 - l3) ** 2))
    return theta, max(-1.0, theta - delta), min(1.0, theta + eps)


TABLES = [(59, 6, 16, 80), (36, 12, 2, 0), (0, 0, 0, 10), (10, 0, 0, 0), (0, 30, 0, 0), (0, 0, 30, 0), (5, 0, 3, 0),
          (0, 4, 4, 0), (12, 3, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0), (300, 9, 0, 91), (176, 4, 0, 20), (0, 7, 9, 3),
          (40, 1, 1, 40), (3, 20, 25, 2)]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_newcombe_paired_equals_the_formula_written_from_the_paper(table, confidence):
    diff, lo, hi = newcombe_paired(*table, confidence=confidence)
    want = newcombe_1998_paired(*table, confidence)
    assert (diff, lo, hi) == pytest.approx(want, abs=1e-12)
    assert lo <= diff <= hi
    a, b = pairs(*table)
    res = paired_proportion_interval(a, b, confidence)
    assert (res["diff"], *res["ci"]) == pytest.approx(want, abs=1e-12)


def test_newcombe_paired_random_tables_equal_the_formula():
    rng = np.random.default_rng(4)
    for _ in range(300):
        table = [int(x) for x in rng.integers(0, 25, size=4) * (rng.random(4) > 0.25)]
        if sum(table):
            assert newcombe_paired(*table) == pytest.approx(newcombe_1998_paired(*table, 0.95), abs=1e-12)
    with pytest.raises(AuditError, match="at least one example"):
        newcombe_paired(0, 0, 0, 0)


def test_newcombe_interval_matches_published_example():
    # Fagerland, Lydersen & Laake (2017), "Statistical Analysis of Contingency Tables", ch. 8: Cavo et al.
    # (2012), table [[59, 6], [16, 80]]: difference -0.0621, Newcombe square-and-add 95% CI -0.1186 to -0.0046
    a, b = pairs(59, 6, 16, 80)
    res = paired_proportion_interval(a, b, 0.95)
    assert res["method"] == "newcombe-hybrid-score" and res["diff"] == pytest.approx(-10 / 161)
    assert [round(x, 4) for x in res["ci"]] == [-0.1186, -0.0046]
    # swapping the models mirrors the interval
    assert paired_proportion_interval(b, a)["ci"] == pytest.approx([0.0046, 0.1186], abs=1e-4)


def test_newcombe_interval_edge_cases():
    same = np.ones(50, bool)
    res = paired_proportion_interval(same, same.copy())  # every margin 0: phi = 0, still a proper interval
    assert res["diff"] == 0 and res["ci"][0] < 0 < res["ci"][1]
    assert paired_proportion_interval(np.zeros(0, bool), np.zeros(0, bool))["ci"] is None
    a, b = pairs(0, 30, 0, 0)  # a always right, b never: clipped to [-1, 1]
    lo, hi = paired_proportion_interval(a, b)["ci"]
    assert 0 < lo < 1 and hi == 1.0


def test_four_one_way_discordant_pairs_do_not_exclude_zero():
    # compare's case: 4 of 200 in the column's favour, McNemar exact p = 0.125; the percentile bootstrap
    # excluded 0 here, Newcombe's interval does not
    a, b = pairs(176, 4, 0, 20)
    assert mcnemar(a, b)["p_value"] == pytest.approx(0.125)
    assert paired_proportion_interval(a, b)["ci"][0] < 0 < paired_bootstrap(a, b, resamples=2000)["ci"][0]


def _simulated_tables(seed: int, reps: int, n: int, fix: float, brk: float) -> np.ndarray:
    """(both right, only candidate right, only baseline right, neither) per replication; baseline accuracy 0.88."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, [0.88 - brk, fix, brk, 1 - 0.88 - fix], size=reps)


@pytest.mark.parametrize("fix,brk", [(0.0, 0.01), (0.02, 0.03)])  # breaks only; breaks and fixes
def test_non_inferiority_error_rate_at_the_margin(fix, brk):
    # the candidate's true drop equals max_drop = 0.01: a valid one-sided 2.5% test passes it <= ~2.5% of the time
    # (the percentile bootstrap passed the breaks-only case 10-13% of the time)
    passes = 0
    tables = _simulated_tables(0, 2000, 500, fix, brk)
    for both, cand_only, base_only, neither in tables:
        base, cand = pairs(both, base_only, cand_only, neither)
        passes += paired_proportion_interval(base, cand, 0.95)["ci"][1] <= 0.01
    assert passes / len(tables) <= 0.035


def test_interval_covers_the_true_difference():
    covered = 0
    tables = _simulated_tables(1, 2000, 300, 0.04, 0.06)
    for both, cand_only, base_only, neither in tables:
        lo, hi = paired_proportion_interval(*pairs(both, base_only, cand_only, neither))["ci"]
        covered += lo <= 0.02 <= hi
    assert 0.93 <= covered / len(tables) <= 0.975
