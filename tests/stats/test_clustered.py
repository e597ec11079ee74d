"""Clustered rates: the design effect equals the linearised variance over the binomial one; the Korn-Graubard
interval covers at its level on clustered data and never collapses at 0 or n; the Rao-Scott test equals
scipy's chi-square on independent trials and holds its level on clustered ones."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from audit.stats import clopper_pearson_bounds, clustered
from audit.stats.validation import StatsInputError


def test_design_effect_is_the_ratio_variance_over_the_binomial_one():
    rng = np.random.default_rng(0)
    m = rng.integers(1, 9, size=80).astype(float)
    y = rng.binomial(m.astype(int), rng.beta(2, 3, size=80)).astype(float)
    p = y.sum() / m.sum()
    c = len(m)
    # the variance of a ratio estimator by the textbook linearisation (Cochran 1977, 6.13), written out
    z = y - p * m
    v = c / (c - 1) * np.sum((z - z.mean()) ** 2 + z.mean() ** 2 * 0) / m.sum() ** 2
    direct = v / (p * (1 - p) / m.sum())
    assert clustered.design_effect(y, m) == pytest.approx(max(1.0, direct), rel=0.02)
    assert clustered.design_effect(y, m) > 1.2  # beta-binomial clusters are overdispersed


def test_independent_trials_have_no_design_effect_and_the_interval_is_clopper_pearson():
    """One trial per cluster: no design effect beyond c / (c - 1), and the interval is Clopper-Pearson at n times Korn and
    Graubard's degrees-of-freedom factor (z / t_{n-1})^2, written out here with scipy.stats."""
    from scipy.stats import norm, t

    y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0] * 5, float)
    m = np.ones_like(y)
    deff = clustered.design_effect(y, m)
    assert deff == pytest.approx(50 / 49)  # the variance estimate's small-sample factor c / (c - 1), nothing else
    factor = (norm.ppf(0.975) / t.ppf(0.975, len(y) - 1)) ** 2 / deff
    assert clustered.df_factor(len(y), 0.95) / deff == pytest.approx(factor)
    lo, hi = clopper_pearson_bounds(y.sum() * factor, m.sum() * factor)
    assert clustered.clustered_interval(y, m) == pytest.approx((float(lo), float(hi)))


def test_no_successes_count_each_cluster_once():
    """0 flips in 35 examples of 45 cells each reads at least as wide as "0 of 35" (Clopper-Pearson's upper
    end 0.100), never "0 of 1,575" (0.0023)."""
    y, m = np.zeros(35), np.full(35, 45.0)
    assert clustered.design_effect(y, m) == pytest.approx(45.0)
    lo, hi = clustered.clustered_interval(y, m)
    assert lo == 0.0 and 0.100 <= hi <= 0.11
    lo, hi = clustered.clustered_interval(m, m)  # all successes: the mirror image
    assert hi == 1.0 and 0.89 <= lo <= 0.900
    assert clustered.clustered_interval([], []) is None


def test_few_informative_clusters_count_each_cluster_once():
    """Successes in only 3 of 40 clusters: the variance rests on too few clusters to trust, so the design effect
    is at least the mean cluster size."""
    y, m = np.zeros(40), np.full(40, 20.0)
    y[:3] = [20, 19, 20]
    assert clustered.design_effect(y, m) >= 20.0
    y[:8] = [20, 19, 20, 18, 20, 20, 17, 20]
    assert clustered.design_effect(y, m) < 20.0


def test_difference_design_effect_counts_the_discordant_trials():
    rng = np.random.default_rng(1)
    m = np.full(60, 10.0)
    clean = m * rng.integers(0, 2, 60)  # clean correctness is one value per example
    after = np.minimum(clean, rng.binomial(10, 0.7, 60))  # some correct ones break
    discordant = clean - after
    d = clean - after
    mean = d.sum() / m.sum()
    v = 60 / 59 * np.sum((d - mean * m) ** 2) / m.sum() ** 2
    spread = discordant.sum() / m.sum() - mean ** 2
    assert clustered.difference_design_effect(clean, after, discordant, m) == pytest.approx(max(1, v / (spread / m.sum())))


def test_bad_counts_are_refused():
    with pytest.raises(StatsInputError, match="between 0 and its trials"):
        clustered.design_effect([3], [2])


def _beta_binomial(rng, clusters: int, size: int, p: float, rho: float) -> tuple[np.ndarray, np.ndarray]:
    a = p * (1 - rho) / rho
    b = (1 - p) * (1 - rho) / rho
    return rng.binomial(size, rng.beta(a, b, size=clusters)).astype(float), np.full(clusters, float(size))


@pytest.mark.parametrize("p,rho,clusters", [(0.05, 0.5, 40), (0.1, 0.3, 40), (0.3, 0.1, 40), (0.05, 0.5, 20),
                                             (0.02, 0.3, 30), (0.1, 0.3, 12), (0.02, 0.05, 100)])
def test_the_interval_covers_on_clustered_data(p, rho, clusters):
    """Beta-binomial clusters (examples x 20 cells, intra-cluster correlation rho): the 95% interval covers the
    true rate in at least 93.5% of 1,000 seeded runs (2,000 runs gave 94.75% or more in every setting)."""
    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(1000):
        y, m = _beta_binomial(rng, clusters, 20, p, rho)
        lo, hi = clustered.clustered_interval(y, m)
        covered += lo <= p <= hi
    assert covered / 1000 >= 0.935


def test_a_binomial_interval_over_all_trials_would_not_cover():
    """Why the design effect is there: the same data, every trial taken as independent."""
    rng = np.random.default_rng(7)
    naive = 0
    for _ in range(1000):
        y, m = _beta_binomial(rng, 40, 20, 0.1, 0.3)
        lo, hi = clopper_pearson_bounds(y.sum(), m.sum())
        naive += lo <= 0.1 <= hi
    assert naive / 1000 < 0.8


def test_homogeneity_test_equals_scipy_on_independent_trials():
    k, n = np.array([12.0, 30.0, 21.0]), np.array([50.0, 60.0, 55.0])
    table = np.stack([k, n - k], axis=1)
    expected = chi2_contingency(table, correction=False)[1]
    assert clustered.homogeneity_test(k, n) == pytest.approx(expected)
    assert clustered.homogeneity_test([0, 0], [10, 20]) == 1.0
    assert clustered.homogeneity_test([3], [10]) is None


def test_homogeneity_test_holds_its_level_on_clustered_data():
    """Three groups with one true rate and clustered trials: the test on effective counts rejects at most ~5%
    of 1,000 seeded runs at alpha = 0.05 (the naive test on raw trials rejects far more)."""
    rng = np.random.default_rng(11)
    rejected = naive = 0
    for _ in range(1000):
        eff, raw = [], []
        for _g in range(3):
            y, m = _beta_binomial(rng, 30, 15, 0.2, 0.3)
            eff.append(clustered.effective_counts(y, m)[:2])
            raw.append((y.sum(), m.sum()))
        k, n = zip(*eff)
        rejected += clustered.homogeneity_test(k, n) <= 0.05
        k, n = zip(*raw)
        naive += clustered.homogeneity_test(k, n) <= 0.05
    assert rejected / 1000 <= 0.075
    assert naive / 1000 > 0.2
