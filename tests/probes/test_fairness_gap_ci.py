"""Disparity CIs of `group-fairness`: Wilson intervals against the score equation solved by hand,
two-group gaps against Newcombe's published intervals, ratio bounds against a brute-force search,
coverage of known true gaps by simulation (where the old percentile bootstrap fails), and every
reported estimate inside its own CI."""

from __future__ import annotations

import itertools
from statistics import NormalDist

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference

from audit.probes.fairness.group import gap_intervals
from audit.probes.fairness.group.rates import disparities, group_counts, resampled_rates
from audit.stats import bootstrap as resample
from audit.stats import two_sided_z, wilson_bounds
from test_fairness_group import make_case, run


def wilson_by_hand(k: int, n: int, level: float) -> tuple[float, float]:
    """Roots of (k/n - p)^2 = z^2 p (1 - p) / n, the score test's acceptance boundary."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = k / n
    a, b, c = 1 + z * z / n, -(2 * p + z * z / n), p * p
    root = np.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize("k,n,level", [(0, 10, 0.95), (3, 10, 0.95), (10, 10, 0.99), (57, 200, 0.9), (1, 1, 0.95)])
def test_wilson_matches_the_closed_form_and_holds_the_estimate(k, n, level):
    lo, hi = wilson_bounds(k, n, two_sided_z(1 - level))
    want = wilson_by_hand(k, n, level)
    assert (float(lo), float(hi)) == pytest.approx(want, abs=1e-12)
    assert lo <= k / n <= hi
    assert tuple(map(float, wilson_bounds(0, 0, two_sided_z(0.05)))) == (0.0, 1.0)  # no trials: vacuous


@pytest.mark.parametrize("k,n,want", [
    ((56, 48), (70, 80), (0.0524, 0.3339)),  # Newcombe (1998) Table II, method 10: 56/70 - 48/80
    ((9, 3), (10, 10), (0.1705, 0.8090)),    # 9/10 - 3/10
    ((0, 5), (29, 56), (0.0, 0.1926)),       # 0/29 - 5/56: [-0.1926, 0.0381], folded to |d|
])
def test_two_group_gap_is_newcombes_interval_folded(k, n, want):
    assert gap_intervals.spread_bounds(k, n, 0.05) == pytest.approx(want, abs=6e-5)


def test_ratio_bounds_are_the_extremes_over_the_boxes():
    rng = np.random.default_rng(0)
    for _ in range(30):
        g = int(rng.integers(2, 5))
        ends = np.sort(rng.uniform(0, 1, size=(g, 2)) ** rng.choice([1, 3]), axis=1)
        lo, hi = ends[:, 0], ends[:, 1]
        grid = np.array(list(itertools.product(*[np.linspace(a, b, 9) for a, b in zip(lo, hi)])))
        grid = np.vstack([grid, np.clip(np.linspace(0, 1, 201)[:, None], lo, hi)])  # common points, clipped
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(grid.max(1) > 0, grid.min(1) / grid.max(1), np.nan)
        r_lo, r_hi = gap_intervals.ratio_bounds(lo, hi)
        assert np.nanmin(ratio) == pytest.approx(r_lo, abs=1e-12)
        assert r_hi - 0.01 <= np.nanmax(ratio) <= r_hi + 1e-12


RATES = {"tie": [0.3, 0.3, 0.3], "near": [0.3, 0.36, 0.38], "apart": [0.15, 0.3, 0.45]}
SIZES = np.array([120, 90, 60])


def simulate(rates, reps: int, seed: int):
    """``reps`` datasets of three groups with selection rates ``rates``; y_true ignored (DP only)."""
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(3), SIZES)
    for _ in range(reps):
        pred = (rng.random(codes.size) < np.asarray(rates)[codes]).astype(int)
        yield codes, pred


def counts_of(codes, pred):
    sel = np.bincount(codes, weights=pred, minlength=3)
    n = np.bincount(codes, minlength=3).astype(float)
    return {("selection_rate", 1): (sel, n), "accuracy": (n, n)}


@pytest.mark.parametrize("case", list(RATES))
def test_coverage_of_the_true_gap_and_ratio(case):
    rates = np.array(RATES[case])
    true_gap, true_ratio = rates.max() - rates.min(), rates.min() / rates.max()
    hits_gap = hits_ratio = 0
    reps = 300
    for codes, pred in simulate(rates, reps, seed=1):
        counts = counts_of(codes, pred)
        lo, hi = gap_intervals.interval("demographic_parity_difference", [(counts, [1])], 0.95)
        hits_gap += lo <= true_gap <= hi
        lo, hi = gap_intervals.interval("demographic_parity_ratio", [(counts, [1])], 0.95)
        hits_ratio += lo <= true_ratio <= hi
    assert hits_gap / reps >= 0.93 and hits_ratio / reps >= 0.93


def test_coverage_of_a_true_equalized_odds_tie():
    rng = np.random.default_rng(2)
    codes = np.repeat(np.arange(3), SIZES)
    hits, reps = 0, 300
    for _ in range(reps):  # TPR 0.8 and FPR 0.1 in every group: the true gap is 0
        y = (rng.random(codes.size) < 0.4).astype(int)
        pred = (rng.random(codes.size) < np.where(y == 1, 0.8, 0.1)).astype(int)
        counts = group_counts(y, pred, codes, 3, 2, [1])
        hits += gap_intervals.interval("equalized_odds_difference", [(counts, [1])], 0.95)[0] == 0
    assert hits / reps >= 0.93


def percentile_coverage(rates, reps: int, resamples: int, seed: int) -> float:
    """The old method: percentile bootstrap of max - min over resampled rows."""
    rates = np.array(rates)
    hits = 0
    for i, (codes, pred) in enumerate(simulate(rates, reps, seed)):
        boot = []
        for idx in resample.draws(codes.size, resamples, seed + i):
            r = resampled_rates(pred, pred, codes, 3, 2, [1], idx)
            boot.append(disparities(r, [1])["demographic_parity_difference"]["value"])
        lo, hi = resample.interval(np.concatenate(boot), 0.95)
        hits += lo <= rates.max() - rates.min() <= hi
    return hits / reps


def test_the_old_percentile_bootstrap_misses_a_true_tie():
    assert percentile_coverage(RATES["tie"], reps=60, resamples=200, seed=3) < 0.5  # why the method changed


CASES = [dict(k=2, seed=0), dict(k=2, seed=5, min_support=5), dict(k=3, seed=1), dict(k=3, seed=7, min_support=5),
         dict(k=2, seed=11, n=120, min_support=8)]


def inside(value, ci) -> bool:
    return ci is None or value is None or ci[0] - 1e-12 <= value <= ci[1] + 1e-12


def walk(node, path=""):
    """Every ``{"value", "ci"}`` pair in the details, with where it is."""
    if isinstance(node, dict):
        if "value" in node and "ci" in node:
            yield path, node["value"], node["ci"]
        for key, child in node.items():
            yield from walk(child, f"{path}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from walk(child, f"{path}[{i}]")


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_every_estimate_lies_in_its_ci(case):
    case = dict(case)
    k, seed, n, min_support = case.pop("k"), case.pop("seed"), case.pop("n", 400), case.pop("min_support", 30)
    data, model, y, pred, gender, religion = make_case(k=k, n=n, seed=seed)
    res = run(data, model, seed=seed, min_support=min_support, intersections=("gender&religion",))
    with_ci = [(name, m) for name, m in res.metrics.items() if m.ci is not None]
    assert len(with_ci) > 10
    outside = [(name, m.value, m.ci) for name, m in with_ci if not inside(m.value, m.ci)]
    outside += [(path, v, ci) for path, v, ci in walk(res.details) if not inside(v, ci)]
    assert outside == []
    if k == 2:  # point values: fairlearn on the same predictions
        yt, yp = (y == 1).astype(int), (pred == 1).astype(int)
        m = res.metrics
        for name, fn in [("demographic_parity_difference", demographic_parity_difference),
                         ("demographic_parity_ratio", demographic_parity_ratio),
                         ("equalized_odds_difference", equalized_odds_difference)]:
            assert m[f"{name}/gender"].value == pytest.approx(fn(yt, yp, sensitive_features=gender))


def test_headline_interval_is_joint_over_attributes():
    data, model, *_ = make_case(k=3, seed=2)
    res = run(data, model)
    m = res.metrics
    head = m["max_equalized_odds_difference"]
    parts = [m[f"equalized_odds_difference/{a}"] for a in ("gender", "religion")]
    assert head.value == max(p.value for p in parts)
    assert head.ci[1] > max(p.ci[1] for p in parts)  # wider: Bonferroni over both attributes
    ratio = m["min_demographic_parity_ratio"]
    assert ratio.ci[0] < min(m[f"demographic_parity_ratio/{a}"].ci[0] for a in ("gender", "religion"))
    assert res.details["ci_method"]["disparities"] == gap_intervals.METHOD
