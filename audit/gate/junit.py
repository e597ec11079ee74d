"""The gate block as JUnit XML, so CI systems show one test per check.

One ``<testsuite>`` per policy, one ``<testcase>`` per row (``metric · model``); a failed check
is a ``<failure>`` whose message names the value and the threshold, a check that could not be
evaluated is an ``<error>``, a skipped one ``<skipped>``. Written with ElementTree, so every
model id and message is escaped; characters XML 1.0 cannot hold at all (control characters,
which ElementTree would write as-is, making the file unreadable) are dropped first. Testcase
names are unique: CI tools merge or drop cases with the same name.

The file is valid against both schemas CI tools read JUnit XML by: Jenkins' ``junit-10.xsd``
(xunit plugin) and the Apache Ant schema (``JUnit.xsd``); tests/gate/test_junit_schemas.py
checks it against both (tests/data/junit/). Where they differ the file takes the stricter:
``<testsuites>`` carries no attributes (Ant declares none; the one suite has the counts); the
suite has Ant's required ``id``, ``package``, ``hostname``, ``timestamp`` (UTC, without a time
zone: Ant's pattern admits none), ``<properties>`` first and ``<system-out>``/``<system-err>``
last; a testcase holds at most one of ``<failure>``/``<error>``/``<skipped>``. Nothing is lost:
the gate's ``evaluated_at`` as recorded (with its ``Z``) and its verdict are properties too.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

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


def to_junit(gate: dict, *, hostname: str | None = None) -> str:
    """JUnit XML text for a gate block; ``hostname`` defaults to this machine's name (Ant requires one)."""
    rows = gate.get("checks") or []
    policy = gate.get("policy") or {}
    counts = {s: sum(1 for r in rows if r.get("status") == s) for s in ("fail", "error", "skip")}
    # Ant's schema declares no attribute on <testsuites> and Jenkins' junit-10 no "skipped" there: the
    # counts stay on the one <testsuite>, where both schemas take them
    suites = ET.Element("testsuites")
    name = xml_safe(policy.get("name") or "").strip() or "gate"
    suite = ET.SubElement(suites, "testsuite", {
        "name": name, "tests": str(len(rows)), "failures": str(counts["fail"]), "errors": str(counts["error"]),
        "skipped": str(counts["skip"]), "time": "0", "timestamp": junit_timestamp(gate.get("evaluated_at")),
        "hostname": _hostname(hostname), "id": "0", "package": f"gate.{name}"})
    props = ET.SubElement(suite, "properties")
    for key, value in (("policy.path", policy.get("path")), ("policy.sha256", policy.get("sha256")),
                       ("gate.evaluated_at", gate.get("evaluated_at")), ("gate.passed", _flag(gate.get("passed")))):
        ET.SubElement(props, "property", {"name": key, "value": xml_safe(value if value is not None else "")})
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
    ET.SubElement(suite, "system-out").text = xml_safe(gate.get("message") or "")
    ET.SubElement(suite, "system-err").text = ""
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def junit_timestamp(evaluated_at) -> str:
    """``evaluated_at`` in UTC as ``YYYY-MM-DDTHH:MM:SS`` (Ant's xs:dateTime pattern: no zone, no fraction).

    A time without a zone is taken as UTC (the gate records UTC); a missing or unreadable one
    becomes the present time, so the required attribute is never empty.
    """
    when = None
    if isinstance(evaluated_at, str) and evaluated_at.strip():
        try:
            when = datetime.fromisoformat(evaluated_at.strip().replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None:
        when = datetime.now(timezone.utc)
    elif when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _hostname(given: str | None) -> str:
    """A non-empty host name without whitespace or control characters ('localhost' if none, as Ant says)."""
    if given is None:
        try:
            given = socket.gethostname()
        except OSError:
            given = ""
    return "".join(xml_safe(given).split()) or "localhost"


def _flag(value) -> str | None:
    return None if value is None else str(bool(value)).lower()


def _body(row: dict) -> str:
    keys = ("metric", "model", "operator", "threshold", "value", "use", "ci", "drop", "drop_ci", "p_value", "line")
    return xml_safe("\n".join(f"{k}: {row[k]}" for k in keys if row.get(k) is not None))
