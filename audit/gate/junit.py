"""The gate block as JUnit XML, so CI systems show one test per check.

One ``<testsuite>`` per policy, one ``<testcase>`` per row (``metric · model``); a failed check
is a ``<failure>`` whose message names the value and the threshold, a check that could not be
evaluated is an ``<error>``, a skipped one ``<skipped>``. Written with ElementTree, so every
model id and message is escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET


def case_name(row: dict) -> str:
    name = f"{row.get('metric')} · {row.get('model')}"
    base = (row.get("baseline") or {}).get("model")
    if base:
        name += f" vs {base}"
    return f"{row['name']}: {name}" if row.get("name") else name


def to_junit(gate: dict) -> str:
    """JUnit XML text for a gate block."""
    rows = gate.get("checks") or []
    policy = gate.get("policy") or {}
    counts = {s: sum(1 for r in rows if r.get("status") == s) for s in ("fail", "error", "skip")}
    attrs = {"tests": str(len(rows)), "failures": str(counts["fail"]), "errors": str(counts["error"]),
             "skipped": str(counts["skip"]), "time": "0"}
    suites = ET.Element("testsuites", {"name": "audit gate", **attrs})
    suite = ET.SubElement(suites, "testsuite", {"name": str(policy.get("name") or "gate"), **attrs,
                                                "timestamp": str(gate.get("evaluated_at") or "")})
    props = ET.SubElement(suite, "properties")
    for key in ("path", "sha256"):
        ET.SubElement(props, "property", {"name": f"policy.{key}", "value": str(policy.get(key) or "")})
    for row in rows:
        case = ET.SubElement(suite, "testcase", {"classname": f"gate.{policy.get('name') or 'gate'}",
                                                 "name": case_name(row), "time": "0"})
        status = row.get("status")
        if status == "fail":  # the row's message names the value compared and the threshold
            message = f"{case_name(row)}: {row.get('message')}"
            ET.SubElement(case, "failure", {"type": "GateCheckFailed", "message": message}).text = _body(row)
        elif status == "error":
            ET.SubElement(case, "error", {"type": "GateCheckNotEvaluated",
                                          "message": str(row.get("message") or "")}).text = _body(row)
        elif status == "skip":
            ET.SubElement(case, "skipped", {"message": str(row.get("message") or "")})
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _body(row: dict) -> str:
    keys = ("metric", "model", "operator", "threshold", "value", "use", "ci", "drop", "drop_ci", "p_value", "line")
    return "\n".join(f"{k}: {row[k]}" for k in keys if row.get(k) is not None)
