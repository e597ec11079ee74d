"""The fairness sections: disparity tables with the models side by side, gaps over the tolerance
flagged, per-group charts with CIs, worst counterfactual pairs, template failures; escaped HTML,
Markdown, fallbacks, and no model code imported. Built from real probe runs on two small models."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from report_builders import probe as probe_entry
from report_builders import results_with
from report_html_check import parse

import audit.reports.sections as sections
from audit.reports import render_html, render_markdown
from audit.reports.blocks import Callout, Figure, FigureRow, Table
from audit.reports.sections.fairness_charts import gap_chart
from audit.reports.sections.common import SectionContext
from audit.reports.sections.fairness import OVER, SIGNIFICANT, counterfactual_section, group_fairness_section, templates_section
from audit.reports.svg import model_colors

NASTY = '<script>alert("x")</script> | **As a Muslim woman**'
MODELS = ("kw", "len<b>")
RENDER = {"group-fairness": group_fairness_section, "counterfactual": counterfactual_section,
          "templates": templates_section}


class Keyword:
    """Praise and the word 'Muslim' push towards positive: a model with a built-in religion gap."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:kw"

    def predict_proba(self, texts):
        praise = ("loved", "wonderful", "great", "brilliant", "delightful", "moving", "superb", "charming", "clever")
        p = np.array([0.25 + 0.5 * any(w in t for w in praise) - 0.3 * (" not " in t) + 0.2 * ("Muslim" in t)
                      for t in texts]).clip(0.01, 0.99)
        return np.stack([1 - p, p], axis=1)


class Length(Keyword):
    fingerprint = "sha256:len"

    def predict_proba(self, texts):
        p = np.array([min(len(t), 120) / 120 for t in texts])
        return np.stack([1 - p, p], axis=1)


@pytest.fixture(scope="module")
def _results():
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.demo.corpus import generate
    from audit.models.base import LoadedModel
    from audit.probes.base import ProbeContext
    from audit.probes.fairness import CounterfactualProbe, GroupFairnessProbe, TemplatesProbe

    rows = generate(240, seed=1, skewed=False)
    rows[0]["text"] = NASTY
    data = Dataset([r["id"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], "mem",
                   attributes={"gender": [r["gender"] for r in rows], "religion": [r["religion"] for r in rows]})
    entries = []
    for cls, raw in ((GroupFairnessProbe, {"bootstrap": 100}), (CounterfactualProbe, {"bootstrap": 100}),
                     (TemplatesProbe, {"bootstrap": 100, "max_sets": 3, "permutations": 200})):
        probe = cls.from_mapping(raw)
        results = {}
        for mid, clf in zip(MODELS, (Keyword(), Length())):
            model = PredictionCache().wrap(LoadedModel(mid, "mem", "callable", clf))
            results[mid] = json.loads(json.dumps(probe.run(model, data, ProbeContext(seed=0)).as_dict()))
            results[mid]["duration_s"] = 0.5
        entries.append(probe_entry(cls.name, results, [dataclasses.asdict(s) for s in cls.metric_specs],
                                   config=probe.config_dict(), family="fairness", description=cls.description))
    return results_with(entries, models=MODELS)


@pytest.fixture()
def results(_results):
    return copy.deepcopy(_results)


@pytest.fixture()
def ctx():
    return SectionContext(models=list(MODELS), colors=model_colors(list(MODELS)))


def probe_of(results, name):
    return next(p for p in results["probes"] if p["name"] == name)


def tables(section):
    return {b.title or b.caption[:30]: b for b in section.blocks if isinstance(b, Table)}


def marked(table: Table, mark: str) -> list[str]:
    return [row[0].text for row in table.rows if any(mark in c.badge for c in row[1:] if hasattr(c, "badge"))]


def test_group_fairness_section(results, ctx):
    section = group_fairness_section(probe_of(results, "group-fairness"), ctx)
    assert section.id == "probe-group-fairness"
    found = tables(section)
    assert {"Groups of gender", "Groups of religion"} <= set(found)
    head = next(t for t in found.values() if t.rows and t.rows[0][0].text == "max_demographic_parity_difference")
    assert [c.text for c in head.rows[0][2:4]] != ["—", "—"]
    assert "max_demographic_parity_difference" in marked(head, OVER)  # the keyword model favours Muslims
    religion = found["Groups of religion"]
    assert [r[0].text for r in religion.rows] == ["christian", "hindu", "jewish", "muslim", "none"]
    assert religion.header_groups == [("", 1), ("kw", 5), ("len<b>", 5)]
    charts = [f for b in section.blocks if isinstance(b, FigureRow) for f in b.figures]
    assert any("selection rate" in f.title for f in charts) and all(f.svg.startswith("<svg") for f in charts)
    assert any(isinstance(b, Figure) and "tolerance" in b.title for b in section.blocks)


def test_inferred_groups_are_announced(results, ctx):
    probe = probe_of(results, "group-fairness")
    for res in probe["results"].values():
        res["details"]["inferred"] = True
        res["details"]["inference"] = {"note": "inferred from identity terms in the text", "axes": {}}
    callouts = [b for b in group_fairness_section(probe, ctx).blocks if isinstance(b, Callout)]
    assert any("inferred" in c.title.lower() and "identity terms" in c.text for c in callouts)


def test_counterfactual_section(results, ctx):
    section = counterfactual_section(probe_of(results, "counterfactual"), ctx)
    pairs = tables(section)["Worst group pairs"]
    assert pairs.rows and "muslim" in pairs.rows[0][0].text
    assert pairs.rows[0][0].text in marked(pairs, OVER) and pairs.rows[0][0].text in marked(pairs, SIGNIFICANT)
    assert "sign test" in pairs.caption
    titles = [b.text for b in section.blocks if hasattr(b, "text") and isinstance(b.text, str)]
    assert "Largest changes — kw" in titles


def test_templates_section(results, ctx):
    section = templates_section(probe_of(results, "templates"), ctx)
    found = tables(section)
    assert "Failure rate by group" in found
    metrics = next(t for t in found.values() if t.rows and t.rows[0][0].text == "failure_rate")
    assert any(r[0].text.startswith("identity_statement (INV)") for r in metrics.rows)
    gaps = next(t for t in section.blocks if isinstance(t, Table) and t.headers[0] == "Axis")
    religion = next(r for r in gaps.rows if r[0].text == "religion")
    assert "p=" in religion[2].text and SIGNIFICANT in religion[2].badge
    rows = [b for b in section.blocks if isinstance(b, FigureRow)]
    assert rows and any("religion" in f.title for f in rows[0].figures)


def test_html_and_markdown_escape_and_flag(results, monkeypatch):
    for name, fn in RENDER.items():
        monkeypatch.setitem(sections.RENDERERS, name, fn)
    html = render_html(results)
    page = parse(html)
    assert not page.errors
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert {"probe-group-fairness", "probe-counterfactual", "probe-templates"} <= ids
    labels = {attrs.get("aria-label") for tag, attrs in page.tags if tag == "svg"}
    assert "group-fairness: gaps by attribute" in labels and "counterfactual: flip rate by axis" in labels
    md = render_markdown(results)
    assert "Worst group pairs" in md and f"_({OVER})_" in md and "<script>" not in md


def test_fallbacks_and_statuses(results, ctx):
    probe = probe_of(results, "templates")
    probe["results"]["len<b>"] = {"status": "not_applicable", "metrics": {}, "details": {}, "examples": [],
                                  "reason": "Suite 'sentiment' labels negative, positive are not labels of model 'len<b>'."}
    section = templates_section(probe, ctx)
    assert any(isinstance(b, Callout) and "not labels of model" in b.text for b in section.blocks)
    for name, fn in RENDER.items():
        bare = probe_of(results, name)
        for res in bare["results"].values():
            res["details"] = {}
        assert fn(bare, ctx).title == name  # the generic layout, no crash


def test_gap_chart_draws_the_tolerance():
    rows = [("religion", {"a": {"value": 0.3, "ci": [0.2, 0.4]}, "b": {"value": 0.05, "ci": None}}),
            ("<b>gender</b>", {"a": None, "b": {"value": 0.01}})]
    svg = str(gap_chart(rows, ["a", "b"], {"a": "#000000"}, 0.1, "gaps"))
    assert "tolerance 0.100" in svg and "beyond the tolerance" in svg and "<b>" not in svg and "no value" in svg
    ratio = str(gap_chart([("x", {"a": {"value": 0.7}})], ["a"], {}, 0.2, "ratios", ratio=True))
    assert "tolerance 0.800" in ratio


def test_reports_import_no_model_code():
    code = ("import sys, audit.reports.sections.fairness, audit.reports.sections.fairness_charts\n"
            "print([m for m in ('torch', 'sklearn', 'fairlearn', 'audit.probes', 'scipy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
