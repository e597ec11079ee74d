"""How the reports word a probe x model status, in one place, so no page calls a unit "ok" that is not.

A unit's status is one of:

- ``ok``: the probe ran completely;
- ``partial``: it ran, but part of it did not (``reason`` names what and why, e.g. "pwws skipped:
  WordNet missing; run audit resources --fetch wordnet"); its values cover what did run;
- ``no_values``: it ran but could compute no value (e.g. every group below min_support);
- ``not_applicable``: the model lacks what the probe needs;
- ``error``: the probe failed;
- ``missing``: no result recorded (an interrupted run).

A status the reports do not know yet is shown as written, never as "ok".
"""

from __future__ import annotations

from audit.core.document import probes_of, status_of

LABEL = {"ok": "ok", "partial": "partial", "no_values": "no values", "not_applicable": "not applicable",
         "error": "error", "missing": "not run"}
SHORT = {**LABEL, "not_applicable": "n/a"}  # in a table cell
HAS_VALUES = ("ok", "partial")  # units whose metrics and details are worth showing
INCOMPLETE = ("partial", "no_values")  # ran, but not all of it: the report says so near the top
CALLOUT = {"error": "error", "partial": "warn", "no_values": "warn"}  # else "not_applicable"


def status_label(status: str, short: bool = False) -> str:
    """The words for ``status`` (``short``: as a table cell says it)."""
    return (SHORT if short else LABEL).get(status, str(status).replace("_", " "))


def callout_kind(status: str) -> str:
    return CALLOUT.get(status, "not_applicable")


def status_css(status: str) -> str:
    """``status-<status>`` with anything but letters, digits and ``_`` dropped (a class name, never markup)."""
    return "status-" + "".join(c for c in str(status) if c.isalnum() or c == "_")


def has_values(probe: dict, model: str) -> bool:
    return status_of(probe, model)[0] in HAS_VALUES


def incomplete_units(results: dict, models: list[str]) -> list[tuple[str, str, str, str]]:
    """(probe, model, status, reason) of every unit that ran only in part or produced no value."""
    out = []
    for probe in probes_of(results):
        for model in models:
            status, reason = status_of(probe, model)
            if status in INCOMPLETE:
                out.append((str(probe.get("name")), model, status, reason))
    return out


def unit_flags(probe: dict, models: list[str]) -> list[tuple[str, str]]:
    """The statuses worth a badge in a probe's section header: (text, css) per status other than ok, naming
    its models, e.g. ("partial: tfidf", "status-partial")."""
    by_status: dict[str, list[str]] = {}
    for model in models:
        status = status_of(probe, model)[0]
        if status != "ok":
            by_status.setdefault(status, []).append(model)
    return [(f"{status_label(s)}: {', '.join(ms)}", status_css(s)) for s, ms in by_status.items()]
