"""The templates section on sentence pairs: the suite block says the suite has two texts per case,
and the failing cases show both texts (a DIR case both, base and perturbed), escaped in HTML and
Markdown."""

from __future__ import annotations

import dataclasses
import json

from pair_fixtures import OverlapNLI, nli_pairs
from report_builders import probe as probe_entry
from report_builders import results_with
from report_html_check import parse

from audit.cache import PredictionCache
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import TemplatesProbe
from audit.reports import render_html, render_markdown
from audit.reports.blocks import KeyValues, Table
from audit.reports.sections.common import SectionContext
from audit.reports.sections.fairness import templates_section

SUITE = """labels: [contradiction, entailment]
fillers:
  thing: ['<script>alert("x")</script> book']
tests:
  - name: reads
    type: MFT
    label: contradiction
    templates:
      - template: "A {gender.person} reads the {thing}."
        template_pair: "The {gender.person} reads the {thing} slowly."
"""


def test_pair_cases_show_both_texts_escaped(tmp_path):
    path = tmp_path / "pairs.yaml"
    path.write_text(SUITE, encoding="utf-8")
    probe = TemplatesProbe.from_mapping({"suite": str(path), "bootstrap": 0, "permutations": 10})
    model = PredictionCache().wrap(LoadedModel("nli", "mem", "callable", OverlapNLI()))
    result = json.loads(json.dumps(probe.run(model, nli_pairs(), ProbeContext(seed=0)).as_dict()))
    entry = probe_entry("templates", {"nli": result}, [dataclasses.asdict(s) for s in TemplatesProbe.metric_specs],
                        config=probe.config_dict(), family="fairness", description=TemplatesProbe.description)
    section = templates_section(entry, SectionContext(models=["nli"], colors={"nli": "#000"}))
    suite = next(b for b in section.blocks if isinstance(b, KeyValues))
    assert ("pair", "yes") in [(k, str(v)) for k, v in suite.pairs]
    failing = next(b for b in section.blocks if isinstance(b, Table) and "text_pair" in b.headers)
    row = dict(zip(failing.headers, (c.text for c in failing.rows[0])))
    assert row["text"].startswith("A ") and row["text_pair"].startswith("The ") and "slowly" in row["text_pair"]
    doc = results_with([entry], models=("nli",))
    html = render_html(doc)
    assert not parse(html).errors and "<script>alert" not in html and "&lt;script&gt;" in html
    assert "slowly" in html and "<script>" not in render_markdown(doc)


DIR_SUITE = """labels: [contradiction, entailment]
fillers:
  thing: ['<b>book</b>']
tests:
  - name: reads
    type: MFT
    label: contradiction
    templates:
      - template: "A {gender.person} reads the {thing}."
        template_pair: "The {gender.person} reads the {thing} slowly."
  - name: detail
    type: DIR
    label: contradiction
    direction: up
    templates:
      - template: "A {gender.person} reads the {thing}"
        template_pair: "The {gender.person} reads the {thing} at home"
        perturbed: "A {gender.person} reads the {thing} in the park and not at home"
        perturbed_pair: "The {gender.person} reads the {thing} at home <i>alone</i>"
"""


def test_a_failing_dir_pair_shows_both_texts_base_and_perturbed(tmp_path):
    path = tmp_path / "dir.yaml"
    path.write_text(DIR_SUITE, encoding="utf-8")
    probe = TemplatesProbe.from_mapping({"suite": str(path), "bootstrap": 0, "permutations": 10})
    model = PredictionCache().wrap(LoadedModel("nli", "mem", "callable", OverlapNLI()))
    result = json.loads(json.dumps(probe.run(model, nli_pairs(), ProbeContext(seed=0)).as_dict()))
    assert result["metrics"]["failure_rate/detail"]["value"] == 1.0  # the overlap rises with the perturbed premise
    entry = probe_entry("templates", {"nli": result}, [dataclasses.asdict(s) for s in TemplatesProbe.metric_specs],
                        config=probe.config_dict(), family="fairness", description=TemplatesProbe.description)
    section = templates_section(entry, SectionContext(models=["nli"], colors={"nli": "#000"}))
    failing = next(b for b in section.blocks if isinstance(b, Table) and "perturbed_pair" in b.headers)
    assert failing.headers[:4] == ["text", "text_pair", "perturbed", "perturbed_pair"]
    rows = [dict(zip(failing.headers, (c.text for c in r))) for r in failing.rows]
    dir_row = next(r for r in rows if r["type"] == "DIR")
    assert dir_row["text"] == "A woman reads the <b>book</b>"
    assert dir_row["text_pair"] == "The woman reads the <b>book</b> at home"
    assert dir_row["perturbed"] == "A woman reads the <b>book</b> in the park and not at home"
    assert dir_row["perturbed_pair"] == "The woman reads the <b>book</b> at home <i>alone</i>"
    assert all(r["perturbed"] == r["perturbed_pair"] == "—" for r in rows if r["type"] == "MFT")
    doc = results_with([entry], models=("nli",))
    html, md = render_html(doc), render_markdown(doc)
    assert not parse(html).errors and "<i>alone" not in html and "&lt;i&gt;alone&lt;/i&gt;" in html
    assert "| perturbed\\_pair |" in md and "<i>" not in md and "&lt;i&gt;alone" in md
