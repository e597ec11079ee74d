"""The ``paired`` block of the slices probe: two models' error rates compared slice by slice, on the same examples.

The slices probe tests each model against the rest of the data; this asks where one model errs more than another.
For each pair of models (a, b) in model order (the first model is the candidate, the others its baselines) and each
slice the probe tested (single slices and pairs of slices, the same for every model: they come from the data),
the examples of the slice are joined on id across the two sidecars and compared: the difference of error rates
a - b with Newcombe's paired score interval, and McNemar's test on the examples exactly one model gets wrong
(``audit.stats``). Benjamini-Hochberg over the slices of one pair of models at the probe's ``q`` says where the
difference is real: rows with ``a_worse`` are where the candidate fails that the baseline does not.

The block lives under ``slices`` so the readers of the metrics' ``comparisons`` (scorecard, verdict, the
``paired_difference`` rule) see nothing of it; the findings rule ``weak_slice`` reads it.
"""

from __future__ import annotations

import os
from itertools import combinations
from pathlib import Path

import numpy as np

from audit.core.document import WITH_VALUES, as_dict, as_list
from audit.core.errors import AuditError
from audit.predictions.sidecars import load_sidecar
from audit.stats import NEWCOMBE, benjamini_hochberg, mcnemar, paired_proportion_interval

PROBE = "slices"
TEST = "mcnemar"


def _tested(unit: dict) -> list[dict]:
    """The slices a result tested: name and the single slices it intersects."""
    rows = as_list(as_dict(unit.get("details")).get("slices"))
    return [r for r in rows if isinstance(r, dict) and r.get("slice") and isinstance(r.get("parts"), list)]


def _units(doc: dict, probe: dict) -> dict[str, dict]:
    """Model id -> ok result with a sidecar and tested slices, in the document's model order."""
    results = as_dict(probe.get("results"))
    order = [str(m.get("id")) for m in as_list(doc.get("models")) if isinstance(m, dict)]
    order += [m for m in results if m not in order]
    return {m: results[m] for m in order if isinstance(results.get(m), dict)
            and results[m].get("status", "ok") in WITH_VALUES and results[m].get("predictions_file")
            and _tested(results[m])}


def _compare(rows_a: dict, rows_b: dict, tested: list[dict], q: float, confidence: float) -> dict:
    """Every tested slice of the examples both sidecars hold: errors of a and b, the paired difference, McNemar,
    Benjamini-Hochberg over the slices."""
    ids = [i for i in rows_a if i in rows_b]
    wrong_a = np.array([rows_a[i]["predicted"] != rows_a[i]["label"] for i in ids], dtype=bool)
    wrong_b = np.array([rows_b[i]["predicted"] != rows_b[i]["label"] for i in ids], dtype=bool)
    member = [set(as_list(rows_a[i].get("slices"))) for i in ids]
    out = []
    for t in tested:
        parts = set(map(str, t["parts"]))
        mask = np.array([parts <= m for m in member], dtype=bool)
        if mask.sum() == 0:
            continue
        a, b = wrong_a[mask], wrong_b[mask]
        iv = paired_proportion_interval(a, b, confidence=confidence)
        test = mcnemar(~a, ~b)  # on correctness: a_only = right only for a, i.e. wrong only for b
        out.append({"slice": str(t["slice"]), "n": int(mask.sum()), "error_a": float(a.mean()),
                    "error_b": float(b.mean()), "diff": iv["diff"], "ci": iv["ci"],
                    "wrong_only_a": test["b_only"], "wrong_only_b": test["a_only"], "p_value": test["p_value"],
                    "test_method": test["method"]})
    adjusted = benjamini_hochberg([r["p_value"] for r in out])
    for r, adj in zip(out, adjusted):
        r["p_adjusted"] = adj
        r["a_worse"] = bool(adj is not None and adj <= q and r["diff"] > 0)
        r["b_worse"] = bool(adj is not None and adj <= q and r["diff"] < 0)
    return {"n": len(ids), "tested": len(out), "a_worse": sum(r["a_worse"] for r in out),
            "b_worse": sum(r["b_worse"] for r in out), "rows": out}


def slices_block(doc: dict, probe: dict, results_dir: Path) -> dict | None:
    """The slices probe's ``paired`` block; None without two models whose results name sidecars and tested slices
    (decided before any sidecar is read)."""
    units = _units(doc, probe)
    if len(units) < 2:
        return None
    config = as_dict(probe.get("config"))
    q = float(config.get("q") or 0.05)
    confidence = float(config.get("confidence") or 0.95)
    rows: dict[str, dict | None] = {}
    why: dict[str, str] = {}
    for model, unit in units.items():
        try:
            rows[model] = load_sidecar(results_dir, unit)
        except AuditError as exc:  # a malformed sidecar: no paired test for that model, the run goes on
            rows[model], why[model] = None, str(exc).replace(str(results_dir) + os.sep, "")  # no machine paths
        if rows[model] is None:
            why.setdefault(model, f"the predictions file {unit['predictions_file']} of '{model}' is missing")
    pairs, skipped = [], []
    for a, b in combinations(units, 2):
        ra, rb = rows[a], rows[b]
        if ra is None or rb is None:
            skipped.append({"a": a, "b": b, "reason": "; ".join(why[m] for m in (a, b) if m in why)})
            continue
        pairs.append({"a": a, "b": b, **_compare(ra, rb, _tested(units[a]), q, confidence)})
    return {"slices": {"q": q, "confidence": confidence, "test": TEST, "interval": NEWCOMBE,
                       "pairs": pairs, "skipped": skipped}}
