"""The governance record: every model-card section, in order; hostile text escaped; limitations
derived from the results; a blank sign-off table; provenance with versions and hashes."""

from __future__ import annotations

import re

from report_html_check import parse
from audit.reports.governance import build_governance, write_governance
from audit.reports.markdown import render as render_md

SECTIONS = ["model-details", "intended-use", "evaluation-data", "metrics", "robustness", "fairness", "explanations",
            "gate", "failures", "limitations", "sign-off", "provenance"]
HOSTILE = '<script>alert("gov")</script> **bold** @here'


def governed(sample):
    sample["run"]["config"]["governance"] = {
        "model_details": "DistilBERT fine-tuned on SST-2, v3.",
        "owner": "Reviews team",
        "intended_use": HOSTILE,
        "out_of_scope_uses": ["Moderating user content"],
        "limitations": ["English only"],
        "ethical_considerations": ["Mentions of identity groups"],
        "reviewers": [{"name": "Ann Lee", "role": "Model risk"}],
    }
    return sample


def test_every_section_in_model_card_order(sample, tmp_path):
    paths = write_governance(governed(sample), tmp_path)
    html = paths["governance_html"].read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids == SECTIONS
    md = paths["governance_markdown"].read_text(encoding="utf-8")
    titles = re.findall(r"^## (.+)$", md, flags=re.M)
    assert [t.split(" · ")[0] for t in titles] == [
        "Model details", "Intended use", "Evaluation data", "Metrics", "Robustness", "Fairness", "Explanations",
        "Gate decision", "Example failures", "Known limitations", "Reviewer sign-off", "Provenance"]


def test_hostile_text_is_escaped(sample, tmp_path):
    paths = write_governance(governed(sample), tmp_path)
    html = paths["governance_html"].read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;gov&#34;)&lt;/script&gt;" in html
    doc = parse(html)
    assert doc.errors == [] and not any(tag in ("script", "link", "img", "iframe") for tag, _ in doc.tags)
    md = paths["governance_markdown"].read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", md, flags=re.S)  # fenced code (the resolved config) is shown, never rendered
    assert "<script>" not in prose and "&lt;script&gt;" in md and "&lt;script&gt;" in md and "\\*\\*bold\\*\\*" in prose and "@here" not in prose


def test_numbers_come_from_the_results(sample):
    md = render_md(build_governance(governed(sample)))
    acc = sample["probes"][0]["results"]["distilbert-sst2"]["metrics"]["accuracy"]
    assert f"{acc['value']:.3f} \\[{acc['ci'][0]:.3f}, {acc['ci'][1]:.3f}\\]" in md
    assert "| FAILED | metrics.accuracy | tfidf-logreg |" in md  # the gate block
    assert sample["dataset"]["fingerprint"] in md and sample["run"]["versions"]["torch"] in md
    assert sample["run"]["command"] in md
    first_mistake = sample["probes"][0]["results"]["tfidf-logreg"]["examples"][1]["text"]
    assert first_mistake.split(" ,")[0] in md  # an example failure


def test_derived_limitations(sample):
    md = render_md(build_governance(governed(sample)))
    limits = md.split("## Known limitations")[1].split("## Reviewer")[0]
    assert "English only" in limits
    assert "Probe 'negation' failed on model 'tfidf-logreg'" in limits
    assert "Probe 'attention\\_faithfulness' was not applicable to model 'tfidf-logreg'" in limits
    assert "No sensitive-attribute column was given" in limits
    assert "No fairness probe was run" in limits
    del sample["run"]["config"]["governance"]
    sample["dataset"]["size"] = 50
    sample["dataset"]["sensitive_attributes"] = ["gender"]
    md = render_md(build_governance(sample))
    assert "only 50 examples" in md and "No sensitive" not in md
    assert "No governance text was given" in md


def test_sign_off_has_named_reviewers_and_blank_fields(sample):
    md = render_md(build_governance(governed(sample)))
    assert "| Ann Lee | Model risk |   |   |   |" in md
    del sample["run"]["config"]["governance"]
    md = render_md(build_governance(sample))  # no governance: blank rows to fill in
    assert md.count("|   |   |   |   |   |") == 3


def test_override_governance_and_record_hash(sample):
    report = build_governance(sample, {"intended_use": "Triage only."}, source="gov.yaml", results_sha256="ab" * 32)
    md = render_md(report)
    assert "Triage only." in md and "gov.yaml" in md and "ab" * 32 in md
    assert "No governance text was given" not in md
