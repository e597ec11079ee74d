"""The bootstrap helpers the noise probe adds to audit.stats: resampled means by matrix product,
and the paired difference, checked against the gather-based bootstrap_ci."""

from __future__ import annotations

import numpy as np
import pytest

from audit import stats


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
