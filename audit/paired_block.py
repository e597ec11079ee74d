"""The ``paired`` block of a probe entry in results.json: every pair of models compared example by example.

Two models scored on the same examples are correlated, so comparing their own intervals (do the
CIs overlap?) hides real differences. At the end of ``audit run`` (and in ``audit report`` for
older results) the prediction sidecars are joined on example id and, for each probe that wrote
them and each pair of models in model order, the differences a - b are given a paired interval:
Newcombe's score interval plus McNemar for accuracy, a paired bootstrap for Brier and log loss
(per-example losses exactly as the metrics probe computes them). The block sits in the probe's
entry, beside its results, so every report table that shows the probe's metrics (scorecard,
probe section, governance record) finds it; reports compute nothing. Statistics live in
:mod:`audit.paired`.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np

from audit.errors import AuditError
from audit.paired import load_sidecar, mcnemar, paired_bootstrap, paired_correctness, paired_proportion_interval
from audit.seeding import derive_seed
from audit.stats import brier_per_example, log_loss_per_example

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


def _units(doc: dict, probe: dict) -> dict[str, dict]:
    """Model id -> ok result with a predictions file, in the document's model order."""
    order = [m.get("id") for m in doc.get("models") or [] if isinstance(m, dict)]
    results = probe.get("results") or {}
    order += [m for m in results if m not in order]
    return {m: results[m] for m in order if isinstance(results.get(m), dict)
            and results[m].get("status", "ok") == "ok" and results[m].get("predictions_file")}


def _compare_pair(doc, probe, a, b, units, rows, seed, confidence) -> list[dict]:
    """The comparisons a - b for every paired metric both models report."""
    ids, correct_a, correct_b = paired_correctness(rows[a], rows[b])
    reported = set(units[a].get("metrics") or {}) & set(units[b].get("metrics") or {})
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
                    "seed": s})
    return out


def _read(results_dir: Path, units: dict[str, dict]) -> tuple[dict, dict[str, str]]:
    """Model -> sidecar rows (None when unreadable) and model -> why not."""
    rows: dict[str, dict | None] = {}
    why: dict[str, str] = {}
    for model, unit in units.items():
        try:
            rows[model] = load_sidecar(Path(results_dir), unit)
        except AuditError as exc:  # a malformed sidecar: that model gets no paired test, the run goes on
            rows[model], why[model] = None, str(exc)
        if rows[model] is None:
            why.setdefault(model, f"the predictions file {unit['predictions_file']} of '{model}' is missing")
    return rows, why


def paired_block(doc: dict, probe: dict, results_dir: Path) -> dict | None:
    """The ``paired`` block of one probe entry (sidecars read under ``results_dir``); None when fewer than two
    models have sidecars. Pairs that cannot be compared are listed under ``skipped`` with the reason."""
    units = _units(doc, probe)
    if len(units) < 2:
        return None
    confidence = float((probe.get("config") or {}).get("confidence") or 0.95)
    seed = (doc.get("run") or {}).get("seed") or 0
    rows, why = _read(results_dir, units)
    comparisons: list[dict] = []
    skipped: list[dict] = []
    for a, b in combinations(units, 2):
        shared = 0 if rows[a] is None or rows[b] is None else sum(1 for i in rows[a] if i in rows[b])
        if shared < 2:
            reason = "; ".join(why[m] for m in (a, b) if m in why) or f"the predictions share {shared} example ids"
            skipped.append({"a": a, "b": b, "reason": reason})
            continue
        comparisons += _compare_pair(doc, probe, a, b, units, rows, seed, confidence)
    return {"confidence": confidence, "resamples": RESAMPLES, "comparisons": comparisons, "skipped": skipped}


def add_paired(doc: dict, results_dir: Path, *, keep: bool = False) -> dict:
    """Give every probe entry with two or more sidecar models its ``paired`` block; ``keep`` leaves blocks
    already there (``audit report`` on results written before these blocks existed)."""
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
