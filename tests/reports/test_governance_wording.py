"""The record's prose reads right in both formats: no Markdown syntax shown literally in HTML,
"Full detail" names where report.html is relative to the record (also after --out), an e-mail
address copies intact from governance.md while @mentions stay defused, and a missing owner text
says how to add it."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from audit.reports.governance import build_governance, write_governance
from audit.reports.html import render as render_html
from audit.reports.markdown import md_text
from audit.reports.markdown import render as render_md

from audit.cli import main

CONTACT = "reviews-ml@example.com"


def prose(html: str) -> str:
    """Text of the HTML page outside <pre> blocks (the command line and config are code, shown as is)."""
    return re.sub(r"<pre.*?</pre>", "", html, flags=re.S)


def test_html_record_shows_no_markdown_syntax_or_bare_anchors(sample):
    sample["gate"] = None  # "No gate was applied" callout
    html = prose(render_html(build_governance(sample), "audit-results/1"))
    assert "`" not in html and "(#probe-" not in html
    assert "Full detail" in html and "report.html, which audit writes beside the results.json" in html


def test_full_detail_path_is_relative_to_the_record(sample, tmp_path):
    run, out = tmp_path / "run", tmp_path / "records" / "v1"
    same = write_governance(sample, run, results_dir=run)["governance_markdown"].read_text(encoding="utf-8")
    assert "See report.html in this folder, sections" in same
    other = write_governance(sample, out, results_dir=run)["governance_markdown"].read_text(encoding="utf-8")
    assert "See ../../run/report.html (relative to this record), sections" in other
    assert "in this folder" not in other


def test_record_out_elsewhere_does_not_claim_report_is_beside_it(sample, tmp_path):
    (tmp_path / "results.json").write_text(json.dumps(sample), encoding="utf-8")
    out = tmp_path / "elsewhere"
    res = CliRunner().invoke(main, ["record", str(tmp_path / "results.json"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = (out / "governance.html").read_text(encoding="utf-8")
    assert "in this folder" not in html and "../report.html (relative to this record)" in html


def test_email_copies_intact_and_mentions_stay_defused(sample):
    assert md_text(f"Write to {CONTACT}.") == f"Write to {CONTACT}."
    assert md_text("ask @team or (@lead)") == "ask @\u200bteam or (@\u200blead)"
    sample["run"]["config"]["governance"] = {"owner": "Reviews ML (@reviews)", "contact": CONTACT}
    md = render_md(build_governance(sample))
    assert f"| Contact | {CONTACT} |" in md and "@\u200breviews" in md


def test_missing_owner_text_says_not_stated_and_how_to_add_it(sample):
    sample["run"]["config"]["governance"] = {"owner": "Reviews team"}
    report = build_governance(sample)
    md = render_md(report)
    assert "| Contact | Not stated: add governance.contact to the audit config" in md
    assert "| Description | Not stated: add governance.model\\_details" in md and "| Contact | — |" not in md
    html = render_html(report, "audit-results/1")
    assert "<dt>Contact</dt><dd>Not stated: add governance.contact to the audit config" in html
