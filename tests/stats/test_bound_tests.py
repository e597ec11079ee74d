"""One-sided tests of a value against a bound: the exact binomial tail equals scipy's binomtest and agrees with
the Clopper-Pearson interval; the interval-based p agrees with its interval; Benjamini-Hochberg's decision at q
equals statsmodels' on random families."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, norm
from statsmodels.stats.multitest import multipletests

from audit.core.errors import AuditError
from audit.stats import (
    benjamini_hochberg, benjamini_hochberg_rejects, binomial_exceeds, interval_exceeds, proportion_interval,
)


@pytest.mark.parametrize("k,n,bound", [(20, 40, 0.5), (31, 40, 0.5), (3, 10, 0.1), (0, 12, 0.3), (12, 12, 0.9),
                                       (150, 400, 0.33)])
def test_binomial_tail_is_scipys_one_sided_binomtest(k, n, bound):
    assert binomial_exceeds(k, n, bound) == pytest.approx(binomtest(k, n, bound, alternative="greater").pvalue,
                                                          rel=1e-9, abs=1e-15)


def test_binomial_tail_agrees_with_the_exact_interval():
    for n in (10, 40, 123):
        for k in range(n + 1):
            lower = proportion_interval(k, n, 0.95)[0]
            for bound in (0.2, 0.5, 0.7):
                if abs(lower - bound) > 1e-9:
                    assert (binomial_exceeds(k, n, bound) <= 0.025) == (lower > bound), (k, n, bound)


def test_binomial_edges():
    assert binomial_exceeds(0, 0, 0.5) == 1.0
    assert binomial_exceeds(5, 5, 1.0) == 1.0 and binomial_exceeds(4, 5, 1.0) == 0.0
    assert binomial_exceeds(1, 5, 0.0) == 0.0
    with pytest.raises(AuditError, match="between 0 and trials"):
        binomial_exceeds(6, 5, 0.5)
    with pytest.raises(AuditError, match="between 0 and 1"):
        binomial_exceeds(1, 5, 1.5)


def test_interval_p_is_the_normal_tail_and_agrees_with_the_interval():
    # a symmetric 95% interval 0.10 +- 0.0392 is se = 0.02: z = (0.10 - 0.02) / 0.02 = 4
    assert interval_exceeds(0.10, 0.10 - 1.959964 * 0.02, 0.02) == pytest.approx(norm.sf(4.0), rel=1e-5)
    rng = np.random.default_rng(1)
    for _ in range(200):
        value, half, bound = rng.uniform(0, 0.3), rng.uniform(0.001, 0.1), rng.uniform(0, 0.3)
        if abs(value - half - bound) > 1e-9:
            assert (interval_exceeds(value, value - half, bound) < 0.025) == (value - half > bound)
    # at 90% the lower end above the bound is p < 0.05
    assert interval_exceeds(0.1, 0.05, 0.0501, confidence=0.90) > 0.05
    assert interval_exceeds(0.1, 0.05, 0.0499, confidence=0.90) < 0.05


def test_interval_p_edges():
    assert interval_exceeds(0.01, 0.0, 0.02) > 0.5  # below the bound
    assert interval_exceeds(0.05, 0.05, 0.02) == 0.0  # no spread below, above the bound
    assert interval_exceeds(0.02, 0.02, 0.02) == 1.0
    with pytest.raises(AuditError, match="lies above the value"):
        interval_exceeds(0.1, 0.2, 0.0)
    with pytest.raises(AuditError, match="finite"):
        interval_exceeds(float("nan"), 0.0, 0.0)


def test_bh_decision_equals_statsmodels_and_the_adjusted_p():
    rng = np.random.default_rng(0)
    for m in (1, 2, 3, 5, 8, 13, 40, 100):
        for q in (0.01, 0.05, 0.2):
            p = rng.random(m) ** rng.choice([1, 3, 8])
            if m > 2:
                p[rng.integers(0, m, size=2)] = p[0]
            want = multipletests(p, alpha=q, method="fdr_bh")[0]
            got = benjamini_hochberg_rejects(p.tolist(), q)
            assert got == want.tolist(), (m, q)
            assert got == [a <= q for a in benjamini_hochberg(p.tolist())]


def test_bh_decision_keeps_none_and_checks_q():
    assert benjamini_hochberg_rejects([0.001, None, 0.04, 0.03], 0.05) == [True, None, True, True]
    assert benjamini_hochberg_rejects([], 0.05) == []
    with pytest.raises(AuditError, match="q must lie strictly between 0 and 1"):
        benjamini_hochberg_rejects([0.1], 0.0)
