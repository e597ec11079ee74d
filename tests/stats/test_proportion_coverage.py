"""The interval probes report for a share (``stats.proportion_interval``: Clopper-Pearson) holds the true rate
at least 93% of the time at nominal 95%, by seeded simulation over n and p, and always at p = 0 and p = 1
(where a percentile bootstrap collapses to a point); checked against statsmodels' exact interval.
``bench/bench_coverage.py`` prints the table, with Wilson's and the bootstrap's beside it."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from audit.stats import EXACT, clopper_pearson_bounds, proportion_interval

NS = (5, 10, 20, 35, 50, 100, 400)
PS = (0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 0.99)
DRAWS = 40000


def _coverage(n: int, p: float, seed: int) -> float:
    lo, hi = clopper_pearson_bounds(np.arange(n + 1), n, 0.95)
    k = np.random.default_rng(seed).binomial(n, p, size=DRAWS)
    return float(np.mean((lo[k] <= p) & (p <= hi[k])))


def test_coverage_is_at_least_093_at_every_n_and_p():
    table = {(n, p): _coverage(n, p, seed=n * 100 + j) for n in NS for j, p in enumerate(PS)}
    low = {cell: c for cell, c in table.items() if c < 0.93}
    assert not low, f"coverage below 0.93: {low}"


@pytest.mark.parametrize("n", NS)
def test_zero_and_all_always_hold_the_truth_and_never_collapse(n):
    lo, hi = clopper_pearson_bounds(np.array([0, n]), n, 0.95)
    assert lo[0] == 0.0 < hi[0] and lo[1] < hi[1] == 1.0  # holds p=0 (and p=1) for every sample, with width
    assert hi[0] == pytest.approx(1 - 0.025 ** (1 / n))  # the exact upper bound of 0 of n


def test_equals_statsmodels_exact_interval():
    for n in (1, 2, 7, 35, 263, 1000):
        k = np.arange(n + 1)
        lo, hi = clopper_pearson_bounds(k, n, 0.9)
        sm_lo, sm_hi = proportion_confint(k, n, alpha=0.1, method="beta")
        np.testing.assert_allclose(lo, np.nan_to_num(sm_lo, nan=0.0), rtol=0, atol=1e-12)
        np.testing.assert_allclose(hi, np.nan_to_num(sm_hi, nan=1.0), rtol=0, atol=1e-12)


def test_scalar_form_and_edges():
    assert EXACT == "clopper-pearson"
    lo, hi = proportion_interval(0, 35)
    assert lo == 0.0 and hi == pytest.approx(0.1000, abs=1e-4)  # Wilson's 0.0989 covers less at other counts
    assert proportion_interval(0, 0) is None
    assert proportion_interval(35, 35) == (pytest.approx(0.9, abs=1e-4), 1.0)
