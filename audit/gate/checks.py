"""Absolute checks: one metric of one model against a threshold, on its value or a CI bound.

``use: ci_lower`` with ``>=`` states "at least t with the probe's confidence" (the lower end of
the metric's bootstrap interval clears t); ``ci_upper`` with ``<=`` bounds a harm metric the
same way. The check's row in the gate block records the value compared and the interval.
"""

from __future__ import annotations

import operator as _op

from audit.gate.metrics import Missing, metric_record
from audit.gate.policy import Check

COMPARE = {">=": _op.ge, ">": _op.gt, "<=": _op.le, "<": _op.lt, "==": _op.eq, "!=": _op.ne}
USE_WORDS = {"value": "value", "ci_lower": "CI lower bound", "ci_upper": "CI upper bound"}
TOLERANCE = 1e-12  # == and != compare within this, so 0.1 + 0.2 == 0.3 holds


def fmt(x) -> str:
    """Numbers as the gate prints them: enough digits to see why a check failed."""
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.4g}" if abs(x) < 1e-3 and x != 0 else f"{x:.4f}".rstrip("0").rstrip(".") or "0"
    return str(x)


def fmt_against(value, threshold) -> tuple[str, str]:
    """``fmt`` of a value and its threshold, with more digits when 4 would print them equal
    (0.89996 must not read "0.9 fails >= 0.9")."""
    a, b = fmt(value), fmt(threshold)
    if a != b or float(value) == float(threshold):
        return a, b
    for digits in range(5, 18):
        a, b = f"{float(value):.{digits}g}", f"{float(threshold):.{digits}g}"
        if a != b:
            break
    return a, b


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
        return unevaluated(row, check, f"{metric} has no confidence interval for '{model}'; use: value, or "
                                       "enable the probe's bootstrap")
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
