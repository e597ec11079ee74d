"""The gate block as JUnit XML, so CI systems show one test per check.

One ``<testsuite>`` per policy, one ``<testcase>`` per row (``metric · model``); a failed check
is a ``<failure>`` whose message names the value and the threshold, a check that could not be
evaluated is an ``<error>``, a skipped one ``<skipped>``. Written with ElementTree, so every
model id and message is escaped; characters XML 1.0 cannot hold at all (control characters,
which ElementTree would write as-is, making the file unreadable) are dropped first. Testcase
names are unique: CI tools merge or drop cases with the same name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(x) -> str:
    return _NOT_XML.sub("", str(x))


def case_name(row: dict) -> str:
    name = f"{row.get('metric')} · {row.get('model')}"
    base = (row.get("baseline") or {}).get("model")
    if base:
        name += f" vs {base}"
    return xml_safe(f"{row['name']}: {name}" if row.get("name") else name)


def unique_names(rows: list[dict]) -> list[str]:
    """case_name per row; a name used more than once gets the check's number (and a counter if still repeated)."""
    names = [case_name(r) for r in rows]
    repeated = {n for n in names if names.count(n) > 1}
    names = [f"{n} [check #{r.get('id')}]" if n in repeated else n for n, r in zip(names, rows)]
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def to_junit(gate: dict) -> str:
    """JUnit XML text for a gate block."""
    rows = gate.get("checks") or []
    policy = gate.get("policy") or {}
    counts = {s: sum(1 for r in rows if r.get("status") == s) for s in ("fail", "error", "skip")}
    attrs = {"tests": str(len(rows)), "failures": str(counts["fail"]), "errors": str(counts["error"]),
             "skipped": str(counts["skip"]), "time": "0"}
    # Jenkins' junit-10 schema allows no "skipped" on <testsuites> (only on <testsuite>)
    suites = ET.Element("testsuites", {"name": "audit gate", **{k: v for k, v in attrs.items() if k != "skipped"}})
    name = xml_safe(policy.get("name") or "gate")
    stamp = xml_safe(gate.get("evaluated_at") or "")
    suite = ET.SubElement(suites, "testsuite", {"name": name, **attrs, "timestamp": stamp})
    props = ET.SubElement(suite, "properties")
    for key in ("path", "sha256"):
        ET.SubElement(props, "property", {"name": f"policy.{key}", "value": xml_safe(policy.get(key) or "")})
    for row, case_id in zip(rows, unique_names(rows)):
        case = ET.SubElement(suite, "testcase", {"classname": f"gate.{name}", "name": case_id, "time": "0"})
        status = row.get("status")
        message = xml_safe(row.get("message") or "")
        if status == "fail":  # the row's message names the value compared and the threshold
            failure = ET.SubElement(case, "failure", {"type": "GateCheckFailed", "message": f"{case_id}: {message}"})
            failure.text = _body(row)
        elif status == "error":
            ET.SubElement(case, "error", {"type": "GateCheckNotEvaluated", "message": message}).text = _body(row)
        elif status == "skip":
            ET.SubElement(case, "skipped", {"message": message})
    if gate.get("message"):
        ET.SubElement(suite, "system-out").text = xml_safe(gate["message"])
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _body(row: dict) -> str:
    keys = ("metric", "model", "operator", "threshold", "value", "use", "ci", "drop", "drop_ci", "p_value", "line")
    return xml_safe("\n".join(f"{k}: {row[k]}" for k in keys if row.get(k) is not None))
