"""Tests on paired observations: McNemar, the sign-flip permutation test, the sign test.

* :func:`mcnemar`: do two models' error rates on the same examples differ? Uses only the discordant
  pairs (examples exactly one model gets right): exact binomial below 25 of them, else chi-square
  with Edwards' continuity correction.
* :func:`sign_flip_test`: is the mean of paired differences (e.g. per-example loss of a minus b) 0?
  Exact enumeration up to 16 non-zero differences, else seeded Monte Carlo. Goes with the paired
  bootstrap: when only a few examples differ, all one way, the percentile bootstrap excludes 0 where
  no test at 5% can (4 of 301: the smallest two-sided p with 4 differences is 2/2^4 = 0.125).
* :func:`sign_test`: exact two-sided sign test (ties dropped), for many pairs (counterfactual texts):
  twice the smaller binomial tail at p = 1/2, the p of ``scipy.stats.binomtest``.
"""

from __future__ import annotations

import math

import numpy as np

from audit.stats.validation import StatsInputError, paired_arrays

EXACT_BELOW = 25  # discordant pairs; below this the chi-square approximation is poor
EXACT_SIGN_FLIPS_UPTO = 16  # non-zero differences; up to here all 2^n sign vectors are enumerated (65536 rows)
TIE = 1e-12  # sign test: paired differences this small count as ties
_CHUNK_CELLS = 4_000_000  # random signs drawn per block, to bound memory whatever the number of examples


def _binom_two_sided_half(k: int, n: int) -> float:
    """Exact two-sided p of k successes in n trials at p = 1/2 (twice the smaller tail, at most 1), in integers."""
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2**n
    return min(1.0, 2.0 * tail)


def mcnemar(correct_a, correct_b) -> dict:
    """{"n", "a_only", "b_only", "statistic", "p_value", "method"} for two models' 0/1 correctness on the same
    examples: exact binomial test on the discordant pairs when a_only+b_only < 25 (statistic: the smaller
    count, as statsmodels' exact McNemar), else chi-square with continuity correction; p=1 without discordant
    pairs."""
    a, b = paired_arrays(correct_a, correct_b, bool, "mcnemar")
    a_only = int(np.sum(a & ~b))
    b_only = int(np.sum(~a & b))
    discordant = a_only + b_only
    if discordant == 0:
        return {"n": int(a.size), "a_only": 0, "b_only": 0, "statistic": 0.0, "p_value": 1.0, "method": "none"}
    if discordant < EXACT_BELOW:
        return {"n": int(a.size), "a_only": a_only, "b_only": b_only, "statistic": float(min(a_only, b_only)),
                "p_value": _binom_two_sided_half(a_only, discordant), "method": "exact-binomial"}
    # Edwards' correction; max(0, .) so that |b - c| = 0 gives 0, not 1/(b + c)
    stat = max(0, abs(a_only - b_only) - 1) ** 2 / discordant
    p = math.erfc(math.sqrt(stat / 2))  # chi-square survival function with 1 degree of freedom
    return {"n": int(a.size), "a_only": a_only, "b_only": b_only, "statistic": float(stat), "p_value": float(p),
            "method": "chi2-continuity"}


def sign_flip_test(diffs, *, resamples: int = 10000, seed: int = 0) -> dict:
    """{"p_value", "n_nonzero", "method", "resamples"}: paired permutation (sign-flip) test that the mean of the
    per-example differences ``diffs`` is 0, two-sided.

    Under the null each difference is as likely to have either sign, so p is the share of sign vectors whose
    |sum| is at least the observed |sum|. Zero differences cannot change the sum and are dropped. With at most
    16 non-zero differences all 2^n sign vectors are enumerated ("exact-sign-flip"); with more, ``resamples``
    seeded random sign vectors are drawn and p = (1 + hits) / (1 + resamples) ("monte-carlo-sign-flip"). No
    non-zero difference: p = 1, method "none".
    """
    d = np.asarray(diffs, dtype=np.float64).ravel()
    if not np.isfinite(d).all():
        raise StatsInputError("sign_flip_test needs finite differences; drop or fix the NaN/inf values first.")
    d = d[d != 0.0]
    n = int(d.size)
    if n == 0:
        return {"p_value": 1.0, "n_nonzero": 0, "method": "none", "resamples": 0}
    observed = abs(float(d.sum()))
    tol = 1e-9 * float(np.abs(d).sum())  # sums equal to the observed one up to rounding count as extreme
    if n <= EXACT_SIGN_FLIPS_UPTO:
        bits = (np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n, dtype=np.int64)) & 1
        sums = (1 - 2 * bits).astype(np.float64) @ d
        hits = int(np.count_nonzero(np.abs(sums) >= observed - tol))
        return {"p_value": hits / 2**n, "n_nonzero": n, "method": "exact-sign-flip", "resamples": 2**n}
    rng = np.random.default_rng(seed)
    hits, done = 0, 0
    chunk = max(1, _CHUNK_CELLS // n)
    while done < resamples:
        size = min(chunk, resamples - done)
        signs = 1.0 - 2.0 * rng.integers(0, 2, size=(size, n), dtype=np.int8)
        hits += int(np.count_nonzero(np.abs(signs @ d) >= observed - tol))
        done += size
    return {"p_value": (1 + hits) / (1 + resamples), "n_nonzero": n, "method": "monte-carlo-sign-flip",
            "resamples": int(resamples)}


def sign_test(diffs, tie: float = TIE) -> tuple[int, int, float]:
    """(#positive, #negative, two-sided exact p) of paired differences, |d| <= ``tie`` dropped; p = 1 without
    non-ties. ``scipy.special.bdtr`` gives the binomial tail without importing scipy.stats."""
    from scipy.special import bdtr

    d = np.asarray(diffs, float)
    pos, neg = int((d > tie).sum()), int((d < -tie).sum())
    if pos + neg == 0:
        return pos, neg, 1.0
    return pos, neg, float(min(1.0, 2 * bdtr(min(pos, neg), pos + neg, 0.5)))
