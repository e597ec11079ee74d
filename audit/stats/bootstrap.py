"""Seeded, vectorised bootstrap: index draws, percentile intervals, resampled means, paired differences.

Every resampler here draws its rows through :func:`draws` (one ``default_rng(seed)``, chunks of at most
``max_cells`` indices so memory stays bounded), so a statistic resampled with a seed sees the same rows
whichever function resamples it, and the chunk size never changes the result. A cluster bootstrap
(:func:`ratio_samples`: texts with their counterfactuals, template sets with their cases) resamples
per-cluster sums and turns them into ratios of sums.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import numpy as np

from audit.stats.validation import StatsInputError, confidence_level, paired_arrays

MAX_CELLS = 4_000_000


def draws(n: int, resamples: int, seed: int, max_cells: int = MAX_CELLS) -> Iterator[np.ndarray]:
    """(b, n) arrays of row indices, ``resamples`` rows in all (none when ``n`` is 0)."""
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


def sample(statistic: Callable[[np.ndarray], np.ndarray], n: int, resamples: int, seed: int,
           max_cells: int = MAX_CELLS) -> np.ndarray:
    """``statistic(idx)`` -> (b, ...) over every draw, stacked: (resamples, ...)."""
    parts = [statistic(idx) for idx in draws(n, resamples, seed, max_cells)]
    return np.concatenate(parts) if parts else np.zeros((0,))


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) percentile bounds of bootstrap ``samples`` (B, ...) along the first axis."""
    alpha = (1 - confidence_level(confidence, "percentile_interval")) / 2
    lo, hi = np.quantile(samples, [alpha, 1 - alpha], axis=0)
    return lo, hi


def interval(samples: np.ndarray, confidence: float, at_least: int = 2) -> tuple[float, float] | None:
    """Percentile interval of the finite values of ``samples`` (None with fewer than ``at_least`` of them)."""
    values = np.asarray(samples, float).ravel()
    values = values[np.isfinite(values)]
    if values.size < max(at_least, 1):
        return None
    lo, hi = percentile_interval(values, confidence)
    return float(lo), float(hi)


def intervals(samples: np.ndarray, confidence: float) -> list[tuple[float, float] | None]:
    """:func:`interval` of each column of ``samples`` (B, m)."""
    return [interval(samples[:, j], confidence) for j in range(samples.shape[1])]


def bootstrap_ci(statistic: Callable[[np.ndarray], np.ndarray], n: int, *, resamples: int, confidence: float,
                 seed: int, max_cells: int = MAX_CELLS) -> tuple[float, tuple[float, float] | None]:
    """Point estimate and percentile CI of ``statistic(idx) -> (B,)`` over seeded resamples of ``n`` rows.

    ``idx`` is a (B, n) array of row indices; the point estimate is ``statistic`` of ``arange(n)``. No
    interval when ``resamples`` is 0, with fewer than two rows, or when no resample gives a finite value.
    """
    point = float(statistic(np.arange(n)[None, :])[0])
    if resamples <= 0 or n < 2:
        return point, None
    return point, interval(sample(statistic, n, resamples, seed, max_cells), confidence, at_least=1)


def bootstrap_means(values: np.ndarray, *, resamples: int, seed: int, max_cells: int = MAX_CELLS) -> np.ndarray:
    """Means of each column of ``values`` ((n,) or (n, m)) over seeded resamples of its rows: (B,) or (B, m).

    The rows drawn are those :func:`bootstrap_ci` draws with the same seed; each resample becomes a vector of
    row counts, so all columns are averaged with one matrix product (hundreds of metrics cost about as much
    as one)."""
    v = np.asarray(values, dtype=np.float64)
    flat = v.ndim == 1
    v = v.reshape(v.shape[0], -1)
    n = v.shape[0]
    out = [np.zeros((0, v.shape[1]))]
    out += [row_counts(idx, n) @ v / n for idx in draws(n, resamples, seed, max_cells)]
    samples = np.concatenate(out)
    return samples[:, 0] if flat else samples


def ratio_samples(num: np.ndarray, den: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Cluster bootstrap of ``sum(num) / sum(den)`` per column; ``num``, ``den``: (clusters, m) -> (B, m).

    NaN where a resample holds no denominator (the ratio is undefined there)."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    both = np.hstack([num, den])
    m = num.shape[1]

    def stat(idx: np.ndarray) -> np.ndarray:
        sums = row_counts(idx, both.shape[0]) @ both
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sums[:, m:] > 0, sums[:, :m] / np.where(sums[:, m:] > 0, sums[:, m:], 1), np.nan)

    return sample(stat, num.shape[0], resamples, seed).reshape(-1, m)


def paired_bootstrap_diff(a: np.ndarray, b: np.ndarray, *, resamples: int, confidence: float, seed: int):
    """``mean(a) - mean(b)`` for paired per-example values, with a percentile CI.

    ``a`` and ``b`` are (n,) or (n, m) values of the same examples (clean and perturbed correctness, or two
    models on one test set). Each resample draws the examples once for both sides, so the interval reflects
    only the difference; resampling the sides separately would ignore their correlation and give a far wider
    interval. Returns ``(point, (lo, hi))`` (floats, or arrays of m for 2-D input), with ``None`` for the
    interval when ``resamples`` is 0 or there are fewer than two examples.
    """
    x, y = paired_arrays(a, b, np.float64, "paired_bootstrap_diff")
    diff = x - y
    point = diff.mean(axis=0)
    if resamples <= 0 or diff.shape[0] < 2:
        return point, None
    return point, percentile_interval(bootstrap_means(diff, resamples=resamples, seed=seed), confidence)


def paired_bootstrap(values_a, values_b, *, resamples: int = 10000, confidence: float = 0.95, seed: int = 0) -> dict:
    """{"diff": mean(a)-mean(b), "ci": [lo, hi], "resamples", "confidence", "method"}: :func:`paired_bootstrap_diff`
    of continuous per-example values (Brier, log loss) as a results-document entry. Use
    :func:`audit.stats.proportions.paired_proportion_interval` for 0/1 correctness."""
    a, b = paired_arrays(values_a, values_b, np.float64, "paired_bootstrap")
    out = {"diff": None, "ci": None, "resamples": resamples, "confidence": confidence, "method": "paired-bootstrap"}
    if a.size == 0:
        return out
    point, ci = paired_bootstrap_diff(a, b, resamples=resamples, confidence=confidence, seed=seed)
    out.update(diff=float(point), ci=None if ci is None else [float(ci[0]), float(ci[1])])
    return out


def simultaneous_band(samples: np.ndarray, estimates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Intervals for every column of ``samples`` (B, m) that hold together at ``confidence``: the sup-t band
    ``estimate ± q * se``, with ``se`` each column's bootstrap standard deviation and ``q`` the ``confidence``
    quantile over resamples of the largest standardised deviation ``max_j |sample_j - estimate_j| / se_j``
    (Montiel Olea and Plagborg-Moller 2019). NaN samples (a statistic undefined in a resample) are skipped.

    Why: the worst of several statistics (the smallest group AUC) is not smooth where they tie, and the
    percentile interval of a minimum is biased downwards (it may lie wholly below the estimate). From the
    band, ``[min_j lo_j, min_j hi_j]`` covers the smallest true value whenever the band covers them all, and
    it always holds the smallest estimate. Columns without a finite estimate get NaN bounds."""
    level = confidence_level(confidence, "simultaneous_band")
    s = np.asarray(samples, dtype=np.float64)
    est = np.asarray(estimates, dtype=np.float64)
    if s.ndim != 2 or s.shape[1] != est.shape[0]:
        raise StatsInputError(f"simultaneous_band: samples must be (resamples, {est.shape[0]}), got {s.shape}.")
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column is undefined on purpose
        se = np.nanstd(s, axis=0)
        dev = np.abs(s - est) / np.where(se > 0, se, np.inf)
        worst = np.nanmax(np.where(np.isfinite(est), dev, np.nan), axis=1)
    worst = worst[np.isfinite(worst)]
    q = float(np.quantile(worst, level)) if worst.size else np.nan
    half = np.where(se > 0, q * se, np.where(np.isnan(se), np.nan, 0.0))  # no finite resample: no bound
    return est - half, est + half
