"""Classification metrics from label and probability arrays, vectorised over bootstrap resamples.

``confusion_batch`` and ``ece_batch`` take a (B, n) array ``idx`` of row indices (row 0 can be
``arange(n)`` for the point estimate) and the ``*_from_cm`` functions the resulting (B, k, k) batch:
one ``bincount`` builds the confusion matrices of all resamples, so a 1,000-resample bootstrap of F1
or ECE takes milliseconds. Per-example
losses (Brier, log loss) are what the paired comparisons of two models difference. Point estimates equal
scikit-learn's (tests check them).
"""

from __future__ import annotations

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
    """Support-weighted F1 (sklearn's average="weighted"); 0 for a batch row without examples."""
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
    """Minus the log of the gold class's probability, clipped at ``EPS`` as scikit-learn clips it."""
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
