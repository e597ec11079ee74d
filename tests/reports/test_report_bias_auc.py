"""The bias-auc section: headline AUCs naming the worst group, generalized means per attribute, per attribute
a groups x (subgroup, BPSN, BNSP) table with the models side by side, low groups marked, bar charts by group;
multi-class per class; escaped HTML and Markdown; the generic fallback; no model code imported. Built from
real probe runs on two small models."""

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

from audit.reports import render_html, render_markdown
from audit.reports.blocks import Callout, FigureRow, Table
from audit.reports.sections.bias_auc import BELOW, SMALL, bias_auc_section
from audit.reports.sections.common import SectionContext
from audit.reports.svg import model_colors

NASTY = '<script>alert("x")</script> | **muslim**'
MODELS = ("kw", "len<b>")


class Keyword:
    """Praise is positive; 'Muslim' pushes every text up, so the group's negatives score high (low BPSN)."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:kw"

    def predict_proba(self, texts):
        praise = ("loved", "wonderful", "great", "brilliant", "delightful", "moving", "superb", "charming", "clever")
        p = np.array([0.25 + 0.5 * any(w in t for w in praise) + 0.3 * ("Muslim" in t) + (len(t) % 7) / 50
                      for t in texts]).clip(0.01, 0.99)
        return np.stack([1 - p, p], axis=1)


class Length(Keyword):
    fingerprint = "sha256:len"

    def predict_proba(self, texts):
        p = np.array([min(len(t), 120) / 120 for t in texts])
        return np.stack([1 - p, p], axis=1)


class Three:
    labels = ["negative", "neutral", "positive"]
    fingerprint = "sha256:three"

    def predict_proba(self, texts):
        rng = np.random.default_rng([len(t) for t in texts])
        p = rng.random((len(texts), 3)) + 0.5 * np.array([["great" in t, False, "Muslim" in t] for t in texts])
        return p / p.sum(1, keepdims=True)


def _document(classifiers, labels_of=None):
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.demo.corpus import generate
    from audit.models.base import LoadedModel
    from audit.probes.base import ProbeContext
    from audit.probes.fairness import BiasAucProbe

    rows = generate(300, seed=1, skewed=False)
    gold = [r["label"] if labels_of is None else labels_of(i) for i, r in enumerate(rows)]
    data = Dataset([r["id"] for r in rows], [r["text"] for r in rows], gold, "mem",
                   attributes={"gender": [r["gender"] for r in rows], "religion": [r["religion"] for r in rows],
                               "dialect": [NASTY if i % 2 else "plain" for i in range(len(rows))]})
    probe = BiasAucProbe.from_mapping({"bootstrap": 100})
    results = {}
    for mid, clf in classifiers.items():
        model = PredictionCache().wrap(LoadedModel(mid, "mem", "callable", clf))
        results[mid] = json.loads(json.dumps(probe.run(model, data, ProbeContext(seed=0)).as_dict()))
        results[mid]["duration_s"] = 0.5
    entry = probe_entry("bias-auc", results, [dataclasses.asdict(s) for s in BiasAucProbe.metric_specs],
                        config=probe.config_dict(), family="fairness", description=BiasAucProbe.description)
    return results_with([entry], models=tuple(classifiers))


@pytest.fixture(scope="module")
def _results():
    return _document({"kw": Keyword(), "len<b>": Length()})


@pytest.fixture()
def results(_results):
    return copy.deepcopy(_results)


def ctx_for(models):
    return SectionContext(models=list(models), colors=model_colors(list(models)))


def tables(section):
    return {b.title or b.caption[:30]: b for b in section.blocks if isinstance(b, Table)}


def test_section_tables_charts_and_marks(results):
    probe = results["probes"][0]
    section = bias_auc_section(probe, ctx_for(MODELS))
    assert section.id == "probe-bias-auc"
    found = tables(section)
    religion = found["Groups of religion"]
    assert [r[0].text for r in religion.rows] == ["christian", "hindu", "jewish", "muslim", "none"]
    assert religion.header_groups == [("", 1), ("kw", 4), ("len<b>", 4)]
    muslim = next(r for r in religion.rows if r[0].text == "muslim")
    kw = probe["results"]["kw"]["metrics"]
    assert muslim[3].text.startswith(f"{kw['bpsn_auc/religion/muslim']['value']:.3f}")  # kw's BPSN cell
    assert BELOW in muslim[3].badge and "status-fail" in muslim[3].css  # its BPSN is far below the overall AUC
    head = next(t for t in found.values() if t.rows and t.rows[0][0].text == "overall_auc")
    bpsn = next(r for r in head.rows if r[0].text == "min_bpsn_auc")
    assert "religion: muslim" in bpsn[2].badge  # the worst group named beside the value
    means = found["Generalized means by attribute"]
    assert [r[0].text for r in means.rows][:4] == ["gender: mean subgroup_auc", "gender: mean bpsn_auc",
                                                   "gender: mean bnsp_auc", "gender: jigsaw_score"]
    charts = [f for b in section.blocks if isinstance(b, FigureRow) for f in b.figures]
    assert {f.title for f in charts} >= {"Subgroup AUC by group", "BPSN AUC by group", "BNSP AUC by group"}
    assert all(f.svg.startswith("<svg") for f in charts)
    notes = [b.text for b in section.blocks if isinstance(b, Callout)]
    assert any("false positives on texts mentioning the group" in n and "misses" in n for n in notes)


def test_small_groups_and_undefined_aucs_are_shown_as_such(results):
    probe = results["probes"][0]
    for res in probe["results"].values():
        group = res["details"]["attributes"][1]["groups"][0]
        group["small"] = True
        group["classes"]["positive"]["subgroup"].update(value=None, ci=None, reason="undefined: no positives")
    religion = tables(bias_auc_section(probe, ctx_for(MODELS)))["Groups of religion"]
    first = religion.rows[0]
    assert SMALL in first[1].badge and first[2].text == "—" and first[2].title == "undefined: no positives"


def test_html_and_markdown_render_escaped(results):
    html = render_html(results)
    page = parse(html)
    assert not page.errors
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "probe-bias-auc" in {attrs.get("id") for _, attrs in page.tags}
    labels = {attrs.get("aria-label") for tag, attrs in page.tags if tag == "svg"}
    assert "religion: BPSN AUC by group" in labels
    assert "Attribute: dialect" in html and "len&lt;b&gt;" in html
    md = render_markdown(results)
    assert "Groups of religion" in md and f"_({BELOW})_" in md and "<script>" not in md


def test_multiclass_has_a_table_and_charts_per_class():
    doc = _document({"three": Three()}, labels_of=lambda i: ["negative", "neutral", "positive"][i % 3])
    section = bias_auc_section(doc["probes"][0], ctx_for(["three"]))
    found = tables(section)
    assert {"Groups of gender — negative", "Groups of gender — neutral", "Groups of gender — positive"} <= set(found)
    head = next(t for t in found.values() if t.rows and t.rows[0][0].text == "overall_auc")
    assert "worst class:" in head.rows[0][2].badge
    assert "(" in next(r for r in head.rows if r[0].text == "min_bpsn_auc")[2].badge  # the class of the worst group


def test_fallback_and_statuses(results):
    probe = results["probes"][0]
    probe["results"]["len<b>"] = {"status": "not_applicable", "metrics": {}, "details": {}, "examples": [],
                                  "reason": "bias-auc.positive_label 'x' is not a label of model 'len<b>'."}
    section = bias_auc_section(probe, ctx_for(MODELS))
    assert any(isinstance(b, Callout) and "not a label of model" in b.text for b in section.blocks)
    for res in probe["results"].values():
        res["details"] = {}
    assert bias_auc_section(probe, ctx_for(MODELS)).title == "bias-auc"  # the generic layout, no crash


def test_section_imports_no_model_code():
    code = ("import sys, audit.reports.sections.bias_auc\n"
            "print([m for m in ('torch', 'sklearn', 'fairlearn', 'audit.probes', 'scipy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
