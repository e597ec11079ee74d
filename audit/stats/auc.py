"""ROC AUC as the Mann-Whitney statistic, for weighted rows and many bootstrap resamples at once.

AUC is the chance that a positive scores above a negative, ties counted half. A resample is a vector
of row weights (how often each row was drawn), so one resample's AUC is

    sum_{i pos, j neg} w_i w_j ([s_i > s_j] + [s_i = s_j] / 2) / (sum_pos w * sum_neg w),

which is exactly ``sklearn.metrics.roc_auc_score`` on the drawn rows. :func:`mid_counts` gives, for every
row, the weight of the rows scored below it plus half the weight of its ties, from one sort of the
scores and a cumulative sum per resample: no loop over resamples, no pairs. ``blocks`` restricts the
count to rows of the same block (a subgroup), which is what subgroup AUCs need.
"""

from __future__ import annotations

import numpy as np

from audit.stats.validation import StatsInputError


def tie_ranks(scores: np.ndarray) -> np.ndarray:
    """Dense ranks of ``scores`` (0 for the lowest; equal scores share a rank)."""
    return np.unique(np.asarray(scores, dtype=np.float64), return_inverse=True)[1].reshape(-1)


def _cells(keys: np.ndarray, blocks: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """(cell of each row, first cell of each cell's block): cells are the distinct (block, key) pairs in order."""
    if blocks is None:
        return keys, None
    span = int(keys.max()) + 1 if keys.size else 1
    combined = np.asarray(blocks, dtype=np.int64) * span + keys
    distinct, cell = np.unique(combined, return_inverse=True)
    block_of = distinct // span
    first = np.searchsorted(block_of, block_of, side="left")  # index of the block's first cell
    return cell.reshape(-1), first


def mid_counts(keys: np.ndarray, weights: np.ndarray, blocks: np.ndarray | None = None) -> np.ndarray:
    """For each resample (row of ``weights``, shape (b, n)) and row i: the weight of the rows with a lower key
    plus half the weight of the rows with the same key (row i included), among rows of i's block when
    ``blocks`` (non-negative ints, one per row) is given. Keys are :func:`tie_ranks`. Returns (b, n)."""
    keys = np.asarray(keys, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != keys.shape[0]:
        raise StatsInputError(f"mid_counts: weights must be (resamples, {keys.shape[0]}), got {w.shape}.")
    cell, first = _cells(keys, blocks)
    b, size = w.shape[0], int(cell.max()) + 1 if cell.size else 0
    flat = (np.arange(b) * size)[:, None] + cell[None, :]
    per_cell = np.bincount(flat.ravel(), weights=w.ravel(), minlength=b * size).reshape(b, size)
    below = np.cumsum(per_cell, axis=1) - per_cell  # weight of lower cells, exclusive
    if first is not None:
        below = below - below[:, first]  # lower cells of earlier blocks do not count
    return (below + per_cell / 2)[:, cell]


def weighted_auc(scores: np.ndarray, positive: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUC of ``scores`` for the 0/1 ``positive`` rows under each row of ``weights`` (b, n): (b,), NaN where
    the positives or the negatives weigh nothing (the AUC is undefined there)."""
    y = np.asarray(positive, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    keys = tie_ranks(scores)
    pos, neg = w * y, w * ~y
    num = (pos * mid_counts(keys, neg)).sum(axis=1)
    den = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """The AUC of ``scores`` for the 0/1 ``positive`` labels (None without positives or negatives)."""
    value = weighted_auc(scores, positive, np.ones((1, len(np.asarray(positive)))))[0]
    return None if np.isnan(value) else float(value)
