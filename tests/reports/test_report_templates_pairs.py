"""The templates section on sentence pairs: the suite block says the suite has two texts per case,
and the failing cases show both texts, escaped in HTML and Markdown."""

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
