"""The attack section: results per recipe with models side by side, unavailable recipes, and
adversarial examples as word-level diffs, every part escaped in HTML and Markdown."""

from __future__ import annotations

import pytest
from report_builders import SCRIPT_TEXT, metric, ok, probe, results_with
from report_html_check import parse

import audit.reports.sections as sections
from audit.reports import render_html, render_markdown
from audit.reports.blocks import Callout, Figure, Table
from audit.reports.sections.common import SectionContext
from audit.reports.sections.attack import attack_section, marked, word_diff

SPECS = [{"name": "max_success_rate", "description": "worst", "higher_is_better": False, "headline": True},
         {"name": "success_rate/{recipe}", "description": "rate", "higher_is_better": False, "headline": False}]


def attack_result(rate: float, adversarial: str) -> dict:
    recipe = {"textattack_recipe": "DeepWordBugGao2018", "paper": "Gao et al. 2018", "offline_note": "",
              "sampled": 10, "evaluated": 10, "attacked": 8, "successes": 6, "failures": 2, "skipped": 2,
              "skipped_by_reason": {"misclassified": 2, "too_long": 0, "empty": 0}, "unconfirmed": 1,
              "timed_out": 0, "query_budget_hits": 1, "seconds": 3.2}
    metrics = {"max_success_rate": metric(rate, (rate - 0.2, rate + 0.1), False),
               "success_rate/deepwordbug": metric(rate, (rate - 0.2, rate + 0.1), False),
               "accuracy_under_attack/deepwordbug": metric(0.2, (0.05, 0.5), True),
               "clean_accuracy/deepwordbug": metric(0.8, (0.5, 0.95), True),
               "avg_queries/deepwordbug": metric(41.5, None, None)}
    example = {"recipe": "deepwordbug", "id": "7", "text": f"the acting was dull {SCRIPT_TEXT}",
               "adversarial": adversarial, "label": "negative", "adversarial_label": "positive",
               "original_confidence": 0.91, "adversarial_confidence": 0.55, "queries": 12, "words_changed": 1,
               "perturbed_share": 0.1}
    details = {"recipes": {"deepwordbug": recipe},
               "unavailable": {"pwws": "Attack recipe 'pwws' needs wordnet <b>now</b>: run `audit resources`."}}
    return ok(metrics, details=details, examples=[example])


@pytest.fixture()
def doc(monkeypatch):
    monkeypatch.setitem(sections.RENDERERS, "attack", attack_section)
    results = {"a": attack_result(0.75, f"the acting was dlul {SCRIPT_TEXT}"),
               "b": attack_result(0.25, f"the acting was dull {SCRIPT_TEXT} <img src=x>")}
    return results_with([probe("attack", results, specs=SPECS)])


def test_word_diff_marks_only_changed_words():
    left, right = word_diff("the movie was dull .", "the film was dlul .")
    assert [w for w, changed in left if changed] == ["movie", "dull"]
    assert [w for w, changed in right if changed] == ["film", "dlul"]
    assert marked(left, "-") == "the [-movie-] was [-dull-] ."
    assert marked(right, "+") == "the {+film+} was {+dlul+} ."


def test_section_blocks(doc):
    section = attack_section(doc["probes"][0], SectionContext(models=["a", "b"], colors={}))
    tables = [b for b in section.blocks if isinstance(b, Table)]
    results = next(t for t in tables if "attack-table" in t.css)
    labels = [row[0].text for row in results.rows]
    assert labels[:4] == ["deepwordbug · success rate", "deepwordbug · success rate is",
                          "deepwordbug · accuracy under attack", "deepwordbug · clean accuracy"]
    assert [c.text for c in results.rows[1][2:4]] == ["success over 8 attacked examples"] * 2  # rebuilt: older results
    assert results.headers[2:4] == ["a", "b"]
    best = results.rows[0]
    assert "best" in best[-1].text and "b" in best[-1].text  # lower success rate, CIs apart
    counts = next(t for t in tables if "attack-counts" in t.css)
    assert [c.text for c in counts.rows[0][1:5]] == ["6 / 2 / 2", "0", "1", "1"]  # inconclusive, unconfirmed, budget
    assert not any(isinstance(b, Callout) and "Inconclusive" in b.title for b in section.blocks)
    callouts = [b for b in section.blocks if isinstance(b, Callout)]
    assert any(c.title == "pwws: not run" and "wordnet" in c.text for c in callouts)
    figures = [b for b in section.blocks if isinstance(b, Figure)]
    assert len(figures) == 2 and all(f.table is not None for f in figures)


def test_inconclusive_examples_are_counted_called_out_and_left_out_of_the_rate(monkeypatch):
    monkeypatch.setitem(sections.RENDERERS, "attack", attack_section)
    result = attack_result(0.75, "the acting was dlul")
    result["details"]["recipes"]["deepwordbug"].update(
        inconclusive=2, time_budget_s=30.0,
        success_rate_basis="success over 8 attacked examples; 2 inconclusive (time budget) left out")
    doc = results_with([probe("attack", {"a": result}, specs=SPECS)])
    section = attack_section(doc["probes"][0], SectionContext(models=["a"], colors={}))
    callout = next(b for b in section.blocks if isinstance(b, Callout) and "Inconclusive" in b.title)
    assert callout.kind == "warn" and "deepwordbug on a: 2 (30 s budget)" in callout.text
    counts = next(b for b in section.blocks if isinstance(b, Table) and "attack-counts" in b.css)
    assert counts.rows[0][2].text == "2"
    for text in (render_markdown(doc), "".join(parse(render_html(doc)).text)):
        assert "success over 8 attacked examples; 2 inconclusive (time budget) left out" in text
        assert "Inconclusive examples (time budget)" in text


def test_html_escapes_texts_and_highlights_the_diff(doc):
    html = render_html(doc)
    parsed = parse(html)
    assert parsed.errors == [] and parsed.stack == []
    assert not any(tag in ("script", "img") for tag, _ in parsed.tags)
    assert "<b>now</b>" not in html and "&lt;b&gt;now&lt;/b&gt;" in html
    text = "".join(parsed.text)
    assert SCRIPT_TEXT in text and "<img src=x>" in text  # shown as text, never as markup
    spans = [a for t, a in parsed.tags if t == "tspan"]
    assert any(a.get("text-decoration") == "line-through" for a in spans)  # the removed word
    assert "dlul" in "".join(parsed.text_in.get("tspan", []))


def test_markdown_marks_changes_and_neutralises_markup(doc):
    md = render_markdown(doc)
    assert "\\[-dull-\\]" in md and "{+dlul+}" in md
    assert "<script>" not in md and "&lt;script&gt;" in md and "<img" not in md
    assert "deepwordbug · success rate" in md


def test_failed_or_empty_results_still_render(monkeypatch):
    monkeypatch.setitem(sections.RENDERERS, "attack", attack_section)
    failed = {"status": "error", "reason": "TextAttack exploded", "metrics": {}, "details": {}, "examples": []}
    doc = results_with([probe("attack", {"a": failed, "b": ok({}, details={"recipes": "garbage"})}, specs=SPECS)])
    html = render_html(doc)
    assert "TextAttack exploded" in html and parse(html).errors == []
    assert "attack" in render_markdown(doc)


def test_a_sentence_pair_shows_both_texts_with_the_changed_side_marked(monkeypatch):
    monkeypatch.setitem(sections.RENDERERS, "attack", attack_section)
    result = attack_result(0.5, "unused")
    example = result["examples"][0]
    example.update(text="a man <b>plays</b> guitar", text_pair="a man plays music", adversarial="a man <b>plays</b> guitar",
                   adversarial_pair="a mna plays music")
    result["details"]["perturb"] = "second"
    doc = results_with([probe("attack", {"a": result}, specs=SPECS)])
    section = attack_section(doc["probes"][0], SectionContext(models=["a"], colors={}))
    callout = next(b for b in section.blocks if isinstance(b, Callout) and b.title == "Sentence pairs")
    assert "changed the second text" in callout.text and "first text was held fixed" in callout.text
    table = next(b for b in section.blocks if isinstance(b, Figure)).table
    assert table.headers[-4:] == ["Text", "Adversarial text", "Text pair", "Adversarial text pair"]
    assert [c.text for c in table.rows[0][-4:]] == ["a man <b>plays</b> guitar", "a man <b>plays</b> guitar",
                                                    "a [-man-] plays music", "a {+mna+} plays music"]
    html = render_html(doc)
    parsed = parse(html)
    assert parsed.errors == [] and not any(tag == "b" for tag, _ in parsed.tags)
    text = "".join(parsed.text)
    assert "first text (unchanged)" in text and "second text" in text and "<b>plays</b>" in text
    struck = [a for t, a in parsed.tags if t == "tspan" and a.get("text-decoration") == "line-through"]
    assert len(struck) == 1  # only the changed word of the second text
    md = render_markdown(doc)
    assert "{+mna+}" in md and "\\[-man-\\]" in md and "| Text pair |" in md


def test_word_swaps_not_counter_fitted_are_flagged(monkeypatch):
    monkeypatch.setitem(sections.RENDERERS, "attack", attack_section)
    plain = "swaps from plain GloVe neighbours, not counter-fitted: run `audit resources --fetch counterfit`"
    results = {}
    for model, resources in (("a", {"glove": "/g", "word_vectors": plain}),
                             ("b", {"counterfit": "/c", "word_vectors": "swaps from counter-fitted GloVe vectors"})):
        result = attack_result(0.5, "unused")
        result["details"]["recipes"]["deepwordbug"]["resources"] = resources
        results[model] = result
    section = attack_section(results_with([probe("attack", {"a": results["a"]}, specs=SPECS)])["probes"][0],
                             SectionContext(models=["a"], colors={}))
    callout = next(b for b in section.blocks if isinstance(b, Callout) and b.kind == "warn")
    assert callout.title == "deepwordbug: word swaps not counter-fitted" and callout.text == plain
    doc = results_with([probe("attack", {"b": results["b"]}, specs=SPECS)])
    section = attack_section(doc["probes"][0], SectionContext(models=["b"], colors={}))
    assert not any(isinstance(b, Callout) and b.kind == "warn" for b in section.blocks)
    assert "word vectors: swaps from counter-fitted GloVe vectors" in render_markdown(doc)
    md = render_markdown(results_with([probe("attack", {"a": results["a"]}, specs=SPECS)]))
    assert "word swaps not counter-fitted" in md and "--fetch counterfit" in md
