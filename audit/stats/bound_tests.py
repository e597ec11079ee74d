"""Tests of a measured value against a fixed bound ("is the drop more than 2 points?"), one-sided.

* :func:`binomial_exceeds`: exact test that a share ``k / n`` exceeds ``bound``: the upper binomial tail
  P(X >= k) at p = bound, which is below alpha/2 exactly when the Clopper-Pearson interval at 1 - alpha
  lies above the bound.
* :func:`interval_exceeds`: when only a value and its interval are known (a bootstrap or score interval
  of a drop, a gap, an ECE), a normal approximation: the standard error is read off the interval's
  lower half, ``(value - lower) / z`` with z the interval's two-sided normal quantile, and p is the
  upper normal tail of ``(value - bound) / se``. It is below alpha/2 exactly when the lower end lies
  above the bound, so p and the interval never disagree; its accuracy is that of the normal shape of
  the estimate.

Both return the one-sided p of H0 "the true value is at most ``bound``". Numpy, the standard library and
(lazily) scipy.special only.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from audit.stats.proportions import two_sided_z
from audit.stats.validation import StatsInputError, confidence_level


def binomial_exceeds(successes: int, trials: int, bound: float) -> float:
    """One-sided exact p that the share ``successes / trials`` exceeds ``bound``: P(X >= successes) for
    X ~ Binomial(trials, bound). 1 without trials."""
    from scipy.special import bdtrc

    if isinstance(successes, bool) or isinstance(trials, bool) or not 0 <= successes <= trials:
        raise StatsInputError(f"binomial_exceeds: successes must be a count between 0 and trials, got {successes!r} "
                              f"of {trials!r}.")
    if not 0.0 <= bound <= 1.0:
        raise StatsInputError(f"binomial_exceeds: the bound is a share between 0 and 1, got {bound!r}.")
    if trials == 0 or successes == 0:
        return 1.0
    if bound <= 0.0:
        return 0.0
    if bound >= 1.0:
        return 1.0 if successes == trials else 0.0
    return float(min(1.0, max(0.0, bdtrc(successes - 1, trials, bound))))  # P(X > k - 1)


def interval_exceeds(value: float, lower: float, bound: float, confidence: float = 0.95) -> float:
    """One-sided p that the true value exceeds ``bound``, from the estimate and the lower end of its two-sided
    interval at ``confidence`` under a normal approximation (see the module notes). An interval whose lower end
    is the value itself (no spread below) gives 0 above the bound and 1 at or below it."""
    level = confidence_level(confidence, "interval_exceeds")
    if not all(math.isfinite(x) for x in (value, lower, bound)):
        raise StatsInputError("interval_exceeds needs finite numbers: the value, the interval's lower end and the bound.")
    if lower > value + 1e-12:
        raise StatsInputError(f"interval_exceeds: the interval's lower end {lower!r} lies above the value {value!r}.")
    spread = value - lower
    if spread <= 0.0:
        return 0.0 if value > bound else 1.0
    se = spread / two_sided_z(1 - level)
    return float(1.0 - NormalDist().cdf((value - bound) / se))
