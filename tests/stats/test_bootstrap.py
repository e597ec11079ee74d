"""The seeded bootstrap: percentile intervals against scipy.stats.bootstrap (within Monte-Carlo error), every
resampler against a direct loop over the same seeded draws, chunking that never changes a result, resampled
means by matrix product, the paired difference, the cluster bootstrap of ratios, and degenerate inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from audit import stats
from audit.core.errors import AuditError
from audit.stats import bootstrap, paired_bootstrap


def test_percentile_interval_matches_scipy_bootstrap():
    rng = np.random.default_rng(0)
    x = rng.exponential(1.0, 300)  # skewed, so a percentile interval is not symmetric about the mean
    point, (lo, hi) = stats.bootstrap_ci(lambda idx: x[idx].mean(axis=1), x.size, resamples=20000,
                                         confidence=0.95, seed=1)
    ref = sps.bootstrap((x,), np.mean, n_resamples=20000, confidence_level=0.95, method="percentile",
                        random_state=np.random.default_rng(2)).confidence_interval
    se = x.std() / math.sqrt(x.size)
    assert point == x.mean()
    # two independent Monte-Carlo estimates of the same 2.5% / 97.5% quantiles: they differ by ~0.03 se
    assert lo == pytest.approx(ref.low, abs=0.15 * se) and hi == pytest.approx(ref.high, abs=0.15 * se)
    assert hi - point > point - lo  # the skew shows


def test_paired_difference_matches_scipy_paired_bootstrap():
    rng = np.random.default_rng(3)
    a = rng.normal(0.5, 1.0, 250)
    b = a + rng.normal(-0.1, 0.3, 250)  # strongly correlated with a
    point, (lo, hi) = stats.paired_bootstrap_diff(a, b, resamples=20000, confidence=0.9, seed=0)
    ref = sps.bootstrap((a, b), lambda x, y: np.mean(x - y), paired=True, vectorized=False, n_resamples=20000,
                        confidence_level=0.9, method="percentile", random_state=np.random.default_rng(1))
    se = (a - b).std() / math.sqrt(a.size)
    assert point == pytest.approx(np.mean(a - b))
    assert lo == pytest.approx(ref.confidence_interval.low, abs=0.15 * se)
    assert hi == pytest.approx(ref.confidence_interval.high, abs=0.15 * se)


def test_draws_are_one_generator_whatever_the_chunk_size():
    whole = np.concatenate(list(bootstrap.draws(37, 500, seed=4)))
    chunked = list(bootstrap.draws(37, 500, seed=4, max_cells=37 * 60))
    assert len(chunked) == 9 and all(c.shape[1] == 37 for c in chunked)
    np.testing.assert_array_equal(np.concatenate(chunked), whole)
    np.testing.assert_array_equal(whole, np.random.default_rng(4).integers(0, 37, size=(500, 37)))
    assert list(bootstrap.draws(0, 100, seed=0)) == []  # nothing to draw from


def test_ratio_samples_equal_a_direct_loop():
    rng = np.random.default_rng(5)
    num = rng.integers(0, 3, size=(40, 2)).astype(float)
    den = rng.integers(0, 4, size=(40, 2)).astype(float)
    got = bootstrap.ratio_samples(num, den, 300, seed=6)
    idx = np.random.default_rng(6).integers(0, 40, size=(300, 40))
    with np.errstate(divide="ignore", invalid="ignore"):
        want = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    want[den[idx].sum(axis=1) == 0] = np.nan
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_interval_uses_finite_values_and_needs_two():
    samples = np.array([np.nan, 1.0, 2.0, 3.0, np.inf, 4.0])
    assert bootstrap.interval(samples, 0.5) == pytest.approx(tuple(np.quantile([1, 2, 3, 4], [0.25, 0.75])))
    assert bootstrap.interval(np.array([np.nan, 1.0]), 0.95) is None
    cols = bootstrap.intervals(np.column_stack([samples, np.full(6, np.nan)]), 0.5)
    assert cols[0] == bootstrap.interval(samples, 0.5) and cols[1] is None
    with pytest.raises(AuditError, match="confidence must lie strictly between 0 and 1"):
        bootstrap.percentile_interval(samples, 95)


def test_bootstrap_reproducible_and_covers_point():
    rng = np.random.default_rng(0)
    values = rng.random(400) < 0.8
    stat = lambda idx: values[idx].mean(axis=1)  # noqa: E731
    a = stats.bootstrap_ci(stat, 400, resamples=500, confidence=0.95, seed=3)
    b = stats.bootstrap_ci(stat, 400, resamples=500, confidence=0.95, seed=3)
    c = stats.bootstrap_ci(stat, 400, resamples=500, confidence=0.95, seed=4)
    assert a == b
    assert a != c
    point, (lo, hi) = a
    assert lo < point < hi
    # the normal-approximation half-width for a proportion is close to the bootstrap one
    half = 1.96 * np.sqrt(point * (1 - point) / 400)
    assert (hi - lo) / 2 == pytest.approx(half, rel=0.2)


def test_bootstrap_chunking_does_not_change_the_result():
    values = np.random.default_rng(1).random(50)
    stat = lambda idx: values[idx].mean(axis=1)  # noqa: E731
    whole = stats.bootstrap_ci(stat, 50, resamples=300, confidence=0.9, seed=5)
    chunked = stats.bootstrap_ci(stat, 50, resamples=300, confidence=0.9, seed=5, max_cells=50 * 7)
    assert whole == chunked


def test_bootstrap_off_gives_no_interval():
    values = np.ones(10)
    assert stats.bootstrap_ci(lambda idx: values[idx].mean(axis=1), 10, resamples=0, confidence=0.95, seed=0) == (1.0, None)


def test_bootstrap_means_draws_the_rows_bootstrap_ci_draws():
    rng = np.random.default_rng(0)
    values = rng.random((300, 3))
    samples = stats.bootstrap_means(values, resamples=500, seed=11, max_cells=300 * 64)  # several chunks
    assert samples.shape == (500, 3)
    for j in range(3):
        point, ci = stats.bootstrap_ci(lambda idx: values[:, j][idx].mean(axis=1), 300, resamples=500,
                                       confidence=0.9, seed=11, max_cells=300 * 64)
        lo, hi = stats.percentile_interval(samples[:, j], 0.9)
        assert (lo, hi) == pytest.approx(ci) and point == pytest.approx(values[:, j].mean())
    flat = stats.bootstrap_means(values[:, 0], resamples=500, seed=11, max_cells=300 * 64)
    np.testing.assert_allclose(flat, samples[:, 0])


def test_paired_difference_equals_the_bootstrap_of_the_differences():
    rng = np.random.default_rng(1)
    clean = (rng.random(400) < 0.85).astype(float)
    noisy = np.where(rng.random(400) < 0.1, 1 - clean, clean)
    point, (lo, hi) = stats.paired_bootstrap_diff(clean, noisy, resamples=1000, confidence=0.95, seed=3)
    ref_point, ref_ci = stats.bootstrap_ci(lambda idx: clean[idx].mean(1) - noisy[idx].mean(1), 400,
                                           resamples=1000, confidence=0.95, seed=3)
    assert point == pytest.approx(clean.mean() - noisy.mean()) == pytest.approx(ref_point)
    assert (lo, hi) == pytest.approx(ref_ci)
    # Pairing matters: resampling the two sides independently gives a far wider interval.
    a = stats.bootstrap_means(clean, resamples=1000, seed=3)
    b = stats.bootstrap_means(noisy, resamples=1000, seed=4)
    unpaired = np.quantile(a - b, [0.025, 0.975])
    assert hi - lo < 0.75 * (unpaired[1] - unpaired[0])


def test_paired_difference_of_columns_and_degenerate_cases():
    rng = np.random.default_rng(2)
    a, b = rng.random((50, 4)), rng.random((50, 4))
    point, (lo, hi) = stats.paired_bootstrap_diff(a, b, resamples=200, confidence=0.95, seed=0)
    np.testing.assert_allclose(point, a.mean(0) - b.mean(0))
    assert lo.shape == hi.shape == (4,) and np.all(lo <= point) and np.all(point <= hi)
    assert stats.paired_bootstrap_diff(a, b, resamples=0, confidence=0.95, seed=0)[1] is None
    assert stats.paired_bootstrap_diff(a[:1], b[:1], resamples=100, confidence=0.95, seed=0)[1] is None
    same = stats.paired_bootstrap_diff(a[:, 0], a[:, 0], resamples=100, confidence=0.95, seed=0)
    assert same[0] == 0 and same[1] == (0, 0)


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
