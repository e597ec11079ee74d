"""How every gate output words a check: the number format, the condition, the value, the
status and its order. The report, the record, gate/summary.md, JUnit and the terminal all read
these, so a check reads the same everywhere."""

from __future__ import annotations

from audit.core.document import as_dict
from audit.core.fmt import DASH


def _text(x) -> str:
    return DASH if x is None or x == "" else str(x)


OPERATORS = {">=": "≥", "<=": "≤", "!=": "≠", "==": "="}
GATE_STATUS = {  # row status -> (word in the table, CSS class); "error" = could not be evaluated
    "pass": ("passed", "status-ok"),
    "fail": ("FAILED", "status-fail"),
    "error": ("not evaluated", "status-error"),
    "skip": ("skipped", "status-skip"),
}
GATE_ORDER = {"fail": 0, "error": 1, "pass": 2, "skip": 3}  # what a reader must see first


def gate_num(x) -> str:
    """A number as every gate output prints it (report, record, summary.md, terminal, messages):
    4 decimals for ordinary values, 4 significant digits for tiny ones, trailing zeros dropped."""
    if x is None:
        return DASH
    if isinstance(x, float):
        return f"{x:.4g}" if abs(x) < 1e-3 and x != 0 else f"{x:.4f}".rstrip("0").rstrip(".") or "0"
    return str(x)


def gate_pair(value, threshold) -> tuple[str, str]:
    """``gate_num`` of a value and its threshold, with more digits when 4 would print them equal
    (0.89996 must not read "0.9 fails >= 0.9")."""
    a, b = gate_num(value), gate_num(threshold)
    if a != b or not all(isinstance(x, (int, float)) for x in (value, threshold)) or float(value) == float(threshold):
        return a, b
    for digits in range(5, 18):
        a, b = f"{float(value):.{digits}g}", f"{float(threshold):.{digits}g}"
        if a != b:
            break
    return a, b


def _paired(check: dict) -> list | None:
    """A relative row's drop interval, when the check was decided on its upper end."""
    ci = check.get("drop_ci")
    ok = isinstance(ci, list) and len(ci) == 2 and all(isinstance(x, (int, float)) for x in ci)
    return ci if check.get("kind") == "relative" and ok else None


def gate_condition(check: dict) -> str:
    """What the check demands: `≥ 0.9`, `ci lower ≥ 0.9`, `drop ≤ 0.01` (relative, point values) or
    `drop CI upper ≤ 0.01` (relative, decided on the paired interval's upper end)."""
    threshold = check.get("threshold", check.get("max_drop"))
    limit = gate_pair(check.get("value"), threshold)[1] if threshold is not None else DASH
    if check.get("kind") == "relative":
        return f"drop CI upper ≤ {limit}" if _paired(check) else f"drop ≤ {limit}"
    op = _text(check.get("operator", check.get("op")))
    cond = f"{OPERATORS.get(op, op)} {limit}"
    use = check.get("use")
    return f"{str(use).replace('_', ' ')} {cond}" if use not in (None, "value") else cond


def gate_value(check: dict) -> str:
    """What was compared with the threshold; for a paired relative row also the drop and its interval."""
    threshold = check.get("threshold", check.get("max_drop"))
    shown = gate_pair(check.get("value"), threshold)[0] if threshold is not None else gate_num(check.get("value"))
    ci = _paired(check)
    if ci is None or check.get("value") is None:
        return shown
    level = check.get("confidence")
    pct = f"{level:.0%} " if isinstance(level, (int, float)) else ""
    return f"{shown} (drop {gate_num(check.get('drop'))}, {pct}CI {gate_num(ci[0])} to {gate_num(ci[1])})"


def gate_status(check: dict) -> str:
    """The row's recorded status; an old block without one reads it from ``passed``."""
    status = check.get("status")
    if status in GATE_STATUS:
        return str(status)
    return {True: "pass", False: "fail"}.get(check.get("passed"), "error")


def gate_sorted(checks: list[dict]) -> list[dict]:
    """Failed, then not evaluated, then passed, then skipped; policy order within each (stable)."""
    return sorted(checks, key=lambda c: GATE_ORDER[gate_status(c)])


def gate_row_name(check: dict) -> str:
    """``metric · model`` (``· model vs baseline`` for a relative check), as JUnit names a row."""
    baseline = as_dict(check.get("baseline")).get("model")
    model = f"{_text(check.get('model'))} vs {baseline}" if baseline else _text(check.get("model"))
    return f"{_text(check.get('metric'))} · {model}"


VERDICT_PHRASES = (  # (status, phrase); the first nonzero one reads "k of N checks <phrase>"
    ("fail", "failed"),
    ("error", "could not be evaluated (that fails the gate)"),
    ("pass", "passed"),
    ("skip", "skipped"),
)
