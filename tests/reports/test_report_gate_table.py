"""The report's gate section states each check's status as the gate recorded it (pass / fail /
not evaluated / skipped), counts them honestly, and names what each check demanded."""

from __future__ import annotations

import re
from pathlib import Path

import audit.reports
from audit.reports import markdown, render_html, render_markdown
from audit.reports.blocks import Report
from audit.reports.governance import build_governance
from audit.reports.html import render
from audit.core.gate_text import gate_condition
from audit.reports.sections.run import gate_section

ROW = {"kind": "absolute", "metric": "metrics.accuracy", "operator": ">=", "threshold": 0.8, "use": "value"}


def gate(statuses: list[str], *, counts: bool = True, passed: bool | None = None) -> dict:
    rows = []
    for i, status in enumerate(statuses):
        ok = {"pass": True, "fail": False, "error": False, "skip": None}[status]
        rows.append(ROW | {"model": f"m{i}", "status": status, "passed": ok, "value": 0.9 if ok else None,
                           "message": f"{status} row"})
    block = {"passed": passed if passed is not None else not any(s in ("fail", "error") for s in statuses),
             "checks": rows}
    if counts:
        block["counts"] = {s: statuses.count(s) for s in ("pass", "fail", "error", "skip")}
    return block


def verdict_text(block: dict) -> str:
    section = gate_section(block)
    return f"{section.blocks[0].title}: {section.blocks[0].text}"


def test_skipped_checks_are_not_counted_as_passed():
    text = verdict_text(gate(["pass", "pass", "skip", "skip"]))
    assert "All 4" not in text
    assert text == "Gate passed: 2 of 4 checks passed; 2 skipped (not evaluated; the policy lets them be skipped)."
    assert verdict_text(gate(["pass", "pass"])) == "Gate passed: All 2 checks passed."
    assert verdict_text(gate(["skip"])) == ("Gate passed: 1 of 1 checks skipped (not evaluated; the policy "
                                            "lets them be skipped).")


def test_not_evaluated_checks_are_not_called_failures():
    text = verdict_text(gate(["pass", "fail", "error", "skip"]))
    assert text == ("Gate failed: 1 of 4 checks failed; 1 could not be evaluated (that fails the gate); "
                    "1 passed; 1 skipped.")
    text = verdict_text(gate(["pass", "error"]))
    assert text == "Gate failed: 1 of 2 checks could not be evaluated (that fails the gate); 1 passed."


def test_each_status_has_its_own_word_and_style():
    report = Report(title="t", subtitle="", notices=[], sections=[gate_section(gate(["pass", "fail", "error", "skip"]))])
    html = render(report, "audit-results/1")
    cells = dict(re.findall(r'<td class="(status-[a-z]+)">([^<]+)</td>', html))
    assert cells == {"status-ok": "passed", "status-fail": "FAILED", "status-error": "not evaluated",
                     "status-skip": "skipped"}
    css = (Path(audit.reports.__file__).parent / "templates" / "report.css").open(encoding="utf-8").read()
    assert "td.status-skip" in css


def test_old_blocks_without_status_or_counts_fall_back_to_passed():
    block = gate(["pass", "fail"], counts=False)
    for row in block["checks"]:
        del row["status"]
    assert verdict_text(block) == "Gate failed: 1 of 2 checks failed; 1 passed."
    md = render_markdown({"schema": "audit-results/1", "gate": block})
    assert "| passed |" in md and "| FAILED |" in md


def test_governance_record_uses_the_same_words(sample):
    sample["gate"] = gate(["pass", "skip", "error"])
    part = markdown.render(build_governance(sample))
    part = part[part.index("## Gate decision"):part.index("## Example failures")]
    assert "1 of 3 checks could not be evaluated (that fails the gate); 1 passed; 1 skipped." in part
    assert "| not evaluated |" in part and "| skipped |" in part and "FAILED" not in part


def test_conditions_name_the_bound_and_the_baseline(sample):
    sample["gate"] = {"passed": False, "checks": [
        {"kind": "absolute", "metric": "metrics.accuracy", "model": "a", "operator": ">=", "threshold": 0.9,
         "use": "ci_lower", "value": 0.85, "passed": False, "message": "lower CI bound below 0.9"},
        {"kind": "relative", "metric": "metrics.accuracy", "model": "a", "baseline": {"model": "b"},
         "threshold": 0.01, "value": 0.004, "passed": True, "message": "drop vs b"},
    ]}
    md = render_markdown(sample)
    assert gate_condition(sample["gate"]["checks"][0]) == "ci lower ≥ 0.9"
    assert "ci lower ≥ 0.9" in md and "drop ≤ 0.01" in md and "a vs b" in md
    assert "ci lower ≥ 0.9" in render_html(sample)


def test_plain_condition_is_operator_and_threshold():
    assert gate_condition({"operator": "<=", "threshold": 0.05, "use": "value"}) == "≤ 0.05"
    assert gate_condition({"op": ">", "threshold": 1}) == "> 1"
    assert gate_condition({"operator": "<=", "threshold": 0.1, "use": "ci_upper"}) == "ci upper ≤ 0.1"
    assert gate_condition({"kind": "relative", "threshold": 0.02, "operator": "<="}) == "drop ≤ 0.02"


def test_a_gate_that_verified_nothing_says_why(sample):
    sample["gate"] = {"passed": False, "counts": {"pass": 0, "fail": 0, "error": 0, "skip": 2},
                      "message": "no check was evaluated (every row was skipped), so the gate verified nothing",
                      "checks": [{"kind": "absolute", "metric": "metrics.accuracy", "model": m, "operator": ">=",
                                  "threshold": 0.9, "status": "skip", "passed": None} for m in ("a", "b")]}
    md = render_markdown(sample)
    assert "Gate failed" in md and "2 of 2 checks" in md
    assert "No check was evaluated (every row was skipped), so the gate verified nothing." in md


PAIRED = {"kind": "relative", "metric": "metrics.accuracy", "model": "cand", "baseline": {"model": "prod"},
          "operator": "<=", "threshold": 0.01, "max_drop": 0.01, "confidence": 0.95, "method": "newcombe-hybrid-score",
          "drop": -0.0225, "drop_ci": [-0.0418, -0.007], "value": -0.007, "status": "pass", "passed": True,
          "message": "drop vs prod: ..."}


def test_paired_relative_row_names_the_ci_bound_and_shows_the_drop(sample):
    assert gate_condition(PAIRED) == "drop CI upper ≤ 0.01"
    point = PAIRED | {"method": "point", "drop": -0.0225, "drop_ci": None, "value": -0.0225}
    assert gate_condition(point) == "drop ≤ 0.01"
    sample["gate"] = {"passed": True, "checks": [PAIRED]}
    for text in (render_markdown(sample), render_html(sample)):
        assert "drop CI upper ≤ 0.01" in text and "drop ≤ 0.01" not in text
        assert "-0.007 (drop -0.0225, 95% CI -0.0418 to -0.007)" in text


def test_gate_values_are_formatted_alike_in_every_output(sample, tmp_path, capsys):
    from audit.cli.gate_cmd import print_verdict
    from audit.reports.gate_summary import to_markdown

    rows = [ROW | {"model": "a", "value": 0.123456789, "threshold": 0.1, "operator": "<=", "status": "fail",
                   "passed": False, "message": "m"},
            ROW | {"model": "b", "value": 0.89996, "threshold": 0.9, "status": "fail", "passed": False, "message": "m"}]
    block = {"passed": False, "policy": {"name": "p", "path": "p.yaml"}, "counts": {"fail": 2}, "checks": rows}
    sample["gate"] = block
    print_verdict(block)
    outputs = {"report.md": render_markdown(sample), "report.html": render_html(sample),
               "record": markdown.render(build_governance(sample)), "summary.md": to_markdown(block),
               "terminal": capsys.readouterr().out}
    for where, text in outputs.items():
        assert "0.1235" in text and "0.123457" not in text, where  # one formatter: 4 decimals
        # more digits only where value and threshold would print the same
        assert "0.89996" in text and "≥ 0.9" in text and "≥ 0.90000" not in text, where


def test_gate_tables_put_failures_first_and_keep_policy_order_within_a_status(sample):
    statuses = ["pass", "skip", "error", "pass", "fail", "pass", "pass", "fail"]
    sample["gate"] = gate(statuses)
    expected = ["m4", "m7", "m2", "m0", "m3", "m5", "m6", "m1"]
    table = gate_section(sample["gate"]).blocks[1]
    assert [row[2].text for row in table.rows] == expected
    record = markdown.render(build_governance(sample))
    models = re.findall(r"^\| [^|]+ \| metrics\.accuracy \| (m\d) \|", record, flags=re.M)
    assert models == expected


def test_failed_gate_verdict_names_the_failing_checks_and_links_the_section(sample):
    statuses = ["pass", "error", "fail", "fail", "fail", "fail"]
    sample["gate"] = gate(statuses)
    sample["gate"]["checks"][2]["baseline"] = {"model": "prod"}
    md = render_markdown(sample)
    verdict = md[md.index("## Verdict"):md.index("## Scorecard")]
    assert ("❌ **Gate failed** — 4 of 6 checks failed; 1 could not be evaluated (that fails the gate); 1 passed. "
            "All checks: Gate section") in verdict and "<a" not in md
    failing = re.findall(r"^\| (FAILED|not evaluated) \| metrics\.accuracy \| ([^|]+) \|", verdict, flags=re.M)
    assert failing == [("FAILED", "m2 vs prod"), ("FAILED", "m3"), ("FAILED", "m4"), ("FAILED", "m5"),
                       ("not evaluated", "m1")]
    html = render_html(sample)
    verdict_html = html[html.index('<section id="verdict"'):html.index('<section id="scorecard"')]
    assert "m2 vs prod" in verdict_html and '<a href="#gate">All checks: Gate section</a>' in verdict_html
    assert "Gate failed" not in html[html.index('class="notices"'):html.index('<section id="verdict"')]  # said once
    record = markdown.render(build_governance(sample))  # the record keeps its banner
    assert ("4 checks failed: metrics.accuracy · m2 vs prod; metrics.accuracy · m3; metrics.accuracy · m4 "
            "and 1 more. Details in the Gate section.") in record
    sample["gate"] = gate(["pass", "error"])
    assert "1 of 2 checks could not be evaluated" in render_markdown(sample)
    assert "1 check could not be evaluated: metrics.accuracy · m1." in markdown.render(build_governance(sample))
    sample["gate"]["checks"][1]["model"] = "<b>x</b>"
    assert "&lt;b&gt;x&lt;/b&gt;" in render_html(sample) and "<b>x" not in render_html(sample)
