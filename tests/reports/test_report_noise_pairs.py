"""The `noise` section on sentence pairs: curves and tables per side (noise on the first text, the
second, both), per-side rows in the summary, and flips that show both texts of the pair, escaped,
in HTML and Markdown; built from a real probe run on two small pair models."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from report_builders import probe as probe_entry
from report_builders import results_with
from report_html_check import parse

import audit.reports.sections as sections
from audit.core.fmt import fmt_metric
from audit.reports import render_html, render_markdown
from audit.reports.blocks import Figure, FigureRow, Heading, Table
from audit.reports.sections.common import SectionContext
from audit.reports.sections.noise import noise_section
from audit.reports.svg import model_colors

NASTY = '<script>alert("x")</script> **bold** | @team'
MODELS = ("overlap", "len<b>")
SIDE_TEXT = ("the first text", "the second text", "both texts")


class Overlap:
    """Entailment when most of the second text's words are in the first."""

    labels = ["contradiction", "entailment"]
    fingerprint = "sha256:overlap"

    def predict_proba(self, pairs):
        share = np.array([len(set(a.split()) & set(b.split())) / max(1, len(set(b.split()))) for a, b in pairs])
        return np.stack([1 - share, share], axis=1) * 0.98 + 0.01


class Length(Overlap):
    fingerprint = "sha256:len"

    def predict_proba(self, pairs):
        p = np.array([min(len(a) + len(b), 90) / 90 for a, b in pairs])
        return np.stack([1 - p, p], axis=1)


@pytest.fixture(scope="module")
def _results():
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.base import LoadedModel
    from audit.probes.base import ProbeContext
    from audit.probes.noise import NoiseProbe

    rng = np.random.default_rng(0)
    words = "a man woman dog plays runs reads the guitar snow book park outside quickly".split()
    texts = [" ".join(rng.choice(words, size=int(rng.integers(5, 10)))) for _ in range(40)]
    pairs = [" ".join(rng.choice(t.split(), size=3)) if i % 2 else " ".join(rng.choice(words, size=3))
             for i, t in enumerate(texts)]
    labels = ["entailment" if i % 2 else "contradiction" for i in range(40)]
    data = Dataset(ids=[str(i) for i in range(40)], texts=texts, labels=labels, source="mem", text_pairs=pairs)
    probe = NoiseProbe(NoiseProbe.Config(perturbations=("typo", "word_drop"), severities=(0.1, 0.3), bootstrap=100,
                                         max_examples=6))
    results = {}
    for mid, clf in zip(MODELS, (Overlap(), Length())):
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


def test_each_side_gets_its_curves_and_tables(results):
    section = noise_section(results["probes"][0], ctx())
    headings = [b.text for b in section.blocks if isinstance(b, Heading)]
    assert [h for h in headings if h.startswith("Accuracy against")] == [
        f"Accuracy against severity — noise on {side}" for side in SIDE_TEXT]
    assert sum(isinstance(b, FigureRow) for b in section.blocks) == 3
    titles = [b.title for b in section.blocks if isinstance(b, Table) and b.title]
    for side in SIDE_TEXT:
        assert f"Most damaging perturbations — noise on {side}" in titles
        assert f"Accuracy by perturbation and severity — noise on {side}" in titles
    summary = next(b for b in section.blocks if isinstance(b, Table) and "headline noise metrics" in b.caption)
    names = [r[0].text for r in summary.rows]
    assert names[:6] == ["clean_accuracy", "worst_accuracy", "max_changed_accuracy_drop", "mean_changed_flip_rate",
                         "max_accuracy_drop (all texts)", "mean_flip_rate (all texts)"]
    assert {"worst_accuracy/first", "max_changed_accuracy_drop/second", "mean_changed_flip_rate/both",
            "max_accuracy_drop/second (all texts)", "mean_flip_rate/both (all texts)"} <= set(names)
    damage = next(b for b in section.blocks if isinstance(b, Table) and b.title.endswith("the second text")
                  and b.title.startswith("Most damaging"))
    row = next(r for r in damage.rows if r[0].text == "typo")
    metrics = results["probes"][0]["results"]["overlap"]["metrics"]
    assert row[1].text == "0.3" and row[2].text == fmt_metric(metrics["changed_accuracy_drop/second/typo@0.3"])


def test_flips_show_both_texts_of_the_pair(results):
    section = noise_section(results["probes"][0], ctx())
    flips = [b for b in section.blocks if isinstance(b, Figure) and b.table is not None]
    examples = results["probes"][0]["results"]["overlap"]["examples"]
    assert flips and len(flips[0].table.rows) == len(examples) > 0
    assert flips[0].table.headers[-2:] == ["first text ([-removed-] {+inserted+})",
                                          "second text ([-removed-] {+inserted+})"]
    for ex, row in zip(examples, flips[0].table.rows):
        assert row[1].text == f"{ex['side']}/{ex['perturbation']}@{ex['severity']:g}"
        first, second = row[-2].text, row[-1].text
        changed = lambda diff: "[-" in diff or "{+" in diff  # noqa: E731
        assert changed(first) == (ex["side"] != "second") and changed(second) == (ex["side"] != "first")


def test_html_and_markdown_escape_both_texts(results, registered):
    ex = results["probes"][0]["results"]["overlap"]["examples"][0]
    ex.update(text=NASTY, perturbed=NASTY, text_pair=NASTY, perturbed_pair=NASTY.replace("bold", "b0ld"),
              side="second")
    html = render_html(results)
    doc = parse(html)
    assert doc.errors == [] and doc.stack == []
    assert not {t for t, _ in doc.tags} & {"script", "b"} and '<script>alert("x")</script>' not in html
    labels = [a.get("aria-label", "") for t, a in doc.tags if t == "svg"]
    assert "Accuracy against severity — typo — noise on the second text" in labels
    text = "".join(doc.text)
    assert "b0ld" in text and "Most damaging perturbations — noise on both texts" in text
    md = render_markdown(results, "full")
    section = md[md.index("## noise"):]
    assert "<script>" not in section and "\\[-\\*\\*bold\\*\\*-\\]{+\\*\\*b0ld\\*\\*+}" in section
    assert "second/typo@" in section or "second/word_drop@" in section
    assert "worst\\_accuracy/second" in section or "worst_accuracy/second" in section
