"""Classification metrics computed from arrays, vectorised over bootstrap resamples.

Every function takes a batch of resamples at once: ``idx`` is a (B, n) array of row indices
(row 0 can be ``arange(n)`` for the point estimate). Computing confusion matrices for all
resamples with one ``bincount`` keeps a 1,000-resample bootstrap to milliseconds.
Tests check every point estimate against scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-15


def confusion_batch(y_true: np.ndarray, y_pred: np.ndarray, k: int, idx: np.ndarray) -> np.ndarray:
    """Confusion matrices (B, k, k), rows = gold, columns = predicted, one per row of ``idx``."""
    b = idx.shape[0]
    codes = y_true[idx] * k + y_pred[idx] + (np.arange(b) * k * k)[:, None]
    return np.bincount(codes.ravel(), minlength=b * k * k).reshape(b, k, k)


def prf_from_cm(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 and support (each (B, k)); 0 where undefined, as sklearn's zero_division=0."""
    tp = np.diagonal(cm, axis1=1, axis2=2).astype(float)
    predicted = cm.sum(axis=1).astype(float)
    support = cm.sum(axis=2).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        denom = precision + recall
        f1 = np.where(denom > 0, 2 * precision * recall / np.where(denom > 0, denom, 1), 0.0)
    return precision, recall, f1, support


def f1_macro_from_cm(cm: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Macro F1 over the classes in ``present`` (those with gold or predicted examples overall)."""
    _, _, f1, _ = prf_from_cm(cm)
    return f1[:, present].mean(axis=1)


def f1_weighted_from_cm(cm: np.ndarray) -> np.ndarray:
    _, _, f1, support = prf_from_cm(cm)
    total = support.sum(axis=1)
    return (f1 * support).sum(axis=1) / np.where(total > 0, total, 1)


def brier_per_example(proba: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Squared error to the one-hot gold label; halved for two classes, as scikit-learn does."""
    k = proba.shape[1]
    onehot = np.eye(k)[y_true]
    per = ((proba - onehot) ** 2).sum(axis=1)
    return per / 2 if k == 2 else per


def log_loss_per_example(proba: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    p = np.clip(proba[np.arange(len(y_true)), y_true], EPS, 1.0)
    return -np.log(p)


def calibration_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int) -> list[dict]:
    """Equal-width reliability bins over top-class confidence (the right edge of the last bin closed)."""
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    out = []
    for b in range(n_bins):
        mask = bins == b
        count = int(mask.sum())
        out.append(
            {
                "lower": b / n_bins,
                "upper": (b + 1) / n_bins,
                "count": count,
                "mean_confidence": float(confidence[mask].mean()) if count else None,
                "accuracy": float(correct[mask].mean()) if count else None,
            }
        )
    return out


def ece_batch(confidence: np.ndarray, correct: np.ndarray, n_bins: int, idx: np.ndarray) -> np.ndarray:
    """Expected calibration error, sum over bins of |accuracy - confidence| x share, per resample."""
    b, n = idx.shape
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    codes = (bins[idx] + (np.arange(b) * n_bins)[:, None]).ravel()
    size = b * n_bins
    conf_sum = np.bincount(codes, weights=confidence[idx].ravel(), minlength=size)
    corr_sum = np.bincount(codes, weights=correct[idx].ravel().astype(float), minlength=size)
    gap = np.abs(corr_sum - conf_sum).reshape(b, n_bins)  # |sum(correct) - sum(conf)| per bin
    return gap.sum(axis=1) / n


def bootstrap_ci(
    statistic: Callable[[np.ndarray], np.ndarray],
    n: int,
    *,
    resamples: int,
    confidence: float,
    seed: int,
    max_cells: int = 4_000_000,
) -> tuple[float, tuple[float, float] | None]:
    """Point estimate and percentile CI of ``statistic(idx) -> (B,)`` over seeded resamples.

    Resamples are drawn in chunks of at most ``max_cells`` indices so memory stays bounded on
    large datasets; the chunks come from one generator, so the result depends only on the seed.
    """
    point = float(statistic(np.arange(n)[None, :])[0])
    if resamples <= 0 or n < 2:
        return point, None
    rng = np.random.default_rng(seed)
    chunk = max(1, max_cells // n)
    values = []
    done = 0
    while done < resamples:
        b = min(chunk, resamples - done)
        values.append(statistic(rng.integers(0, n, size=(b, n))))
        done += b
    stats = np.concatenate(values)
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return point, None
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return point, (float(lo), float(hi))



def bootstrap_means(values: np.ndarray, *, resamples: int, seed: int, max_cells: int = 4_000_000) -> np.ndarray:
    """Means of each column of ``values`` ((n,) or (n, m)) over seeded resamples of its rows.

    Returns (B,) or (B, m). The rows drawn are those :func:`bootstrap_ci` draws with the same
    seed; each resample becomes a vector of row counts, so all columns are averaged with one
    matrix product (hundreds of metrics cost about as much as one).
    """
    v = np.asarray(values, dtype=np.float64)
    flat = v.ndim == 1
    v = v.reshape(v.shape[0], -1)
    n = v.shape[0]
    rng = np.random.default_rng(seed)
    chunk = max(1, max_cells // max(n, 1))
    out = [np.zeros((0, v.shape[1]))]
    done = 0
    while done < resamples and n > 0:
        b = min(chunk, resamples - done)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        out.append(counts @ v / n)
        done += b
    samples = np.concatenate(out)
    return samples[:, 0] if flat else samples


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) percentile bounds of bootstrap ``samples`` (B, ...) along the first axis."""
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(samples, [alpha, 1 - alpha], axis=0)
    return lo, hi


def paired_bootstrap_diff(a: np.ndarray, b: np.ndarray, *, resamples: int, confidence: float, seed: int):
    """``mean(a) - mean(b)`` for paired per-example values, with a percentile CI.

    ``a`` and ``b`` are (n,) or (n, m) values of the same examples (clean and perturbed
    correctness, or two models on one test set). Each resample draws the examples once for
    both sides, so the interval reflects only the difference; resampling the sides separately
    would ignore their correlation and give a far wider interval. Returns ``(point, (lo, hi))``
    (floats, or arrays of m for 2-D input), with ``None`` for the interval when
    ``resamples`` is 0 or there are fewer than two examples.
    """
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    point = diff.mean(axis=0)
    if resamples <= 0 or diff.shape[0] < 2:
        return point, None
    lo, hi = percentile_interval(bootstrap_means(diff, resamples=resamples, seed=seed), confidence)
    return point, (lo, hi)
