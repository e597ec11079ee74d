"""JUnit XML (parsed back with ElementTree) and the Markdown summary say what failed and why."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from audit.gate.evaluate import evaluate_gate
from audit.gate.junit import to_junit
from audit.gate.policy import load_policy
from audit.gate.summary import to_markdown, write_job_summary

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
    assert table[0].startswith("| ❌ FAIL | metrics.accuracy | base | >= 0.91 | 0.9 |")
    assert table[1].startswith("| ⚠️ error | attack.max_success_rate | cand |")
    assert any("| cand vs base | drop ≤ 0.01 |" in row and "McNemar" in row for row in table)
    assert table[-1].startswith("| ⏭️ skip |")


def test_markdown_escapes_table_breaking_text(policy, results):
    gate = mixed_gate(policy, results)
    gate["checks"][0]["message"] = "a | b <img src=x> `c`\nd"
    row = next(line for line in to_markdown(gate).splitlines() if "a \\| b" in line)
    assert "&lt;img src=x>" in row and "&#96;c&#96;" in row and "\n" not in row


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
