"""Intervals for binomial proportions and their differences: Clopper-Pearson, Wilson, Newcombe's method 10.

* :func:`proportion_interval` is the interval every probe reports for a share of examples (accuracy, a
  flip or failure rate): Clopper-Pearson's exact interval (:func:`clopper_pearson_bounds`). Its coverage is
  at least the nominal level for every n and p; Wilson's dips to 0.90-0.92 at n=10, 35, 50 for some p
  (``bench/bench_coverage.py`` prints the table). Neither collapses to a point at 0 of n or n of n, as a
  percentile bootstrap does (0 of 35: [0, 0.100]).

* :func:`wilson_bounds` is the one Wilson score interval (no continuity correction), vectorised;
  :func:`wilson` is its scalar form for a rate and a confidence level. Both keep the observed rate
  inside the interval, and a proportion with no trials gets the vacuous [0, 1] (``wilson``: None).
* :func:`newcombe_interval` is Newcombe's square-and-add ("hybrid score", method 10) interval of a
  difference p1 - p2 from the two Wilson intervals; ``phi`` is the correlation of paired proportions
  (0 for independent ones: Newcombe 1998, Stat Med 17:873; paired: Stat Med 17:2635).
* :func:`paired_proportion_interval` applies it to two models' 0/1 correctness on the same examples.
  A percentile bootstrap is not used for accuracy: when few examples differ, and all one way, no
  resample shows the other sign and its interval is too narrow (10.7% instead of 2.5% false passes
  at a non-inferiority margin, n=500).

Numpy and the standard library only (scipy.special, lazily, for Clopper-Pearson).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from audit.stats.validation import StatsInputError, confidence_level, paired_arrays

NEWCOMBE = "newcombe-hybrid-score"
EXACT = "clopper-pearson"  # the method name probes record for their proportion intervals


def two_sided_z(alpha: float) -> float:
    """The standard normal quantile at ``1 - alpha/2`` (1.96 for alpha = 0.05)."""
    if not 0.0 < alpha < 1.0:
        raise StatsInputError(f"alpha must lie strictly between 0 and 1, got {alpha!r}; e.g. 0.05 for 95% intervals.")
    return NormalDist().inv_cdf(1 - alpha / 2)


def wilson_bounds(successes, trials, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval ``(lower, upper)`` of ``successes / trials`` (arrays or scalars) at normal quantile ``z``.

    Clipped to [0, 1] and widened, if rounding put a bound past it, to hold the observed rate; [0, 1] where
    ``trials`` is 0."""
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if not (np.isfinite(k).all() and np.isfinite(n).all() and (n >= 0).all() and ((k >= 0) & (k <= n)).all()):
        raise StatsInputError("Wilson interval: successes must be counts between 0 and trials "
                              f"(got successes={successes!r}, trials={trials!r}); pass k of n with 0 <= k <= n.")
    safe = np.where(n > 0, n, 1.0)
    p = k / safe
    zz = z * z
    denom = 1 + zz / safe
    centre = (p + zz / (2 * safe)) / denom
    half = z * np.sqrt(p * (1 - p) / safe + zz / (4 * safe * safe)) / denom
    lower = np.where(n > 0, np.clip(np.minimum(centre - half, p), 0.0, 1.0), 0.0)
    upper = np.where(n > 0, np.clip(np.maximum(centre + half, p), 0.0, 1.0), 1.0)
    return lower, upper


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Two-sided Wilson interval of ``successes / n`` at ``confidence``; None when ``n`` is 0."""
    if n <= 0:
        return None
    z = two_sided_z(1 - confidence_level(confidence, "wilson"))
    lower, upper = wilson_bounds(successes, n, z)
    return float(lower), float(upper)


def clopper_pearson_bounds(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson (exact, beta-quantile) interval ``(lower, upper)`` of ``successes / trials``, vectorised.

    Lower 0 at 0 successes, upper 1 at ``trials`` successes; [0, 1] where ``trials`` is 0."""
    from scipy.special import betaincinv

    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if not (np.isfinite(k).all() and np.isfinite(n).all() and (n >= 0).all() and ((k >= 0) & (k <= n)).all()):
        raise StatsInputError("Clopper-Pearson interval: successes must be counts between 0 and trials "
                              f"(got successes={successes!r}, trials={trials!r}); pass k of n with 0 <= k <= n.")
    alpha = 1 - confidence_level(confidence, "clopper_pearson_bounds")
    with np.errstate(all="ignore"):  # the beta parameters are 0 where a branch is not taken
        lower = np.where(k > 0, betaincinv(np.maximum(k, 1), n - k + 1, alpha / 2), 0.0)
        upper = np.where(k < n, betaincinv(k + 1, np.maximum(n - k, 1), 1 - alpha / 2), 1.0)
    p = k / np.where(n > 0, n, 1.0)
    lower = np.where(n > 0, np.clip(np.minimum(lower, p), 0.0, 1.0), 0.0)
    upper = np.where(n > 0, np.clip(np.maximum(upper, p), 0.0, 1.0), 1.0)
    return lower, upper


def proportion_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The interval probes report for ``successes`` of ``n`` examples (Clopper-Pearson); None when ``n`` is 0."""
    if n <= 0:
        return None
    lower, upper = clopper_pearson_bounds(successes, n, confidence)
    return float(lower), float(upper)


def newcombe_interval(p1, l1, u1, p2, l2, u2, phi=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of ``p1 - p2`` from each rate's Wilson interval ``[l, u]`` by square-and-add (Newcombe's method 10).

    ``phi`` is the correlation between the two estimates (0 when the samples are independent)."""
    d = p1 - p2
    lower = d - np.sqrt(np.maximum(0.0, (p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)))
    upper = d + np.sqrt(np.maximum(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)))
    return lower, upper


def _paired_phi(both: float, a_only: float, b_only: float, neither: float) -> float:
    """Newcombe's corrected phi of a 2x2 table of paired outcomes: a positive association shrunk by n/2 (not
    below 0), a negative one kept; 0 when a margin is empty."""
    n = both + a_only + b_only + neither
    margins = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither)
    if margins <= 0:
        return 0.0
    cross = both * neither - a_only * b_only
    corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
    return corrected / math.sqrt(margins)


def newcombe_paired(both: float, a_only: float, b_only: float, neither: float, confidence: float = 0.95):
    """``(diff, lower, upper)`` of the difference of two paired proportions from their 2x2 table (counts of
    examples right for both, only a, only b, neither; effective counts of clustered trials may be fractional):
    Newcombe's (1998) method 10, bounds within [-1, 1]."""
    n = both + a_only + b_only + neither
    if min(both, a_only, b_only, neither) < 0 or n == 0:
        raise StatsInputError(f"newcombe_paired: the 2x2 table needs non-negative counts and at least one example, "
                              f"got {(both, a_only, b_only, neither)}.")
    z = two_sided_z(1 - confidence_level(confidence, "newcombe_paired"))
    p1, p2 = (both + a_only) / n, (both + b_only) / n
    (l1, l2), (u1, u2) = wilson_bounds([both + a_only, both + b_only], n, z)
    lower, upper = newcombe_interval(p1, float(l1), float(u1), p2, float(l2), float(u2),
                                     _paired_phi(both, a_only, b_only, neither))
    return p1 - p2, max(-1.0, float(lower)), min(1.0, float(upper))


def paired_proportion_interval(correct_a, correct_b, confidence: float = 0.95) -> dict:
    """{"diff": mean(a) - mean(b), "ci": [lo, hi], "method", "confidence"} for 0/1 correctness of two models
    on the same examples (diff and ci None without examples).

    Checked against Fagerland, Lydersen & Laake's worked example (Cavo et al.: -0.0621, CI -0.1186 to -0.0046).
    """
    a, b = paired_arrays(correct_a, correct_b, bool, "paired_proportion_interval")
    if a.size == 0:
        return {"diff": None, "ci": None, "method": NEWCOMBE, "confidence": confidence}
    table = (int(np.sum(a & b)), int(np.sum(a & ~b)), int(np.sum(~a & b)), int(np.sum(~a & ~b)))
    diff, lower, upper = newcombe_paired(*table, confidence=confidence)
    return {"diff": float(diff), "ci": [lower, upper], "method": NEWCOMBE, "confidence": confidence}
