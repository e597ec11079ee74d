"""The gate's JUnit XML is valid against the schemas CI tools read it by: Jenkins' junit-10.xsd (two
revisions of the xunit plugin's file) and the Apache Ant schema (JUnit.xsd), all in
tests/data/junit/ (sources and licenses in its README). Checked on the files `audit gate` and
`audit run --gate` write: a passing gate, a failing one with a not-evaluated and a skipped check,
one where every check was skipped, and one on hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_invoke import invoke
from lxml import etree  # in the test extra: a missing one fails the run, it never skips
from test_gate_outputs import POLICY

from audit.gate.junit import junit_timestamp, to_junit


SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "junit"
SCHEMAS = ("junit-10.xsd", "junit-10-permissive.xsd", "JUnit.xsd")

PASSING = "name: ok\nchecks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.85\n"
MIXED = POLICY  # the gate tests' policy: a pass, a fail, a skip and a relative check
ALL_SKIPPED = ("name: nothing\nchecks:\n  - metric: attack.max_success_rate\n    operator: '<='\n"
               "    threshold: 0.5\n    on_missing: skip\n")


@pytest.fixture(scope="module")
def schemas():
    return {name: etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name))) for name in SCHEMAS}


def assert_valid(schemas, xml: bytes) -> None:
    doc = etree.fromstring(xml)
    for name, schema in schemas.items():
        ok = schema.validate(doc)
        assert ok, f"{name}: " + "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)


def gate_junit(policy, results, text: str, tmp_path, *expect_codes: int) -> bytes:
    folder, _ = results
    junit = tmp_path / "ci" / "junit.xml"
    res = invoke("gate", str(folder), "--policy", str(policy(text)), "--junit", str(junit), "--no-reports")
    assert res.exit_code in expect_codes, res.output
    return junit.read_bytes()


def test_passing_gate_is_valid_junit(schemas, policy, results, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    xml = gate_junit(policy, results, PASSING, tmp_path, 0)
    assert_valid(schemas, xml)
    suite = etree.fromstring(xml).find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "0" and suite.get("skipped") == "0"


def test_failing_gate_with_error_and_skip_is_valid_junit(schemas, policy, results, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    xml = gate_junit(policy, results, MIXED, tmp_path, 1)
    assert_valid(schemas, xml)
    root = etree.fromstring(xml)
    kinds = sorted(child.tag for case in root.iter("testcase") for child in case)
    assert kinds == ["error", "failure", "skipped"]
    suite = root.find("testsuite")
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "5", "failures": "1", "errors": "1", "skipped": "1"}


def test_gate_that_evaluated_nothing_is_valid_junit_and_says_so(schemas, policy, results, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    xml = gate_junit(policy, results, ALL_SKIPPED, tmp_path, 1)
    assert_valid(schemas, xml)
    suite = etree.fromstring(xml).find("testsuite")
    assert "no check was evaluated" in suite.findtext("system-out")


def test_nothing_is_lost_for_the_schemas(policy, results, tmp_path, monkeypatch):
    """Ant's timestamp admits no time zone: the UTC time is written without it and the recorded
    value stays a property, beside the policy's path and hash and the verdict."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    folder, _ = results
    xml = gate_junit(policy, results, MIXED, tmp_path, 1)
    gate = json.loads((folder / "results.json").read_text())["gate"]
    suite = etree.fromstring(xml).find("testsuite")
    assert gate["evaluated_at"].endswith("Z") and suite.get("timestamp") == gate["evaluated_at"][:-1]
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"policy.path": gate["policy"]["path"], "policy.sha256": gate["policy"]["sha256"],
                     "gate.evaluated_at": gate["evaluated_at"], "gate.passed": "false"}
    assert suite.get("hostname") and suite.get("id") == "0" and suite.get("package") == "gate.release"
    # Ant's order: properties, the cases, then system-out and system-err
    tags = [child.tag for child in suite]
    assert tags[0] == "properties" and tags[-2:] == ["system-out", "system-err"]
    assert set(tags[1:-2]) == {"testcase"}


def test_hostile_names_and_odd_timestamps_stay_valid(schemas):
    rows = [{"metric": "metrics.accuracy", "model": "m\x01  <x>\n", "status": "fail", "message": "bad\x0b & <worse>",
             "operator": ">=", "threshold": 0.9, "value": 0.5},
            {"metric": "metrics.accuracy", "model": "m\x01  <x>\n", "status": "skip", "message": "\x00"}]
    gate = {"passed": False, "policy": {"name": " \x02 ", "path": None}, "evaluated_at": "yesterday",
            "checks": rows}
    xml = to_junit(gate, hostname="build host\x07").encode()
    assert_valid(schemas, xml)
    suite = etree.fromstring(xml).find("testsuite")
    assert suite.get("name") == "gate" and suite.get("hostname") == "buildhost"
    assert to_junit(gate, hostname=" ").count('hostname="localhost"') == 1


@pytest.mark.parametrize(("recorded", "written"), [
    ("2026-11-22T23:05:14Z", "2026-11-22T23:05:14"),
    ("2026-11-22T23:05:14.123456+00:00", "2026-11-22T23:05:14"),
    ("2026-11-23T01:05:14+02:00", "2026-11-22T23:05:14"),
    ("2026-11-22T23:05:14", "2026-11-22T23:05:14"),
])
def test_timestamps_are_utc_without_zone_or_fraction(recorded, written):
    assert junit_timestamp(recorded) == written


def test_run_with_gate_and_a_crashed_probe_writes_valid_junit(schemas, run_cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n")
    out = tmp_path / "c"
    res = run_cli("run", "--model", "tfidf.skops", "--model", "gate_models:broken", "--data", "test.csv",
                  "--probe", "metrics", "--out", str(out), "--gate", str(policy), "-q")
    assert res.exit_code == 3, res.output
    xml = (out / "gate" / "junit.xml").read_bytes()
    assert_valid(schemas, xml)
    assert [child.tag for case in etree.fromstring(xml).iter("testcase") for child in case] == ["error"]
