"""The ``paired`` block of a probe entry in results.json: every pair of models compared example by example.

Two models scored on the same examples are correlated, so comparing their own intervals (do the
CIs overlap?) hides real differences. At the end of ``audit run`` (and in ``audit report`` for
older results) the prediction sidecars are joined on example id and, for each probe that wrote
them and each pair of models in model order, the differences a - b are given a paired interval:
Newcombe's score interval plus McNemar for accuracy, a paired bootstrap with a sign-flip
permutation test for Brier and log loss (per-example losses exactly as the metrics probe computes
them). Only probes whose results report accuracy, Brier or log loss get a block (decided from the
results before any sidecar is read: other probes' sidecars, e.g. templates', have no labels and
nothing to compare); the slices probe gets its own, slice by slice (:mod:`audit.predictions.paired_slices`).
The block sits in the probe's entry, beside its results, so every report table that shows the probe's metrics
(scorecard, probe section, governance record) finds it; reports compute nothing. Sidecars are read by
:mod:`audit.predictions.sidecars`; the statistics live in :mod:`audit.stats`.
"""

from __future__ import annotations

import os
from itertools import combinations
from pathlib import Path

import numpy as np

from audit.core.document import WITH_VALUES
from audit.core.errors import AuditError
from audit.core.seeding import derive_seed
from audit.predictions.paired_slices import PROBE as SLICES_PROBE
from audit.predictions.paired_slices import slices_block
from audit.predictions.sidecars import load_sidecar, paired_correctness, sidecar_path
from audit.stats import (
    brier_per_example, log_loss_per_example, mcnemar, paired_bootstrap, paired_proportion_interval, sign_flip_test,
)

RESAMPLES = 10000  # paired bootstrap of Brier / log loss, as the gate's default
LOSSES = ("brier", "log_loss")
PAIRED_METRICS = ("accuracy",) + LOSSES


def per_example_loss(rows: dict[str, dict], ids: list[str], name: str, labels: list[str]) -> np.ndarray | None:
    """Per-example Brier or log loss from sidecar rows (proba in ``labels`` order); None when unusable."""
    try:
        proba = np.array([rows[i]["proba"] for i in ids], dtype=float)
        y = np.array([labels.index(rows[i]["label"]) for i in ids])
    except (KeyError, ValueError, TypeError):
        return None
    if proba.ndim != 2 or proba.shape[1] != len(labels) or not np.isfinite(proba).all():
        return None
    return brier_per_example(proba, y) if name == "brier" else log_loss_per_example(proba, y)


def _labels(doc: dict, unit: dict, model: str) -> list[str]:
    """The model's label order: the unit's details.labels (metrics probe), else the model entry's."""
    labels = (unit.get("details") or {}).get("labels")
    if not labels:
        entries = [m for m in doc.get("models") or [] if isinstance(m, dict) and m.get("id") == model]
        labels = entries[0].get("labels") if entries else None
    return [str(x) for x in labels or []]


def _reported(unit: dict) -> set[str]:
    """The paired metrics (accuracy, brier, log_loss) a result reports."""
    metrics = unit.get("metrics")
    return set(metrics) & set(PAIRED_METRICS) if isinstance(metrics, dict) else set()


def _units(doc: dict, probe: dict) -> dict[str, dict]:
    """Model id -> ok result with a predictions file that reports a paired metric, in the document's model
    order."""
    order = [m.get("id") for m in doc.get("models") or [] if isinstance(m, dict)]
    results = probe.get("results") or {}
    if not isinstance(results, dict):
        return {}
    order += [m for m in results if m not in order]
    return {m: results[m] for m in order if isinstance(results.get(m), dict)
            and results[m].get("status", "ok") in WITH_VALUES and results[m].get("predictions_file")
            and _reported(results[m])}


def _compare_pair(doc, probe, a, b, units, rows, seed, confidence) -> list[dict]:
    """The comparisons a - b for every paired metric both models report."""
    ids, correct_a, correct_b = paired_correctness(rows[a], rows[b])
    reported = _reported(units[a]) & _reported(units[b])
    out = []
    for metric in (m for m in PAIRED_METRICS if m in reported):
        base = {"metric": metric, "a": a, "b": b, "n": len(ids)}
        if metric == "accuracy":
            iv = paired_proportion_interval(correct_a, correct_b, confidence=confidence)
            out.append({**base, **iv, "mcnemar": mcnemar(correct_a, correct_b)})
            continue
        loss_a = per_example_loss(rows[a], ids, metric, _labels(doc, units[a], a))
        loss_b = per_example_loss(rows[b], ids, metric, _labels(doc, units[b], b))
        if loss_a is None or loss_b is None:
            continue
        s = derive_seed(seed, "paired", probe.get("name"), metric)
        out.append({**base, **paired_bootstrap(loss_a, loss_b, resamples=RESAMPLES, confidence=confidence, seed=s),
                    "seed": s, "sign_flip": sign_flip_test(loss_a - loss_b, resamples=RESAMPLES, seed=s)})
    return out


def _relative(message: str, results_dir: Path, rel: str) -> str:
    """``message`` with the sidecar's and results file's absolute paths written relative to the results
    directory (results.json is moved and shared: it should not carry the machine's paths)."""
    try:
        message = message.replace(str(sidecar_path(results_dir, rel)), rel)
    except AuditError:  # a path outside the results directory: its message names no sidecar path
        pass
    message = message.replace(str(results_dir / "results.json"), "results.json")
    return message.replace(str(results_dir) + os.sep, "")


def _read(results_dir: Path, units: dict[str, dict], models) -> tuple[dict, dict[str, str]]:
    """Model -> sidecar rows (None when unreadable) and model -> why not, for ``models`` only."""
    rows: dict[str, dict | None] = {}
    why: dict[str, str] = {}
    for model in models:
        unit, rel = units[model], str(units[model]["predictions_file"])
        try:
            rows[model] = load_sidecar(results_dir, unit)
        except AuditError as exc:  # a malformed sidecar: that model gets no paired test, the run goes on
            rows[model], why[model] = None, _relative(str(exc), results_dir, rel)
        if rows[model] is None:
            why.setdefault(model, f"the predictions file {rel} of '{model}' is missing")
    return rows, why


def paired_block(doc: dict, probe: dict, results_dir: Path) -> dict | None:
    """The ``paired`` block of one probe entry (sidecars read under ``results_dir``); None when no pair of models
    with sidecars reports a common paired metric (accuracy, brier, log_loss), decided before any file is read.
    Pairs that could be compared but whose sidecars cannot be read are listed under ``skipped`` with the
    reason. The slices probe's block compares the models slice by slice instead (:mod:`.paired_slices`)."""
    if probe.get("name") == SLICES_PROBE:
        return slices_block(doc, probe, Path(results_dir))
    units = _units(doc, probe)
    pairs = [(a, b) for a, b in combinations(units, 2) if _reported(units[a]) & _reported(units[b])]
    if not pairs:
        return None
    config = probe.get("config") if isinstance(probe.get("config"), dict) else {}
    confidence = float(config.get("confidence") or 0.95)
    seed = (doc.get("run") or {}).get("seed") or 0
    rows, why = _read(Path(results_dir), units, [m for m in units if any(m in pair for pair in pairs)])
    comparisons: list[dict] = []
    skipped: list[dict] = []
    for a, b in pairs:
        shared = 0 if rows[a] is None or rows[b] is None else sum(1 for i in rows[a] if i in rows[b])
        if shared < 2:
            reason = "; ".join(why[m] for m in (a, b) if m in why) or f"the predictions share {shared} example ids"
            skipped.append({"a": a, "b": b, "reason": reason})
            continue
        comparisons += _compare_pair(doc, probe, a, b, units, rows, seed, confidence)
    return {"confidence": confidence, "resamples": RESAMPLES, "comparisons": comparisons, "skipped": skipped}


def add_paired(doc: dict, results_dir: Path, *, keep: bool = False) -> dict:
    """Give every probe entry with two or more sidecar models reporting a paired metric its ``paired`` block
    (and no ``paired`` key to the others); ``keep`` leaves blocks already there (``audit report`` on results
    written before these blocks existed)."""
    for probe in doc.get("probes") or []:
        if not isinstance(probe, dict) or (keep and "paired" in probe):
            continue
        block = paired_block(doc, probe, results_dir)
        if block is None:
            probe.pop("paired", None)
        else:
            probe["paired"] = block
    return doc


def drop_paired(doc: dict) -> None:
    """Remove every ``paired`` block: a resumed run's are stale until recomputed at its end."""
    for probe in doc.get("probes") or []:
        if isinstance(probe, dict):
            probe.pop("paired", None)
