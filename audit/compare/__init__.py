"""`audit compare`: several saved runs side by side, from results files alone (no model).

``compare_runs`` builds a machine-readable comparison (schema ``audit-compare/1``, written as
compare.json); ``reports.compare`` renders it to HTML and Markdown.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from reports.lookup import as_dict

from audit.compare.align import align, column_key, columns, run_summary, setting_differences, settings_note
from audit.compare.pairing import CONFIDENCE, PAIRED_METHOD, paired_tests
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


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm-Bonferroni adjusted p-values, in the input order (None stays None and is not counted)."""
    order = sorted((i for i, p in enumerate(p_values) if isinstance(p, (int, float))), key=lambda i: p_values[i])
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * float(p_values[i])))
        out[i] = running
    return out


def multiplicity(paired: list[dict], n_columns: int, base_key: str) -> tuple[dict, list[str]]:
    """Adds ``p_value_holm`` to each paired test (in place); returns the settings block and a note.

    Verdicts come from per-comparison paired CIs; with several columns against one baseline, one
    of them may say "better" or "worse" by chance, so the reader is told how many tests were made
    and gets McNemar p-values adjusted over all of them.
    """
    adjusted = holm([as_dict(t.get("mcnemar")).get("p_value") for t in paired])
    for test, p in zip(paired, adjusted):
        test["p_value_holm"] = p
    tested = sum(1 for p in adjusted if p is not None)
    block = {"columns_vs_baseline": n_columns - 1, "paired_tests": tested, "adjustment": "holm",
             "adjusted": "McNemar p-values of all paired tests (p_value_holm)", "verdicts_adjusted": False}
    notes = []
    if n_columns - 1 >= 2 or tested >= 2:
        notes.append(f"{n_columns - 1} column(s) are each compared with the baseline {base_key} ({tested} paired "
                     f"test(s)): verdicts and CIs are per comparison, not adjusted for multiplicity, so one of "
                     f"several 'better' or 'worse' marks may be chance; McNemar p-values are also given Holm-adjusted "
                     f"over the {tested} paired test(s).")
    return block, notes


def compare_runs(paths: list[str], *, names: list[str] | None = None, baseline: str | None = None,
                 allow_different_data: bool = False, command: str = "") -> dict[str, Any]:
    """The comparison document; refuses runs on different data unless ``allow_different_data``."""
    runs = load_runs(paths, names)
    same_data = check_data(runs, allow_different_data)
    unverified = [r.name for r in runs if not r.fingerprint]
    base_run, base_model = pick_baseline(runs, baseline)
    base_key = column_key(base_run, base_model)
    differences = setting_differences(runs)
    rows = align(runs, differences)
    notes: list[str] = []
    if same_data:
        paired, notes = paired_tests(runs, (base_run, base_model))
    elif unverified:
        paired = []
        notes.append(f"No paired tests: {', '.join(unverified)} record(s) no data fingerprint, so the examples "
                     "cannot be shown to pair up.")
    else:
        paired = []
        notes.append("No paired tests: the runs were audited on different data, so their examples do not pair up.")
    versus_baseline(rows, base_key, paired)
    cols = columns(runs)
    settings_block, multiplicity_notes = multiplicity(paired, len(cols), base_key)
    notes += multiplicity_notes + [settings_note(d) for d in differences]
    missing = sum(1 for r in rows for c in r["values"].values() if c["status"] != "ok")
    if missing:
        notes.append(f"{missing} metric value(s) are missing from some columns; each is shown as — with the reason.")
    return {
        "schema": COMPARE_SCHEMA,
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "data": {"same": same_data, "allowed_different": bool(allow_different_data), "unverified": unverified,
                 "fingerprints": {r.name: r.fingerprint for r in runs}, "flag": ALLOW_FLAG},
        "runs": [run_summary(r) for r in runs],
        "columns": cols,
        "baseline": base_key,
        "paired_settings": {"metric": "accuracy", "method": PAIRED_METHOD, "confidence": CONFIDENCE},
        "multiplicity": settings_block,
        "probe_settings": differences,
        "metrics": rows,
        "paired": paired,
        "notes": notes,
    }
