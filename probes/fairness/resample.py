"""Seeded bootstrap draws shared by the fairness probes, vectorised over resamples.

Draws are made exactly as :func:`audit.stats.bootstrap_ci` makes them (one generator, chunks
of at most ``max_cells`` indices), so a statistic resampled here with a seed sees the same rows
it would see there. A cluster bootstrap (texts with their counterfactuals, template sets with
their cases) resamples per-cluster sums and turns them into ratios of sums.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

MAX_CELLS = 4_000_000


def draws(n: int, resamples: int, seed: int, max_cells: int = MAX_CELLS) -> Iterator[np.ndarray]:
    """(b, n) arrays of row indices, ``resamples`` rows in all."""
    rng = np.random.default_rng(seed)
    chunk = max(1, max_cells // max(n, 1))
    done = 0
    while done < resamples and n > 0:
        b = min(chunk, resamples - done)
        yield rng.integers(0, n, size=(b, n))
        done += b


def row_counts(idx: np.ndarray, n: int) -> np.ndarray:
    """How often each of ``n`` rows was drawn in each resample: (b, n)."""
    b = idx.shape[0]
    return np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n)


def sample(statistic: Callable[[np.ndarray], np.ndarray], n: int, resamples: int, seed: int) -> np.ndarray:
    """``statistic(idx)`` -> (b, ...) over every draw, stacked: (resamples, ...)."""
    parts = [statistic(idx) for idx in draws(n, resamples, seed)]
    return np.concatenate(parts) if parts else np.zeros((0,))


def ratio_samples(num: np.ndarray, den: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Cluster bootstrap of ``sum(num) / sum(den)`` per column; ``num``, ``den``: (clusters, m).

    NaN where a resample holds no denominator (the ratio is undefined there)."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    both = np.hstack([num, den])
    m = num.shape[1]

    def stat(idx: np.ndarray) -> np.ndarray:
        sums = row_counts(idx, both.shape[0]) @ both
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sums[:, m:] > 0, sums[:, :m] / np.where(sums[:, m:] > 0, sums[:, m:], 1), np.nan)

    out = sample(stat, num.shape[0], resamples, seed)
    return out.reshape(-1, m)


def interval(samples: np.ndarray, confidence: float) -> tuple[float, float] | None:
    """Percentile interval of the finite values of ``samples`` (None when there are none)."""
    values = np.asarray(samples, float)
    values = values[np.isfinite(values)]
    if values.size < 2:
        return None
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(values, [alpha, 1 - alpha])
    return float(lo), float(hi)


def intervals(samples: np.ndarray, confidence: float) -> list[tuple[float, float] | None]:
    """:func:`interval` of each column of ``samples`` (B, m)."""
    return [interval(samples[:, j], confidence) for j in range(samples.shape[1])]
