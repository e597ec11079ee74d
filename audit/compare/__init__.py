"""`audit compare`: several saved runs side by side, from results files alone (no model).

``compare_runs`` builds a machine-readable comparison (schema ``audit-compare/1``, written as
compare.json); ``audit.reports.compare`` renders it to HTML and Markdown.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from audit.core.document import as_dict

from audit.compare.align import (
    align, column_key, columns, drop_unreported, run_summary, setting_differences, settings_note,
)
from audit.compare.pairing import CONFIDENCE, PAIRED_METHOD, paired_tests
from audit.compare.runs import ALLOW_FLAG, Run, check_data, copies, data_match, load_runs
from audit.compare.verdicts import versus_baseline
from audit.core.errors import AuditError
from audit.stats import holm

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


def multiplicity(paired: list[dict], compared: int, base_key: str) -> tuple[dict, list[str]]:
    """Adds ``p_value_holm`` to each paired test (in place); returns the settings block and a note.

    Verdicts come from per-comparison paired CIs; with several columns against one baseline, one
    of them may say "better" or "worse" by chance, so the reader is told how many tests were made
    and gets McNemar p-values adjusted over all of them. ``compared`` counts the columns on the
    baseline's data (the others get no verdict, so they add no chance of a false one).
    """
    adjusted = holm([as_dict(t.get("mcnemar")).get("p_value") for t in paired])
    for test, p in zip(paired, adjusted):
        test["p_value_holm"] = p
    tested = sum(1 for p in adjusted if p is not None)
    block = {"columns_vs_baseline": compared, "paired_tests": tested, "adjustment": "holm",
             "adjusted": "McNemar p-values of all paired tests (p_value_holm)", "verdicts_adjusted": False}
    if compared < 2 and tested < 2:
        return block, []
    note = (f"{compared} column(s) are each compared with the baseline {base_key}"
            + (f" ({tested} paired test(s))" if tested else "")
            + ": verdicts and CIs are per comparison, not adjusted for multiplicity, so one of several 'better' or "
              "'worse' marks may be chance")
    holm_part = f"; McNemar p-values are also given Holm-adjusted over the {tested} paired test(s)." if tested >= 2 else "."
    return block, [note + holm_part]


def no_comparison_notes(no_comparison: dict[str, str], base_key: str) -> list[str]:
    """Which columns get no verdict because their data is not (or cannot be shown to be) the baseline's."""
    notes = []
    for basis, why in (("different_data", "were audited on different data than"),
                       ("unverified_data", "record no data fingerprint, so their data cannot be matched to")):
        keys = [k for k, b in no_comparison.items() if b == basis]
        if keys:
            notes.append(f"{', '.join(keys)} {why} the baseline {base_key}: no verdict and no paired test, since "
                         "their examples cannot be shown to pair up with the baseline's.")
    return notes


def copies_notes(shared: dict[str, list[str]]) -> list[str]:
    """A warning per run id given more than once: a copy compared with itself can only agree."""
    return [f"Runs {', '.join(names)} are one audit (run id {run_id}) given more than once: their columns agree by "
            "construction, which says nothing about the models." for run_id, names in shared.items()]


def compare_runs(paths: list[str], *, names: list[str] | None = None, baseline: str | None = None,
                 allow_different_data: bool = False, command: str = "") -> dict[str, Any]:
    """The comparison document; refuses runs on different data unless ``allow_different_data``."""
    runs = load_runs(paths, names)
    same_data = check_data(runs, allow_different_data)
    unverified = [r.name for r in runs if not r.fingerprint]
    base_run, base_model = pick_baseline(runs, baseline)
    base_key = column_key(base_run, base_model)
    differences = setting_differences(runs)
    rows, dropped = drop_unreported(align(runs, differences))
    match = {r.name: data_match(r, base_run) for r in runs}
    no_comparison = {column_key(r, m): match[r.name] for r in runs if match[r.name] != "same" for m in r.model_ids}
    paired, notes = paired_tests([r for r in runs if match[r.name] == "same"], (base_run, base_model))
    notes += no_comparison_notes(no_comparison, base_key)
    versus_baseline(rows, base_key, paired, no_comparison)
    cols = columns(runs)
    compared = sum(1 for c in cols if c["key"] != base_key and c["key"] not in no_comparison)
    settings_block, multiplicity_notes = multiplicity(paired, compared, base_key)
    notes += multiplicity_notes + [settings_note(d) for d in differences] + copies_notes(copies(runs))
    missing = sum(1 for r in rows for c in r["values"].values() if c["status"] != "ok")
    if missing:
        notes.append(f"{missing} metric value(s) are missing from some columns; each is shown as — with the reason.")
    return {
        "schema": COMPARE_SCHEMA,
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "data": {"same": same_data, "allowed_different": bool(allow_different_data), "unverified": unverified,
                 "fingerprints": {r.name: r.fingerprint for r in runs}, "flag": ALLOW_FLAG, "copies": copies(runs)},
        "runs": [run_summary(r) for r in runs],
        "columns": cols,
        "baseline": base_key,
        "paired_settings": {"metric": "accuracy", "method": PAIRED_METHOD, "confidence": CONFIDENCE},
        "multiplicity": settings_block,
        "probe_settings": differences,
        "metrics": rows,
        "unreported_metrics": dropped,
        "paired": paired,
        "notes": notes,
    }
