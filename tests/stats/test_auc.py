"""The rank-based AUC equals sklearn's roc_auc_score on the rows each resample draws (ties counted half),
per-block counts equal a brute-force pair count, and the simultaneous band holds every column's estimate."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from audit.stats import StatsInputError
from audit.stats.auc import auc, mid_counts, tie_ranks, weighted_auc
from audit.stats.bootstrap import draws, row_counts, simultaneous_band


@pytest.mark.parametrize("rounding", [None, 1, 2])  # continuous scores, and many ties
def test_weighted_auc_is_roc_auc_score_of_the_drawn_rows(rounding):
    rng = np.random.default_rng(3)
    n = 300
    y = rng.random(n) < 0.3
    s = rng.random(n) + 0.3 * y
    s = s if rounding is None else np.round(s, rounding)
    idx = next(draws(n, 40, seed=11))
    got = weighted_auc(s, y, row_counts(idx, n))
    want = [roc_auc_score(y[i], s[i]) for i in idx]
    assert got == pytest.approx(want, abs=1e-12)
    assert auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_undefined_without_positives_or_negatives():
    s = np.array([0.1, 0.4, 0.3])
    assert auc(s, np.zeros(3)) is None and auc(s, np.ones(3)) is None
    w = np.array([[1, 0, 0], [1, 1, 1]])  # the first resample drew one negative only
    y = np.array([0, 1, 1])
    got = weighted_auc(s, y, w)
    assert np.isnan(got[0]) and got[1] == pytest.approx(roc_auc_score(y, s))


def test_mid_counts_within_blocks_equal_a_pair_count():
    rng = np.random.default_rng(5)
    n = 60
    s = np.round(rng.random(n), 1)
    blocks = rng.integers(0, 4, n)
    w = rng.integers(0, 3, (3, n)).astype(float)
    got = mid_counts(tie_ranks(s), w, blocks)
    for b in range(3):
        for i in range(n):
            same = blocks == blocks[i]
            want = (w[b] * same * (s < s[i])).sum() + 0.5 * (w[b] * same * (s == s[i])).sum()
            assert got[b, i] == pytest.approx(want)
    assert mid_counts(tie_ranks(s), w)[0] == pytest.approx(
        [(w[0] * (s < x)).sum() + 0.5 * (w[0] * (s == x)).sum() for x in s])


def test_mid_counts_refuses_weights_of_another_length():
    with pytest.raises(StatsInputError, match=r"weights must be \(resamples, 3\)"):
        mid_counts(np.array([0, 1, 2]), np.ones((2, 4)))


def test_simultaneous_band_holds_every_estimate_and_is_wider_than_each_percentile_interval():
    rng = np.random.default_rng(0)
    samples = rng.normal(size=(2000, 6)) * np.array([1, 1, 2, 2, 3, 3]) + np.arange(6)
    est = np.arange(6, dtype=float)
    lo, hi = simultaneous_band(samples, est, 0.95)
    assert (lo <= est).all() and (est <= hi).all()
    p_lo, p_hi = np.quantile(samples, [0.025, 0.975], axis=0)
    assert (lo < p_lo).all() and (hi > p_hi).all()  # jointly 95%: wider than each column's own 95%
    inside = ((samples >= lo) & (samples <= hi)).all(axis=1).mean()
    assert 0.94 <= inside <= 0.96  # the band holds the whole resample 95% of the time, by construction


def test_simultaneous_band_without_resamples_of_a_column_has_no_bound():
    samples = np.column_stack([np.linspace(0, 1, 50), np.full(50, np.nan)])
    lo, hi = simultaneous_band(samples, np.array([0.5, 0.5]), 0.9)
    assert np.isfinite([lo[0], hi[0]]).all() and np.isnan([lo[1], hi[1]]).all()
