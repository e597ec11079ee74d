"""Stability ranks do not depend on the last bits of a score: two words whose erasure changes the
prediction by the same amount (up to rounding, which depends on the CPU's summation order) are
tied, so the Spearman correlation is the same on every machine."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata, spearmanr

from audit.probes.explain.stability import ranks, spearman


def test_rounding_noise_does_not_reorder_tied_scores():
    rng = np.random.default_rng(0)
    base = np.array([0.031, 0.0, 0.012, 0.031, 0.0, -0.004, 0.012, 0.2])
    other = np.array([0.02, 0.001, 0.012, 0.03, 0.0, -0.01, 0.011, 0.1])
    want = spearman(base, other)
    for _ in range(200):
        jitter = base * (1 + rng.uniform(-1e-13, 1e-13, base.shape)) + rng.uniform(-1e-17, 1e-17, base.shape)
        assert np.array_equal(ranks(jitter), rankdata(base))
        assert spearman(jitter, other) == want
    np.testing.assert_allclose(want, spearmanr(base, other).statistic, atol=1e-12)


def test_distinct_scores_keep_distinct_ranks():
    x = np.array([1e-6, 2e-6, 3e-6, 0.5])
    assert list(ranks(x)) == [1, 2, 3, 4]
