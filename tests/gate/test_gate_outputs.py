"""JUnit XML (parsed back with ElementTree) and the Markdown summary say what failed and why; both
survive hostile text (control characters, Markdown and HTML) and repeated check names."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from audit.gate.evaluate import evaluate_gate
from audit.gate.junit import to_junit
from audit.gate.policy import load_policy
from audit.reports.gate_summary import to_markdown, write_job_summary
from audit.reports.markdown import md_cell
from audit.core.gate_text import gate_condition

POLICY = """name: release
checks:
  - metric: metrics.accuracy
    operator: '>='
    threshold: 0.91
  - metric: attack.max_success_rate
    operator: '<='
    threshold: 0.5
    model: cand
  - metric: group-fairness.max_demographic_parity_difference
    operator: '<='
    threshold: 0.1
    model: base
    on_missing: skip
  - name: no regression
    metric: metrics.accuracy
    model: cand
    baseline: base
    max_drop: 0.01
"""


def mixed_gate(policy, results) -> dict:
    folder, doc = results
    return evaluate_gate(load_policy(policy(POLICY)), doc, folder)


def test_junit_has_one_case_per_check_with_failures_errors_and_skips(policy, results):
    gate = mixed_gate(policy, results)
    root = ET.fromstring(to_junit(gate).encode())
    assert root.tag == "testsuites"
    # Ant's JUnit.xsd allows no attribute on <testsuites> (Jenkins' junit-10.xsd no "skipped"): the counts
    # are on the suite (test_junit_schemas.py validates against both)
    assert dict(root.attrib) == {}
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "release"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "5", "failures": "1", "errors": "1", "skipped": "1"}
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"metrics.accuracy · cand", "metrics.accuracy · base", "attack.max_success_rate · cand",
                          "group-fairness.max_demographic_parity_difference · base",
                          "no regression: metrics.accuracy · cand vs base"}
    failure = cases["metrics.accuracy · base"].find("failure")
    assert failure.get("type") == "GateCheckFailed"
    assert "0.9" in failure.get("message") and ">= 0.91" in failure.get("message")
    assert "threshold: 0.91" in failure.text and "value: 0.9" in failure.text
    error = cases["attack.max_success_rate · cand"].find("error")
    assert "did not run" in error.get("message")
    assert cases["group-fairness.max_demographic_parity_difference · base"].find("skipped") is not None
    passed = cases["no regression: metrics.accuracy · cand vs base"]
    assert list(passed) == [] and cases["metrics.accuracy · cand"].find("failure") is None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["policy.sha256"] == gate["policy"]["sha256"]


def test_junit_escapes_untrusted_text(policy, results):
    gate = mixed_gate(policy, results)
    gate["checks"][1]["model"] = 'x"<y>&z'
    gate["checks"][1]["message"] = "<script>alert(1)</script>"
    text = to_junit(gate)
    assert "<script>" not in text
    cases = ET.fromstring(text.encode()).findall(".//testcase")
    assert cases[1].get("name") == 'metrics.accuracy · x"<y>&z'


def test_markdown_summary_puts_failures_first(policy, results):
    md = to_markdown(mixed_gate(policy, results))
    lines = md.splitlines()
    assert lines[0] == "## ❌ Gate failed: release"
    assert "2 passed, 1 failed, 1 not evaluated, 1 skipped" in lines[2]
    table = [line for line in lines if line.startswith("| ")][1:]
    # conditions are worded by the report renderer, so summary, terminal and report.md agree
    ge = md_cell(gate_condition({"kind": "absolute", "operator": ">=", "threshold": 0.91}))
    drop = md_cell(gate_condition({"kind": "relative", "threshold": 0.01, "drop_ci": [-0.1, 0.0]}))
    assert drop == "drop CI upper ≤ 0.01"  # a paired row is decided on the interval's upper end
    assert table[0].startswith(f"| ❌ FAIL | metrics.accuracy | base | {ge} | 0.9 |")
    assert table[1].startswith("| ⚠️ error | attack.max\\_success\\_rate | cand |")
    assert any(f"| cand vs base | {drop} |" in row and "McNemar" in row for row in table)
    assert table[-1].startswith("| ⏭️ skip |")


def test_markdown_escapes_table_breaking_text(policy, results):
    gate = mixed_gate(policy, results)
    gate["checks"][0]["message"] = "a | b <img src=x> `c` *d* [e](f) @team\nd"
    gate["checks"][0]["model"] = "m_<b>"
    gate["policy"]["name"] = "rel*ease <i>"
    md = to_markdown(gate)
    row = next(line for line in md.splitlines() if "a \\| b" in line)
    assert md_cell(gate["checks"][0]["message"]) in row and "<img" not in row and "\n" not in row
    assert "\\*d\\*" in row and "\\`c\\`" in row and "@\u200bteam" in row and "m\\_&lt;b&gt;" in row
    assert md.splitlines()[0] == "## ❌ Gate failed: rel\\*ease &lt;i&gt;"


def test_passing_summary_and_github_step_summary(policy, results, tmp_path, monkeypatch):
    folder, doc = results
    gate = evaluate_gate(load_policy(policy("checks:\n  - metric: metrics.ece\n    operator: '<='\n    threshold: 0.05\n")),
                         doc, folder)
    md = to_markdown(gate)
    assert md.startswith("## ✅ Gate passed") and md.count("✅ pass") == 2
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert write_job_summary(md) is None
    target = tmp_path / "step_summary.md"
    target.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    assert write_job_summary(md) == target
    assert target.read_text() == "earlier step\n" + md + "\n"


def test_junit_drops_control_characters_and_stays_parseable(policy, results):
    gate = mixed_gate(policy, results)
    gate["checks"][0]["model"] = "m\x00o\x1bd\x07el"
    for row in gate["checks"]:
        row["message"] = "bad\x0b text \ud800 and \ufffe end"
    gate["policy"]["name"] = "rel\x01ease"
    text = to_junit(gate)
    root = ET.fromstring(text.encode())  # an XML 1.0 parser refuses any of those characters
    assert root.find("testsuite").get("name") == "release"
    names = [c.get("name") for c in root.iter("testcase")]
    assert any(n.endswith("· model") for n in names)
    messages = [e.get("message") for e in root.iter() if e.get("message")]
    assert any("bad text  and  end" in m for m in messages)


def test_junit_testcase_names_are_unique(policy, results):
    # two unnamed checks of the same metric on the same models would give identical testcase names
    folder, doc = results
    text = ("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n"
            "  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.8\n")
    gate = evaluate_gate(load_policy(policy(text)), doc, folder)
    gate["checks"].append(dict(gate["checks"][0]))  # even a repeated row id stays distinct
    names = [c.get("name") for c in ET.fromstring(to_junit(gate).encode()).iter("testcase")]
    assert len(names) == len(set(names)) == 5
    assert "metrics.accuracy · cand [check #1]" in names and "metrics.accuracy · cand [check #2]" in names


def test_summary_states_why_a_gate_that_evaluated_nothing_failed(policy, results):
    text = ("checks:\n  - metric: group-fairness.max_demographic_parity_difference\n    operator: '<='\n"
            "    threshold: 0.1\n    model: base\n    on_missing: skip\n")
    gate = evaluate_gate(load_policy(policy(text)), results[1], results[0])
    md = to_markdown(gate)
    assert md.startswith("## ❌ Gate failed") and "no check was evaluated" in md
    assert "no check was evaluated" in ET.fromstring(to_junit(gate).encode()).find(".//system-out").text
