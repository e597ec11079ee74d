"""Prediction sidecars: the per-example predictions a probe writes beside results.json, read back by id.

A results entry names its sidecar in ``predictions_file`` (a JSON-lines file, one row per example:
``{"id", "label", "predicted", "proba"}``, relative to the results directory). Comparing two models
example by example (gates, ``audit compare``, the ``paired`` block) starts here: rows joined on id.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from audit.core.errors import AuditError

SIDECAR_KEYS = ("id", "label", "predicted")


def sidecar_path(results_dir: Path, rel: str) -> Path:
    """The sidecar's path, refused unless it stays under the results directory (a results file names it)."""
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise AuditError(f"predictions_file '{rel}' in {Path(results_dir) / 'results.json'} points outside the "
                         "results directory; sidecars must be relative paths under it, e.g. predictions/x.jsonl.")
    return Path(results_dir) / rel


def _no_constant(name: str):
    raise ValueError(f"non-finite number {name}")


def load_sidecar(results_dir: Path, unit: dict) -> dict[str, dict] | None:
    """id -> row ({"id","label","predicted","proba"}) read from unit["predictions_file"] (relative to
    results_dir); None when the unit names none or the file is missing; AuditError when it is malformed."""
    rel = (unit or {}).get("predictions_file")
    if not rel:
        return None
    path = sidecar_path(results_dir, str(rel))
    if not path.is_file():
        return None
    rows: dict[str, dict] = {}
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if raw.strip():
            try:
                row = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
            except ValueError as exc:  # bad JSON, bad UTF-8, NaN or Infinity
                raise AuditError(f"{path}:{number}: not a valid JSON line ({exc}); re-run the audit to rewrite "
                                 "the predictions file.") from None
            missing = [k for k in SIDECAR_KEYS if not isinstance(row, dict) or k not in row]
            if missing:
                raise AuditError(f"{path}:{number}: row lacks {', '.join(missing)}; every row needs id, label and "
                                 "predicted. Re-run the audit to rewrite the predictions file.")
            rows[str(row["id"])] = row
    return rows


def paired_correctness(rows_a: dict[str, dict], rows_b: dict[str, dict]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Ids present in both (a's order) and boolean correctness arrays (predicted == label)."""
    ids = [i for i in rows_a if i in rows_b]
    correct_a = np.array([rows_a[i]["predicted"] == rows_a[i]["label"] for i in ids], dtype=bool)
    correct_b = np.array([rows_b[i]["predicted"] == rows_b[i]["label"] for i in ids], dtype=bool)
    return ids, correct_a, correct_b
