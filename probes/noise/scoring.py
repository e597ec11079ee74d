"""Metrics of one model under noise, from its clean and perturbed probabilities.

Per (perturbation, severity) cell: accuracy, its drop from clean accuracy, the flip rate
(prediction differs from the clean prediction), the mean confidence drop in the clean
predicted class and the ECE. Every mean gets a percentile CI from one set of resampled
examples shared by all cells and columns (seeded by the run seed, so it is also the same set
for every model): the drop is a paired difference (``stats.paired_bootstrap_diff``) and the
aggregates (worst accuracy, largest drop) are taken per resample, so their intervals account
for picking the worst cell. On sentence pairs the cells are also per side (``accuracy/first/typo@0.1``),
the headline aggregates run over every side, and each side gets its own (``worst_accuracy/first``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit import stats
from audit.core.seeding import derive_seed
from audit.probes.base import Metric
from audit.probes.noise.apply import PerturbedSet


@dataclass(frozen=True)
class Bootstrap:
    resamples: int
    confidence: float
    bins: int  # ECE bins
    seed: int


def _ci(samples: np.ndarray | None, confidence: float):
    """Column-wise (lo, hi) tuples, or Nones when there is no bootstrap."""
    if samples is None or samples.shape[0] == 0:
        return None
    lo, hi = stats.percentile_interval(samples, confidence)
    return list(zip(np.atleast_1d(lo).tolist(), np.atleast_1d(hi).tolist()))


def score(y: np.ndarray, clean: np.ndarray, proba: np.ndarray, ps: PerturbedSet, labels: list[str],
          boot: Bootstrap) -> tuple[dict[str, Metric], list[dict], dict]:
    """(metrics, per-cell details, summary details); ``proba`` is (cells, n, k), n >= 1."""
    n, n_cells = len(y), len(ps.cells)
    rows = np.arange(n)
    clean_pred = clean.argmax(axis=1)
    clean_correct = (clean_pred == y).astype(np.float64)
    clean_conf = clean[rows, clean_pred]
    pred = proba.argmax(axis=2)  # (cells, n)
    correct = (pred == y).astype(np.float64)
    flips = (pred != clean_pred).astype(np.float64)
    conf_drop = clean_conf - proba[:, rows, clean_pred]
    # columns: clean, then accuracy, flip and confidence drop of every cell
    columns = np.concatenate([clean_correct[:, None], correct.T, flips.T, conf_drop.T], axis=1)
    point = columns.mean(axis=0)
    seed = derive_seed(boot.seed, "noise", "bootstrap")
    samples = None
    if boot.resamples > 0 and n >= 2:
        samples = stats.bootstrap_means(columns, resamples=boot.resamples, seed=seed)
    cis = _ci(samples, boot.confidence) or [None] * columns.shape[1]
    drop, drop_ci = stats.paired_bootstrap_diff(np.repeat(clean_correct[:, None], n_cells, axis=1), correct.T,
                                                resamples=boot.resamples, confidence=boot.confidence, seed=seed)
    drop_ci = list(zip(drop_ci[0].tolist(), drop_ci[1].tolist())) if drop_ci is not None else [None] * n_cells

    metrics = {"clean_accuracy": Metric(float(point[0]), cis[0], True)}
    cells = []
    for c, (name, severity) in enumerate(ps.cells):
        key = ps.key(c)
        j_acc, j_flip, j_conf = (1 + j * n_cells + c for j in range(3))
        top = proba[c].max(axis=1)
        ece = float(stats.ece_batch(top, correct[c], boot.bins, rows[None, :])[0])
        applied_rate = float(ps.applied[c].mean())
        metrics[f"accuracy/{key}"] = Metric(float(point[j_acc]), cis[j_acc], True)
        metrics[f"accuracy_drop/{key}"] = Metric(float(drop[c]), drop_ci[c], False)
        metrics[f"flip_rate/{key}"] = Metric(float(point[j_flip]), cis[j_flip], False)
        metrics[f"confidence_drop/{key}"] = Metric(float(point[j_conf]), cis[j_conf], False)
        metrics[f"ece/{key}"] = Metric(ece, None, False)
        metrics[f"applied_rate/{key}"] = Metric(applied_rate, None, None)
        cells.append({
            "key": key, "perturbation": name, "severity": severity, **_side(ps.sides[c]),
            "accuracy": float(point[j_acc]), "accuracy_drop": float(drop[c]), "flip_rate": float(point[j_flip]),
            "confidence_drop": float(point[j_conf]), "ece": ece, "applied": int(ps.applied[c].sum()),
            "applied_rate": applied_rate, "empty_kept": int(ps.empty[c]),
            "per_class": per_class(y, correct[c], flips[c], labels),
        })

    everywhere = np.arange(n_cells)
    worst = aggregate(metrics, "", everywhere, point, samples, n_cells, boot.confidence)
    for side in dict.fromkeys(s for s in ps.sides if s is not None):  # pairs: each side on its own too
        aggregate(metrics, f"/{side}", np.flatnonzero([s == side for s in ps.sides]), point, samples, n_cells,
                  boot.confidence)
    summary = {
        "clean_accuracy": float(point[0]),
        "clean_per_class": per_class(y, clean_correct, None, labels),
        "worst": {k: cells[worst][k] for k in ("key", "perturbation", "severity", "side", "accuracy") if k in cells[worst]},
    }
    return metrics, cells, summary


def _side(side: str | None) -> dict:
    return {} if side is None else {"side": side}


def aggregate(metrics: dict[str, Metric], suffix: str, among: np.ndarray, point: np.ndarray, samples: np.ndarray | None,
              n_cells: int, confidence: float) -> int:
    """Worst accuracy, largest drop and mean flip rate over the cells ``among``, as metrics named
    with ``suffix``; the worst cell is chosen again in every resample. Returns the worst cell."""
    acc_cols, flip_cols = 1 + among, 1 + n_cells + among
    acc = point[acc_cols]
    worst = int(np.argmin(acc))
    agg_samples = None
    if samples is not None:
        acc_s = samples[:, acc_cols]
        agg_samples = np.stack([acc_s.min(axis=1), (samples[:, :1] - acc_s).max(axis=1),
                                samples[:, flip_cols].mean(axis=1)], axis=1)
    agg_ci = _ci(agg_samples, confidence) or [None] * 3
    metrics[f"worst_accuracy{suffix}"] = Metric(float(acc[worst]), agg_ci[0], True)
    metrics[f"max_accuracy_drop{suffix}"] = Metric(float(point[0] - acc[worst]), agg_ci[1], False)
    metrics[f"mean_flip_rate{suffix}"] = Metric(float(point[flip_cols].mean()), agg_ci[2], False)
    return int(among[worst])


def per_class(y: np.ndarray, correct: np.ndarray, flips: np.ndarray | None, labels: list[str]) -> dict[str, dict]:
    """Per gold class: examples, accuracy (recall) and flip rate; None where a class has none."""
    out = {}
    for j, label in enumerate(labels):
        mask = y == j
        count = int(mask.sum())
        out[label] = {"n": count, "accuracy": float(correct[mask].mean()) if count else None}
        if flips is not None:
            out[label]["flip_rate"] = float(flips[mask].mean()) if count else None
    return out
