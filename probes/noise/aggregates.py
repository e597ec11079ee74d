"""The noise headlines: worst accuracy, largest drop and mean flip rate over cells, over all texts and over
the texts each perturbation changed (``max_changed_accuracy_drop``, ``mean_changed_flip_rate``).

Their intervals come from one paired bootstrap of the texts, shared by every cell (cells share texts, and
the worst cell is picked again in each resample), widened where needed to hold the same aggregate of the
cells' exact intervals (the smallest lower and upper bound for the worst accuracy, the mean of the bounds
for a mean), so a headline never shrinks to a point: no flip anywhere reads [0, u], not [0, 0]. Cells that
changed fewer than ``min_changed`` texts are left out of the changed-text headlines (their rates are too
noisy to be a maximum); they keep their own rates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from audit import stats
from audit.probes.base import Metric
from audit.probes.noise.cells import Rates

# name: (per-cell measure, reduction, higher is better)
AGGREGATES = {
    "worst_accuracy": ("accuracy", "min", True),
    "max_accuracy_drop": ("accuracy_drop", "max", False),
    "mean_flip_rate": ("flip_rate", "mean", False),
    "max_changed_accuracy_drop": ("changed_accuracy_drop", "max", False),
    "mean_changed_flip_rate": ("changed_flip_rate", "mean", False),
}
REDUCE: dict[str, Callable[..., Any]] = {"min": np.nanmin, "max": np.nanmax, "mean": np.nanmean}
PICK: dict[str, Callable[..., Any]] = {"min": np.nanargmin, "max": np.nanargmax}


def resampled(clean_correct: np.ndarray, correct: np.ndarray, flips: np.ndarray, conf_drop: np.ndarray,
              changed: np.ndarray, resamples: int, seed: int) -> dict[str, np.ndarray] | None:
    """Per-cell measures over seeded resamples of the texts, ``{measure: (B, cells)}`` (NaN where a resample
    holds no changed text of a cell); None without resamples or with fewer than two texts."""
    cells, n = correct.shape
    if resamples <= 0 or n < 2:
        return None
    parts = [clean_correct[None, :], correct, flips, conf_drop, changed, changed & clean_correct, changed & correct,
             changed & flips]
    means = stats.bootstrap_means(np.concatenate(parts).T.astype(np.float64), resamples=resamples, seed=seed)
    clean, acc, flip, conf, m, m_clean, m_acc, m_flip = (means[:, 0],) + tuple(
        means[:, 1 + j * cells: 1 + (j + 1) * cells] for j in range(7))
    with np.errstate(divide="ignore", invalid="ignore"):
        some = np.where(m > 0, m, np.nan)
        return {"clean_accuracy": clean, "accuracy": acc, "flip_rate": flip, "confidence_drop": conf,
                "accuracy_drop": clean[:, None] - acc, "changed_accuracy_drop": (m_clean - m_acc) / some,
                "changed_flip_rate": m_flip / some}


def _hull(boot: tuple[float, float] | None, floor: tuple[float, float] | None) -> tuple[float, float] | None:
    if boot is None or floor is None:
        return floor
    return min(boot[0], floor[0]), max(boot[1], floor[1])


def aggregate(metrics: dict[str, Metric], suffix: str, among: np.ndarray, rates: dict[str, Rates],
              samples: dict[str, np.ndarray] | None, changed: np.ndarray, min_changed: int, confidence: float,
              on: bool) -> dict[str, int | None]:
    """Every headline over the cells ``among``, as metrics named with ``suffix``; returns the cell each
    min/max picked (None where no cell qualifies)."""
    picked: dict[str, int | None] = {}
    for name, (measure, how, higher) in AGGREGATES.items():
        r = rates[measure]
        cells = among[changed[among] >= min_changed] if measure.startswith("changed_") else among
        cells = cells[~np.isnan(r.value[cells])]
        if not cells.size:
            metrics[f"{name}{suffix}"] = Metric(None, None, higher)
            picked[name] = None
            continue
        value = float(REDUCE[how](r.value[cells]))
        ci = None
        if on:
            floor = (float(REDUCE[how](r.lo[cells])), float(REDUCE[how](r.hi[cells])))
            boot = None
            if samples is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # a resample with no changed text: NaN
                    boot = stats.bootstrap.interval(REDUCE[how](samples[measure][:, cells], axis=1), confidence)
            ci = _hull(boot, floor)
        metrics[f"{name}{suffix}"] = Metric(value, ci, higher)
        picked[name] = int(cells[PICK[how](r.value[cells])]) if how in PICK else None
    return picked
