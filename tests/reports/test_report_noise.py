"""The `noise` section: curves per perturbation with models overlaid, the damage table, flips as
escaped word diffs, in HTML and Markdown; built from a real probe run on two small models."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from report_builders import probe as probe_entry
from report_builders import results_with
from report_html_check import parse

import audit.reports.sections as sections
from audit.reports import render_html, render_markdown
from audit.reports.blocks import Figure, FigureRow, Table
from audit.reports.charts import line_chart
from audit.reports.sections.common import SectionContext, generic_section
from audit.reports.sections.noise import diff_segments, noise_section, shown, word_diff_text
from audit.reports.svg import model_colors

NASTY = '<script>alert("x")</script> **bold** | @team'
MODELS = ("kw", "len<b>")


class Keyword:
    """Positive when good words outnumber bad ones; a fixed function of the text."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:kw"

    def predict_proba(self, texts):
        good = np.array([sum(w in ("good", "great", "fun") for w in t.lower().split()) for t in texts], dtype=float)
        bad = np.array([sum(w in ("bad", "dull", "awful") for w in t.lower().split()) for t in texts], dtype=float)
        p = 1 / (1 + np.exp(-(good - bad + 0.01 * np.array([len(t) % 7 for t in texts]))))
        return np.stack([1 - p, p], axis=1)


class Length(Keyword):
    fingerprint = "sha256:len"

    def predict_proba(self, texts):
        p = np.array([min(len(t), 60) / 60 for t in texts])
        return np.stack([1 - p, p], axis=1)


@pytest.fixture(scope="module")
def _results():
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.base import LoadedModel
    from audit.probes.base import ProbeContext
    from audit.probes.noise import NoiseProbe

    rng = np.random.default_rng(0)
    words = "the movie was good great fun bad dull awful plot acting story really not".split()
    texts = [" ".join(rng.choice(words, size=int(rng.integers(4, 12)))) for _ in range(40)]
    labels = ["positive" if sum(w in ("good", "great", "fun") for w in t.split()) >= sum(w in ("bad", "dull", "awful")
              for w in t.split()) else "negative" for t in texts]
    data = Dataset(ids=[str(i) for i in range(40)], texts=texts, labels=labels, source="mem")
    probe = NoiseProbe(NoiseProbe.Config(perturbations=("typo", "invisible", "whitespace", "synonym"),
                                         severities=(0.1, 0.3), bootstrap=100, max_examples=6))
    results = {}
    for mid, clf in zip(MODELS, (Keyword(), Length())):
        results[mid] = probe.run(PredictionCache().wrap(LoadedModel(mid, "mem", "callable", clf)), data,
                                 ProbeContext(seed=0)).as_dict()
        results[mid]["duration_s"] = 0.5
    specs = [dataclasses.asdict(s) for s in NoiseProbe.metric_specs]
    entry = probe_entry("noise", results, specs, config=probe.config_dict(), description=NoiseProbe.description)
    return results_with([entry], models=MODELS)


@pytest.fixture()
def results(_results):
    return copy.deepcopy(_results)


@pytest.fixture()
def registered(monkeypatch):
    monkeypatch.setitem(sections.RENDERERS, "noise", noise_section)


def ctx() -> SectionContext:
    return SectionContext(models=list(MODELS), colors=model_colors(list(MODELS)))


def test_section_has_curves_damage_table_and_flips(results):
    section = noise_section(results["probes"][0], ctx())
    rows = [b for b in section.blocks if isinstance(b, FigureRow)]
    assert len(rows) == 1 and sorted(f.title for f in rows[0].figures) == ["invisible", "synonym", "typo", "whitespace"]
    damage = next(b for b in section.blocks if isinstance(b, Table) and b.title == "Most damaging perturbations")
    assert [r[0].text for r in damage.rows] == [f.title for f in rows[0].figures]  # same order: most damaging first
    assert damage.header_groups[1:] == [(m, 3) for m in MODELS]
    flips = [b for b in section.blocks if isinstance(b, Figure) and b.table is not None]
    examples = results["probes"][0]["results"]["kw"]["examples"]
    assert flips and len(flips[0].table.rows) == len(examples) > 0


def test_html_escapes_everything_and_draws_the_charts(results, registered):
    results["probes"][0]["results"]["kw"]["examples"][0].update(text=NASTY, perturbed=NASTY.replace("bold", "b0ld"))
    html = render_html(results)
    doc = parse(html)
    assert doc.errors == [] and doc.stack == []
    assert not {t for t, _ in doc.tags} & {"script", "b"}
    assert '<script>alert("x")</script>' not in html and "len&lt;b&gt;" in html
    labels = [a.get("aria-label", "") for t, a in doc.tags if t == "svg"]
    assert "Accuracy against severity — typo" in labels and "Flipped predictions — kw" in labels
    struck = [a for t, a in doc.tags if t == "tspan" and a.get("text-decoration") == "line-through"]
    assert struck and any(a.get("text-decoration") == "underline" for t, a in doc.tags if t == "tspan")
    text = "".join(doc.text)
    assert "**bold**" in text and "Most damaging perturbations" in text and "http" not in html


def test_markdown_shows_tables_and_word_diffs(results, registered):
    results["probes"][0]["results"]["kw"]["examples"][0].update(text=NASTY, perturbed=NASTY.replace("bold", "b0ld"))
    md = render_markdown(results, "full")
    section = md[md.index("## noise"):]
    assert "Most damaging perturbations" in section and "Accuracy by perturbation and severity" in section
    assert "&lt;script&gt;" in section and "<script>" not in section and "@\u200bteam" in section
    assert "\\[-\\*\\*bold\\*\\*-\\]{+\\*\\*b0ld\\*\\*+}" in section  # escaped, in git's word-diff notation
    assert "typo@" in section and "Flipped predictions — kw" in section


def test_word_diff_round_trips_and_shows_what_is_invisible():
    for a, b in [("the good film", "the fine film"), ("a  b\tc", "a b c"), ("", "new"), ("x y z", "y z x w")]:
        seg = diff_segments(a, b)
        assert "".join(t for op, t in seg if op != "ins") == a and "".join(t for op, t in seg if op != "del") == b
    assert word_diff_text(diff_segments("the good film", "the fine film")) == "the [-good-]{+fine+} film"
    assert word_diff_text(diff_segments("a b", "a\tb")) == "a[-␣-]{+⇥+}b"
    assert shown("zero\u200bwidth", True) == "zero⟨U+200B⟩width"


def test_line_chart_points_whiskers_and_escaping():
    series = {"<m>": [(0.0, {"value": 0.9, "ci": [0.85, 0.95]}), (0.2, {"value": 0.7, "ci": [0.6, 0.8]})],
              "n": [(0.0, {"value": 0.5}), (0.2, None)]}
    doc = parse(str(line_chart(series, {"<m>": "#0072B2"}, "acc <x>", x_label="severity", y_label="accuracy")))
    assert doc.errors == [] and sum(t == "circle" for t, _ in doc.tags) == 3
    assert sum(t == "polyline" for t, _ in doc.tags) == 1  # a single point draws no line
    titles = "".join(doc.text_in.get("title", []))
    assert "<m> — severity 0.2: 0.700 [0.600, 0.800]" in titles and "acc <x>" in titles


def test_falls_back_to_the_generic_layout_without_details(results):
    probe = results["probes"][0]
    for res in probe["results"].values():
        res["details"] = {}
    assert noise_section(probe, ctx()) == generic_section(probe, ctx())


def test_a_failed_model_is_reported_and_the_other_still_drawn(results, registered):
    results["probes"][0]["results"]["len<b>"] = {"status": "error", "reason": "boom", "metrics": {}, "details": {},
                                                 "examples": []}
    text = "".join(parse(render_html(results)).text)
    assert "len<b>: error" in text and "boom" in text and "Flipped predictions — kw" in text


def test_reports_import_no_model_code():
    code = ("import sys, audit.reports.sections.noise, audit.reports.charts; "
            "bad = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'sklearn', 'transformers'} | {m for m in sys.modules if m.startswith('audit.probes')}); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
