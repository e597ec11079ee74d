"""The verdict comes first: the gate's result and failing checks, the findings ranked per model (from the
results' findings block, hand-built here), and the first model against each other one, example by example.
Probe sections fold, open only where there is a finding; without a findings block the verdict says none were
computed and every section opens."""

from __future__ import annotations

import re

from report_findings_fixtures import block, item
from report_builders import SCRIPT_TEXT, metric, ok, probe, results_with

from audit.reports import render_html, render_markdown
from audit.reports.findings import NO_BLOCK
from audit.reports.report import build_report
from audit.reports.verdict import paired_rows

ACC = [{"name": "accuracy", "headline": True, "higher_is_better": True}]
DROP = [{"name": "accuracy_drop", "headline": True, "higher_is_better": False}]


def comparison(metric_name: str, diff: float, ci: tuple, a="a", b="b", p=0.004, **extra) -> dict:
    return {"metric": metric_name, "a": a, "b": b, "n": 400, "diff": diff, "ci": list(ci), "confidence": 0.95,
            "mcnemar": {"p_value": p}, **extra}


def doc_with(findings: dict | None = None, gate: dict | None = None, models=("a", "b"), comparisons=None) -> dict:
    values = {"a": 0.90, "b": 0.85, "c": 0.80}
    metrics = probe("metrics", {m: ok({"accuracy": metric(values[m], (values[m] - 0.03, values[m] + 0.03))})
                                for m in models}, specs=ACC, family="performance",
                    paired={"confidence": 0.95, "comparisons": comparisons if comparisons is not None else
                            [comparison("accuracy", 0.05, (0.02, 0.08))]})
    noise = probe("noise", {m: ok({"accuracy_drop": metric(0.12, (0.08, 0.16), False)}) for m in models}, specs=DROP)
    fair = probe("group-fairness", {m: ok({"accuracy_drop": metric(0.01, (0.0, 0.02), False)}) for m in models},
                 specs=DROP, family="fairness")
    doc = results_with([metrics, noise, fair], models=models, gate=gate)
    if findings is not None:
        doc["findings"] = findings
    return doc


def findings_block() -> dict:
    return block([
        item("a", "noise", "accuracy_drop", "finding", value=0.12, ci=(0.08, 0.16), severity="medium",
             title="Accuracy drops 0.12 under typos", p_adjusted=0.0004),
        item("a", "noise", "accuracy_drop/ocr", "finding", value=0.30, ci=(0.2, 0.4), severity="high",
             title="Accuracy drops 0.30 under OCR noise", p_adjusted=0.02),
        item("b", "noise", "accuracy_drop", "finding", value=0.12, ci=(0.08, 0.16), severity="low",
             title=f"B drops too {SCRIPT_TEXT}"),
        item("a", "group-fairness", "accuracy_drop", "passed", value=0.01, ci=(0.0, 0.02), p_adjusted=0.6),
        item("b", "metrics", "accuracy", "passed", value=0.85, p_adjusted=0.5),
        item("b", "group-fairness", "max_gap/age", "not_tested", value=None, ci=None,
             reason="every group below min_support=30, largest group 12"),
    ])


def verdict_html(html: str) -> str:
    return html[html.index('<section id="verdict"'):html.index('<section id="scorecard"')]


def test_sections_run_verdict_scorecard_gate_probes_then_the_appendix():
    gate = {"passed": True, "checks": [{"metric": "metrics.accuracy", "model": "a", "operator": ">=",
                                         "threshold": 0.8, "value": 0.9, "status": "pass"}]}
    sections = build_report(doc_with(findings_block(), gate)).sections
    assert [s.id for s in sections] == ["verdict", "scorecard", "gate", "probe-metrics", "probe-noise",
                                        "probe-group-fairness", "summary", "provenance"]
    assert sections[2].blocks[1].css == "gate-table"  # a row's status class never leaks onto the table


def test_findings_are_ranked_per_model_with_value_interval_adjusted_p_and_evidence():
    html = render_html(doc_with(findings_block()))
    v = verdict_html(html)
    a, b = v.index("<h3>a "), v.index("<h3>b ")
    first, second = v.index("Accuracy drops 0.30 under OCR noise"), v.index("Accuracy drops 0.12 under typos")
    assert a < first < second < b  # high before medium, within model a
    assert '<span class="badge sev sev-high">high</span>' in v and '<span class="badge sev sev-low">low</span>' in v
    assert "0.300 [0.200, 0.400]" in v and "adjusted p 0.02" in v and "adjusted p &lt;0.001" in v
    assert '<a class="evidence" href="#probe-noise">noise →</a>' in v
    assert "&lt;script&gt;" in v and SCRIPT_TEXT not in html  # a title is data: escaped
    assert re.search(r'passed \(1\):</span> <span class="name" title="[^"]*">group-fairness\.accuracy_drop</span>', v)
    assert "not tested (1):" in v and "every group below min_support=30, largest group 12" in v
    assert "Benjamini-Hochberg at q = 0.05: 3 of 5 tested hypotheses rejected." in v


def test_sections_open_only_where_there_are_findings():
    sections = {s.id: s for s in build_report(doc_with(findings_block())).sections}
    assert sections["probe-noise"].collapsible and sections["probe-noise"].open
    assert not sections["probe-metrics"].open and not sections["probe-group-fairness"].open
    assert sections["probe-noise"].nav == "3 findings" and sections["probe-metrics"].nav == ""
    html = render_html(doc_with(findings_block()))
    assert re.search(r'<section id="probe-noise" class="report-section collapsible">\s*<details class="section-fold" open>', html)
    assert re.search(r'<section id="probe-metrics" class="report-section collapsible">\s*<details class="section-fold">', html)


def test_without_a_findings_block_the_verdict_says_so_and_every_section_opens():
    doc = doc_with(None)
    sections = build_report(doc).sections
    assert all(s.open for s in sections if s.collapsible)
    v = verdict_html(render_html(doc))
    assert NO_BLOCK in v
    assert "better" in v and "+0.050 [+0.020, +0.080]" in v  # the paired comparison still shows
    md = render_markdown(doc)
    assert "No findings computed" in md[md.index("## Verdict"):md.index("## Scorecard")]


def test_evidence_of_a_section_not_in_the_report_is_not_linked():
    findings = block([item("a", "explain", "faithfulness", "finding", severity="high", title="Explanations unfaithful")])
    v = verdict_html(render_html(doc_with(findings)))
    assert "Explanations unfaithful" in v and "probe-explain" not in v


def test_paired_comparison_says_better_worse_or_not_distinguishable_with_the_interval():
    doc = doc_with(None, models=("a", "b", "c"), comparisons=[
        comparison("accuracy", 0.05, (0.02, 0.08)),
        comparison("accuracy", 0.10, (-0.01, 0.2), b="c"),  # does not match the values (0.90 − 0.80 = 0.10): used
    ])
    rows = paired_rows(doc, ["a", "b", "c"])
    assert [[c.text for c in r] for r in rows] == [
        ["metrics.accuracy ↑", "b", "better", "+0.050 [+0.020, +0.080]", "McNemar 0.004"],
        ["metrics.accuracy ↑", "c", "not distinguishable", "+0.100 [-0.010, +0.200]", "McNemar 0.004"],
    ]
    worse = doc_with(None, comparisons=[comparison("accuracy", 0.05, (0.02, 0.08), a="b", b="a")])
    worse["probes"][0]["results"]["a"]["metrics"]["accuracy"]["value"] = 0.80  # b − a = 0.05: a is worse
    assert [c.text for c in paired_rows(worse, ["a", "b"])[0]][1:3] == ["worse", "-0.050 [-0.080, -0.020]"]


def test_a_stale_comparison_is_not_shown():
    doc = doc_with(None, comparisons=[comparison("accuracy", 0.20, (0.1, 0.3))])  # values differ by 0.05
    assert paired_rows(doc, ["a", "b"]) == []
    assert "No paired comparison" in verdict_html(render_html(doc))


def test_one_model_has_no_paired_comparison():
    v = verdict_html(render_html(doc_with(findings_block(), models=("a",))))
    assert "Paired comparison" not in v and "No paired comparison" not in v


def test_markdown_verdict_lists_every_finding_then_passed_and_not_tested():
    md = render_markdown(doc_with(findings_block()))
    v = md[md.index("## Verdict"):md.index("## Scorecard")]
    assert "**a** · 2 findings" in v and "**b** · 1 finding" in v
    assert "1. 🔴 **high** · Accuracy drops 0.30 under OCR noise — 0.300 \\[0.200, 0.400\\] · threshold 0.05" in v
    assert "(evidence: noise)" in v and "&lt;script&gt;" in v
    assert "passed (1): group-fairness.accuracy\\_drop" in v
    assert "not tested (1): group-fairness.max\\_gap/age (every group below min\\_support=30, largest group 12)" in v
    assert "| metrics.accuracy ↑ | **better** | +0.050 \\[+0.020, +0.080\\] | McNemar 0.004 |" in v
