"""report.md fits where it is posted: by default (compact) the verdict, findings, scorecard and gate are
written out and each probe's detail sits in a <details> block, the whole under 60,000 characters (GitHub
refuses a comment over 65,536); `--markdown full` writes every section out. Word diffs use one notation,
[-removed-] {+inserted+}, with a legend that says so."""

from __future__ import annotations

import copy
import json
import re

import pytest
from click.testing import CliRunner
from report_findings_fixtures import findings_for

from audit.cli import main
from audit.reports import render_markdown, write_reports
from audit.reports.markdown import COMPACT_LIMIT, LEFT_OUT
from audit.reports.sections.common import DIFF_TEXT


def headings(md: str) -> list[str]:
    return re.findall(r"^## (.+)$", md, flags=re.M)


def summaries(md: str) -> list[str]:
    return re.findall(r"^<details><summary>(.+?)</summary>$", md, flags=re.M)


def test_compact_writes_the_verdict_out_and_folds_each_probe(tfidf_results):
    doc = tfidf_results
    doc["findings"] = findings_for(doc)
    md = render_markdown(doc)
    assert headings(md) == ["Verdict", "Scorecard"]
    folds = summaries(md)
    assert folds[0] == "metrics · performance" and "noise · robustness · 6 findings" in folds
    assert folds[-2:] == ["Run summary", "Provenance"]
    assert md.count("<details><summary>") == md.count("</details>")
    assert "**unigram** · 3 findings" in md and "**bigram** · 3 findings" in md
    assert len(md) < COMPACT_LIMIT
    full = render_markdown(doc, "full")
    assert "## noise · robustness · 6 findings" in full and "<details><summary>noise" not in full
    assert len(full) > len(md)


def test_the_verdict_scorecard_and_gate_survive_when_the_detail_must_go(sample):
    """A report far over the limit loses folded bodies (sections without findings first), never the top."""
    probes = sample["probes"]
    long_text = "word " * 120
    for i in range(60):
        p = copy.deepcopy(probes[0])
        p["name"] = f"probe{i}"
        for res in p["results"].values():
            res["examples"] = [{"id": f"x{j}", "text": long_text, "label": "pos"} for j in range(20)]
        probes.append(p)
    sample["findings"] = {"version": 1, "items": [
        {"id": "f", "rule": "r", "probe": "probe59", "metric": "accuracy", "model": "distilbert-sst2",
         "status": "finding", "severity": "high", "title": "Probe 59 is bad", "value": 0.5, "ci": None,
         "evidence": "probe-probe59", "tested": True}]}
    md = render_markdown(sample)
    assert len(md) <= COMPACT_LIMIT
    assert headings(md)[:3] == ["Verdict", "Scorecard", "Gate"]
    assert md.count(LEFT_OUT) > 10
    section = md[md.index("<details><summary>probe59"):]
    assert LEFT_OUT not in section[:section.index("</details>")]  # the section with a finding kept its body
    assert len(render_markdown(sample, "full")) > 4 * COMPACT_LIMIT


def test_unknown_style_is_refused(sample):
    with pytest.raises(ValueError, match="compact, full"):
        render_markdown(sample, "short")


def test_one_diff_notation_with_a_legend_that_matches(tfidf_results):
    md = render_markdown(tfidf_results, "full")
    assert "struck" not in md and "deleted" not in md  # the figures' colour legend is HTML only
    assert md.count(md_escape(DIFF_TEXT)) >= 2  # noise flips and attack examples
    assert "change (\\[-removed-\\] {+inserted+})" in md
    marks = re.findall(r"\\\[-[^|]*?-\\\]|\{\+[^|]*?\+\}", md)
    assert marks and all(m.startswith(("\\[-", "{+")) for m in marks)


def md_escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def test_cli_report_writes_compact_by_default_and_full_on_request(sample, tmp_path):
    (tmp_path / "results.json").write_text(json.dumps(sample), encoding="utf-8")
    res = CliRunner().invoke(main, ["report", str(tmp_path / "results.json")])
    assert res.exit_code == 0, res.output
    assert "<details><summary>" in (tmp_path / "report.md").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["report", str(tmp_path / "results.json"), "--markdown", "full"])
    assert res.exit_code == 0, res.output
    assert "<details><summary>metrics" not in (tmp_path / "report.md").read_text(encoding="utf-8")
    paths = write_reports(sample, tmp_path / "api", markdown="full")
    assert "## metrics" in paths["markdown"].read_text(encoding="utf-8")
