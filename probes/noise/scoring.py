"""Metrics of one model under noise, from its clean probabilities and its outcomes on the perturbed inputs.

Per (perturbation, severity) cell: accuracy, its drop from clean accuracy, the flip rate (prediction
differs from the clean prediction), each drop and flip rate also over the texts the perturbation changed
(:mod:`audit.probes.noise.cells`), the mean confidence drop in the clean predicted class and the ECE.
Shares get exact intervals, drops Newcombe's paired interval; the confidence drop and the headlines
(:mod:`audit.probes.noise.aggregates`) a percentile CI from one set of resampled texts shared by all
cells (seeded by the run seed, so also the same for every model). On sentence pairs the cells are also
per side (``accuracy/first/typo@0.1``), the headlines run over every side, and each side gets its own
(``worst_accuracy/first``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit import stats
from audit.core.seeding import derive_seed
from audit.probes.base import Metric
from audit.probes.noise.aggregates import aggregate, resampled
from audit.probes.noise.cells import cell_counts, cell_rates
from audit.probes.noise.outcomes import Outcomes

CELL_METRICS = ("accuracy", "accuracy_drop", "flip_rate", "changed_accuracy_drop", "changed_flip_rate")


@dataclass(frozen=True)
class Bootstrap:
    resamples: int  # 0 turns every CI off
    confidence: float
    bins: int  # ECE bins
    seed: int
    min_changed: int = 1  # texts a cell must change to count in the changed-text headlines


def score(y: np.ndarray, clean: np.ndarray, out: Outcomes, labels: list[str],
          boot: Bootstrap) -> tuple[dict[str, Metric], list[dict], dict]:
    """(metrics, per-cell details, summary details); n >= 1."""
    n, n_cells = len(y), len(out.cells)
    rows = np.arange(n)
    clean_pred = clean.argmax(axis=1)
    clean_correct = clean_pred == y
    pred = out.pred  # (cells, n)
    correct, flips, changed = pred == y, pred != clean_pred, out.applied
    conf_drop = clean[rows, clean_pred] - out.kept
    on = boot.resamples > 0
    rates = cell_rates(clean_correct, correct, flips, changed, boot.confidence, on)
    samples = resampled(clean_correct, correct, flips, conf_drop, changed, boot.resamples,
                        derive_seed(boot.seed, "noise", "bootstrap"))

    def boot_ci(measure: str, c: int):
        return None if samples is None else stats.bootstrap.interval(samples[measure][:, c], boot.confidence)

    clean_acc = float(clean_correct.mean())
    metrics = {"clean_accuracy": Metric(clean_acc, stats.proportion_interval(int(clean_correct.sum()), n,
                                                                             boot.confidence) if on else None, True)}
    cells = []
    for c, (name, severity) in enumerate(out.cells):
        key = out.key(c)
        for measure in CELL_METRICS:
            metrics[f"{measure}/{key}"] = Metric(rates[measure].get(c), rates[measure].ci(c), measure == "accuracy")
        confidence_drop = float(conf_drop[c].mean())
        ece = float(stats.ece_batch(out.top[c], correct[c].astype(float), boot.bins, rows[None, :])[0])
        applied_rate = float(changed[c].mean())
        metrics[f"confidence_drop/{key}"] = Metric(confidence_drop, boot_ci("confidence_drop", c), False)
        metrics[f"ece/{key}"] = Metric(ece, None, False)
        metrics[f"applied_rate/{key}"] = Metric(applied_rate, None, None)
        cells.append({
            "key": key, "perturbation": name, "severity": severity, **_side(out.sides[c]), "n": n,
            **{measure: rates[measure].get(c) for measure in CELL_METRICS},
            **cell_counts(c, clean_correct, correct, flips, changed),
            "confidence_drop": confidence_drop, "ece": ece, "applied": int(changed[c].sum()),
            "applied_rate": applied_rate, "empty_kept": int(out.empty[c]),
            "per_class": per_class(y, correct[c], flips[c], labels),
        })

    n_changed = changed.sum(axis=1)
    args = (rates, samples, n_changed, boot.min_changed, boot.confidence, on)
    picked = aggregate(metrics, "", np.arange(n_cells), *args)
    for side in dict.fromkeys(s for s in out.sides if s is not None):  # pairs: each side on its own too
        aggregate(metrics, f"/{side}", np.flatnonzero([s == side for s in out.sides]), *args)
    summary = {
        "clean_accuracy": clean_acc,
        "clean_per_class": per_class(y, clean_correct, None, labels),
        "worst": _pick(cells, picked["worst_accuracy"], "accuracy"),
        "max_changed_drop": _pick(cells, picked["max_changed_accuracy_drop"], "changed_accuracy_drop"),
        "min_changed": boot.min_changed,
    }
    return metrics, cells, summary


def _side(side: str | None) -> dict:
    return {} if side is None else {"side": side}


def _pick(cells: list[dict], c: int | None, measure: str) -> dict | None:
    """The cell a headline picked, with its denominators; None when no cell qualified."""
    if c is None:
        return None
    keys = ("key", "perturbation", "severity", "side", measure, "n", "changed")
    return {k: cells[c][k] for k in keys if k in cells[c]}


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
