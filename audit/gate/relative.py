"""Relative checks: is the candidate not worse than the baseline by more than ``max_drop``?

The *drop* is how much worse the candidate is, in the metric's units and oriented by its
direction (baseline - candidate for accuracy, candidate - baseline for a loss). When both
models' per-example predictions exist (the ``metrics`` probe's sidecars), the drop gets a
paired-bootstrap CI at ``confidence`` over the examples both models saw, and the check passes
when the CI's upper end is at most ``max_drop`` (non-inferiority as in CONSORT: a two-sided
95% interval, i.e. a one-sided test at 2.5%). McNemar's p for "error rates differ" is reported
beside it. Other metrics have no per-example data: their point values are compared and the
message says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audit.gate.checks import base_row, fmt, unevaluated
from audit.gate.metrics import Missing, metric_record, probe_entry
from audit.gate.policy import Check
from audit.paired import load_sidecar, mcnemar, paired_bootstrap, paired_correctness

PER_EXAMPLE = {("metrics", "accuracy"), ("metrics", "brier"), ("metrics", "log_loss")}


def _losses(rows: dict[str, dict], ids: list[str], name: str, labels: list[str]) -> np.ndarray | None:
    """Per-example Brier or log loss (as the metrics probe computes them) from sidecar rows."""
    from audit.stats import brier_per_example, log_loss_per_example

    try:
        proba = np.array([rows[i]["proba"] for i in ids], dtype=float)
        y = np.array([labels.index(rows[i]["label"]) for i in ids])
    except (KeyError, ValueError, TypeError):
        return None
    if proba.ndim != 2 or proba.shape[1] != len(labels):
        return None
    return brier_per_example(proba, y) if name == "brier" else log_loss_per_example(proba, y)


def _model_labels(doc: dict, model: str) -> list[str]:
    for m in doc.get("models") or []:
        if isinstance(m, dict) and m.get("id") == model:
            return [str(x) for x in m.get("labels") or []]
    return []


def paired_drop(check: Check, name: str, cand: tuple[dict, Path, str], base: tuple[dict, Path, str], *,
                resamples: int, seed: int) -> dict | None:
    """Drop, its CI and (accuracy) McNemar from sidecars; None when per-example data is missing."""
    if (check.probe, name) not in PER_EXAMPLE:
        return None
    sides = []
    for doc, folder, model in (cand, base):
        unit = ((probe_entry(doc, check.probe) or {}).get("results") or {}).get(model)
        rows = load_sidecar(folder, unit or {})
        if rows is None:
            return None
        sides.append(rows)
    ids, correct_c, correct_b = paired_correctness(*sides)
    if len(ids) < 2:
        return None
    out = {"method": "paired-bootstrap", "n": len(ids)}
    if name == "accuracy":  # drop = baseline accuracy - candidate accuracy
        boot = paired_bootstrap(correct_b, correct_c, resamples=resamples, confidence=check.confidence, seed=seed)
        out["mcnemar"] = mcnemar(correct_c, correct_b)
        out["p_value"] = out["mcnemar"]["p_value"]
    else:  # a loss: drop = candidate loss - baseline loss
        loss_c = _losses(sides[0], ids, name, _model_labels(cand[0], cand[2]))
        loss_b = _losses(sides[1], ids, name, _model_labels(base[0], base[2]))
        if loss_c is None or loss_b is None:
            return None
        boot = paired_bootstrap(loss_c, loss_b, resamples=resamples, confidence=check.confidence, seed=seed)
    out.update(drop=boot["diff"], drop_ci=boot["ci"], resamples=resamples, seed=seed)
    return out


def evaluate_relative(check: Check, name: str, cand: tuple[dict, Path, str], base: tuple[dict, Path, str], *,
                      resamples: int, seed: int) -> dict:
    """The gate-block row for candidate ``cand`` = (doc, results dir, model) vs ``base``."""
    metric = f"{check.probe}.{name}"
    model, base_model = cand[2], base[2]
    row = base_row(check, model, metric)
    row.update(operator="<=", threshold=check.max_drop, max_drop=check.max_drop, confidence=check.confidence,
               baseline={"model": base_model, "results": check.baseline.results,
                         "run_id": (base[0].get("run") or {}).get("id")})
    try:
        c_rec = metric_record(cand[0], check.probe, name, model)
        b_rec = metric_record(base[0], check.probe, name, base_model)
    except Missing as exc:
        return unevaluated(row, check, str(exc))
    hib = c_rec.get("higher_is_better")
    hib = check.higher_is_better if not isinstance(hib, bool) else hib
    row.update(candidate_value=c_rec["value"], baseline_value=b_rec["value"])
    paired = paired_drop(check, name, cand, base, resamples=resamples, seed=seed)
    pct = f"{check.confidence:.0%}"
    if paired is not None and paired["drop_ci"] is not None:
        value = paired["drop_ci"][1]
        ok = value <= check.max_drop
        row.update(paired)
        p_text = f"; McNemar p={fmt(paired['p_value'])}" if "p_value" in paired else ""
        message = (f"drop vs {base_model}: {fmt(paired['drop'])} ({pct} CI {fmt(paired['drop_ci'][0])} to "
                   f"{fmt(value)}, paired bootstrap over {paired['n']} examples); upper bound {fmt(value)} "
                   f"{'meets' if ok else 'fails'} <= max_drop {fmt(check.max_drop)}{p_text}")
    else:
        value = (b_rec["value"] - c_rec["value"]) if hib else (c_rec["value"] - b_rec["value"])
        ok = value <= check.max_drop
        row.update(method="point", drop=value, drop_ci=None)
        message = (f"drop vs {base_model}: {fmt(value)} ({fmt(c_rec['value'])} vs {fmt(b_rec['value'])}) "
                   f"{'meets' if ok else 'fails'} <= max_drop {fmt(check.max_drop)}; no paired per-example "
                   "predictions for this metric, so point values were compared without a confidence interval")
    row.update(value=float(value), passed=bool(ok), status="pass" if ok else "fail", message=message)
    return row
