"""Absolute checks: one metric of one model against a threshold, on its value or a CI bound.

``use: ci_lower`` with ``>=`` states "at least t with the probe's confidence" (the lower end of
the metric's bootstrap interval clears t); ``ci_upper`` with ``<=`` bounds a harm metric the
same way. The check's row in the gate block records the value compared and the interval.
"""

from __future__ import annotations

import operator as _op

from audit.core.gate_text import gate_num as fmt  # one number format for every gate output
from audit.core.gate_text import gate_pair as fmt_against

from audit.gate.metric_lookup import Missing, metric_record, probe_entry
from audit.gate.policy import Check

COMPARE = {">=": _op.ge, ">": _op.gt, "<=": _op.le, "<": _op.lt, "==": _op.eq, "!=": _op.ne}
USE_WORDS = {"value": "value", "ci_lower": "CI lower bound", "ci_upper": "CI upper bound"}
TOLERANCE = 1e-12  # == and != compare within this, so 0.1 + 0.2 == 0.3 holds


def compare(value: float, operator: str, threshold: float) -> bool:
    if operator in ("==", "!="):
        equal = abs(value - threshold) <= TOLERANCE
        return equal if operator == "==" else not equal
    return bool(COMPARE[operator](value, threshold))


def base_row(check: Check, model: str, metric: str) -> dict:
    row = {"id": f"{check.index}", "kind": check.kind, "metric": metric, "model": model, "line": check.line}
    if check.label:
        row["name"] = check.label
    return row


def unevaluated(row: dict, check: Check, reason: str) -> dict:
    """A check that could not be evaluated: an error (the gate fails) or, with on_missing: skip, skipped."""
    skip = check.on_missing == "skip"
    row.update(status="skip" if skip else "error", passed=None if skip else False, value=None,
               message=f"{'skipped' if skip else 'not evaluated'}: {reason}")
    return row


def no_ci_reason(doc: dict, check: Check, metric: str, model: str) -> str:
    """Why ``use: ci_*`` has no interval to read, and the fix that applies (bootstrap off, or none for this metric)."""
    bootstrap = ((probe_entry(doc, check.probe) or {}).get("config") or {}).get("bootstrap")
    if bootstrap == 0 and not isinstance(bootstrap, bool):
        return (f"{metric} has no confidence interval for '{model}' because the probe ran with bootstrap: 0; "
                f"turn the probe's bootstrap on, or use: value")
    return (f"{metric} is recorded without a confidence interval (probe '{check.probe}' gives none for this metric), "
            f"so {check.use} cannot be read; use: value")


def evaluate_absolute(check: Check, doc: dict, model: str, name: str) -> dict:
    """The gate-block row for one (check, model, concrete metric name)."""
    metric = f"{check.probe}.{name}"
    row = base_row(check, model, metric)
    row.update(operator=check.operator, threshold=check.threshold, use=check.use)
    try:
        record = metric_record(doc, check.probe, name, model)
    except Missing as exc:
        return unevaluated(row, check, str(exc))
    ci = record.get("ci")
    row.update(point=record["value"], ci=ci)
    if check.use == "value":
        value = float(record["value"])
    elif not (isinstance(ci, list) and len(ci) == 2 and all(isinstance(c, (int, float)) for c in ci)):
        return unevaluated(row, check, no_ci_reason(doc, check, metric, model))
    else:
        value = float(ci[0] if check.use == "ci_lower" else ci[1])
    ok = compare(value, check.operator, check.threshold)
    what = USE_WORDS[check.use]
    ci_text = f" (value {fmt(record['value'])}, CI {fmt(ci[0])} to {fmt(ci[1])})" if check.use != "value" else ""
    verdict = "meets" if ok else "fails"
    shown, limit = fmt_against(value, check.threshold)
    row.update(value=value, passed=ok, status="pass" if ok else "fail",
               message=f"{what} {shown} {verdict} {check.operator} {limit}{ci_text}")
    return row
