"""Honest unit statuses: "partial" (it ran, but not all of it) and "no_values" (it ran and computed
nothing) are shown as such in the probe table, the scorecard cells, the section headers, the notices and
Markdown, with their reasons, and never as "ok"."""

from __future__ import annotations

import re

from report_builders import metric, ok, probe, results_with

from audit.reports import render_html, render_markdown
from audit.reports.governance_limits import derived_limitations
from audit.reports.report import build_report
from audit.reports.scorecard import build_scorecard
from audit.reports.status import status_label

PWWS = "pwws skipped: WordNet missing; run audit resources --fetch wordnet"
SUPPORT = "every group below min_support=30, largest group 12"
SPECS = [{"name": "success_rate", "headline": True, "higher_is_better": False}]
FAIR_SPECS = [{"name": "max_gap", "headline": True, "higher_is_better": False}]


def statuses_doc() -> dict:
    attack = probe("attack", {
        "a": ok({"success_rate": metric(0.20, (0.15, 0.25), False)}),
        "b": ok({"success_rate": metric(0.40, (0.33, 0.47), False)}, status="partial", reason=PWWS),
    }, specs=SPECS)
    fairness = probe("group-fairness", {
        "a": ok({"max_gap": metric(0.05, (0.01, 0.09), False)}),
        "b": ok({}, status="no_values", reason=SUPPORT),
    }, specs=FAIR_SPECS, family="fairness")
    return results_with([attack, fairness])


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_labels_never_say_ok_for_an_incomplete_unit():
    assert status_label("partial") == "partial" and status_label("no_values") == "no values"
    assert status_label("something_new") == "something new"


def test_scorecard_flags_a_partial_value_and_names_an_empty_unit():
    doc = statuses_doc()
    rows = {r[0].text: r for r in build_scorecard(doc, ["a", "b"]).rows}
    partial = rows["attack.success_rate"][3]
    assert partial.text.startswith("0.40") and partial.flag == "partial" and partial.title == PWWS
    empty = rows["group-fairness.max_gap"][3]
    assert empty.text == "no values" and "status-no_values" in empty.css and empty.title == SUPPORT
    assert rows["attack.success_rate"][2].flag == ""  # an ok unit carries no flag


def test_html_shows_each_status_in_table_header_and_notice():
    html = render_html(statuses_doc())
    assert 'class="badge flag">partial</span>' in html  # the scorecard cell
    assert "status-no_values" in html
    assert 'class="badge flag status-partial">partial: b</span>' in html  # the attack section header
    assert 'class="badge flag status-no_values">no values: b</span>' in html
    text = text_of(html)
    assert "2 probe run(s) incomplete" in text
    assert "attack on b: partial; group-fairness on b: no values. Why: in each section." in text
    assert PWWS in text and SUPPORT in text  # the reasons, in the sections
    assert "1 ok, 1 partial" in text and "1 ok, 1 no values" in text  # the probe table in the appendix
    assert "b: partial" in text and "b: no values" in text  # each section's status callout


def test_markdown_says_partial_and_no_values():
    md = render_markdown(statuses_doc())
    assert "_\\[partial\\]_" in md
    assert "| no values |" in md
    assert "attack · robustness · partial: b" in md
    assert "group-fairness · fairness · no values: b" in md
    assert "incomplete" in md and "WordNet missing" in md and "min\\_support=30" in md


def test_section_flags_name_status_and_models():
    doc = statuses_doc()
    section = next(s for s in build_report(doc).sections if s.id == "probe-attack")
    assert section.flags == [("partial: b", "status-partial")]


def test_governance_limitations_name_incomplete_units():
    limits = " ".join(derived_limitations(statuses_doc()))
    assert f"Probe 'attack' ran only in part on model 'b': {PWWS}" in limits
    assert f"Probe 'group-fairness' computed no value on model 'b': {SUPPORT}" in limits
