"""Summaries of group AUCs over the same bootstrap resamples as the AUCs themselves.

- :func:`generalized_mean`: the power mean ``(mean_g m_g ** p) ** (1 / p)``; the Jigsaw Unintended Bias
  benchmark uses p = -5, which leans towards the worst groups (a group at AUC 0 makes it 0);
- :func:`worst`: the smallest of several statistics (groups, classes) with an interval from a simultaneous
  bootstrap band (:func:`audit.stats.bootstrap.simultaneous_band`), since the percentile interval of a
  minimum is biased downwards; a single statistic keeps its percentile interval;
- :func:`percentile`: the percentile interval of one statistic, None when resampling is off.
"""

from __future__ import annotations

import warnings

import numpy as np

from audit.stats.bootstrap import interval, simultaneous_band

POWER = -5.0  # the Jigsaw Unintended Bias benchmark's power
JIGSAW_OVERALL_WEIGHT = 0.25  # its final score: 0.25 * overall AUC + 0.75 * mean of the three generalized means


def generalized_mean(values: np.ndarray, power: float = POWER) -> np.ndarray:
    """Power mean over the last axis; NaN where any value is NaN (a resample where a group's AUC is undefined)."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.power(np.mean(np.power(v, power), axis=-1), 1.0 / power)


def percentile(samples: np.ndarray | None, confidence: float) -> list[float] | None:
    """Percentile interval of the finite ``samples`` (None without resamples); a list, as results.json holds it
    (the findings rule reads the details before they are written)."""
    ci = None if samples is None else interval(samples, confidence)
    return None if ci is None else [ci[0], ci[1]]


def worst(points: np.ndarray, samples: np.ndarray | None, confidence: float
          ) -> tuple[float | None, list[float] | None, int | None]:
    """(smallest finite point, its interval, its column) of ``points`` (m,) with ``samples`` (B, m)."""
    p = np.asarray(points, dtype=np.float64)
    defined = np.flatnonzero(np.isfinite(p))
    if defined.size == 0:
        return None, None, None
    at = int(defined[np.argmin(p[defined])])
    if samples is None:
        return float(p[at]), None, at
    if defined.size == 1:
        return float(p[at]), percentile(samples[:, at], confidence), at
    lo, hi = simultaneous_band(samples[:, defined], p[defined], confidence)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        return float(p[at]), None, at
    return float(p[at]), [float(max(0.0, lo.min())), float(min(1.0, hi.min()))], at
