"""`audit compare`: several saved runs side by side, from results files alone (no model).

``compare_runs`` builds a machine-readable comparison (schema ``audit-compare/1``, written as
compare.json); ``reports.compare`` renders it to HTML and Markdown.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from audit.compare.align import align, column_key, columns, run_summary
from audit.compare.pairing import CONFIDENCE, RESAMPLES, paired_tests
from audit.compare.runs import ALLOW_FLAG, Run, check_data, load_runs
from audit.compare.verdicts import versus_baseline
from audit.errors import AuditError

COMPARE_SCHEMA = "audit-compare/1"

__all__ = ["COMPARE_SCHEMA", "compare_runs", "load_runs"]


def pick_baseline(runs: list[Run], baseline: str | None) -> tuple[Run, str]:
    """``RUN/MODEL`` (or a model name that only one run has); the first column by default."""
    cols = [(run, m) for run in runs for m in run.model_ids]
    if not cols:
        raise AuditError("None of the runs has a model; pass results files written by `audit run`.")
    if baseline is None:
        return cols[0]
    matches = [(r, m) for r, m in cols if column_key(r, m) == baseline] or [(r, m) for r, m in cols if m == baseline]
    if len(matches) != 1:
        known = ", ".join(column_key(r, m) for r, m in cols)
        why = "is ambiguous" if matches else "matches no column"
        raise AuditError(f"--baseline '{baseline}' {why}; pass one of: {known}.")
    return matches[0]


def compare_runs(paths: list[str], *, names: list[str] | None = None, baseline: str | None = None,
                 allow_different_data: bool = False, command: str = "", seed: int = 0) -> dict[str, Any]:
    """The comparison document; refuses runs on different data unless ``allow_different_data``."""
    runs = load_runs(paths, names)
    same_data = check_data(runs, allow_different_data)
    base_run, base_model = pick_baseline(runs, baseline)
    base_key = column_key(base_run, base_model)
    rows = align(runs)
    notes: list[str] = []
    if same_data:
        paired, notes = paired_tests(runs, (base_run, base_model), seed=seed)
    else:
        paired = []
        notes.append("No paired tests: the runs were audited on different data, so their examples do not pair up.")
    versus_baseline(rows, base_key, paired)
    missing = sum(1 for r in rows for c in r["values"].values() if c["status"] != "ok")
    if missing:
        notes.append(f"{missing} metric value(s) are missing from some columns; each is shown as — with the reason.")
    return {
        "schema": COMPARE_SCHEMA,
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "data": {"same": same_data, "allowed_different": bool(allow_different_data),
                 "fingerprints": {r.name: r.fingerprint for r in runs}, "flag": ALLOW_FLAG},
        "runs": [run_summary(r) for r in runs],
        "columns": columns(runs),
        "baseline": base_key,
        "paired_settings": {"metric": "accuracy", "resamples": RESAMPLES, "confidence": CONFIDENCE, "seed": seed},
        "metrics": rows,
        "paired": paired,
        "notes": notes,
    }
