"""The slices section: the slices some model is weak on, side by side and largest gap first; per pair of models only
the slices Benjamini-Hochberg keeps; the weak slices' examples with their slice; what was too small to test, in
one short line; the generic layout for results without the table; every text escaped in HTML and Markdown."""

from __future__ import annotations

from report_builders import SCRIPT_TEXT, metric, ok, probe, results_with
from report_html_check import parse

import audit.reports.sections as sections
from audit.reports import render_html, render_markdown
from audit.reports.blocks import Callout, Table
from audit.reports.sections.common import SectionContext
from audit.reports.sections.slices import slices_section

SPECS = [{"name": "weak_slices", "description": "", "higher_is_better": False, "headline": True},
         {"name": "max_error_gap", "description": "", "higher_is_better": False, "headline": True},
         {"name": "slices_tested", "description": "", "higher_is_better": None, "headline": False}]


def row(name: str, diff: float, weak: bool, p: float, n: int = 64) -> dict:
    return {"slice": name, "kind": "pair" if " & " in name else "single", "parts": name.split(" & "), "n": n,
            "errors": 20, "error_rate": 0.2 + diff, "error_rate_rest": 0.2, "diff": diff,
            "ci": [diff - 0.1, diff + 0.1], "p_value": p / 10, "p_adjusted": p, "weak": weak}


def result(rows: list[dict], examples: list[dict]) -> dict:
    weak = [r for r in rows if r["weak"]]
    top = max(weak, key=lambda r: r["diff"]) if weak else None
    definitions = {"singles": [{"slice": "question", "n": 14, "tested": False, "why": "fewer than 30 examples"},
                               {"slice": "negation", "n": 189, "tested": True}],
                   "empty": ["caps", "url", "axis:race", "axis:race=black", "names"]}
    return ok({"weak_slices": metric(len(weak), None, False),
               "max_error_gap": metric(top["diff"] if top else 0.0, top["ci"] if top else None, False),
               "slices_tested": metric(len(rows), None, None)},
              details={"slices": rows, "definitions": definitions, "weak": [r["slice"] for r in weak]},
              examples=examples)


def paired_block() -> dict:
    def prow(name, diff, a_worse, b_worse, p):
        return {"slice": name, "n": 90, "error_a": 0.3 + diff, "error_b": 0.3, "diff": diff,
                "ci": [diff - 0.05, diff + 0.05], "wrong_only_a": 10, "wrong_only_b": 1, "p_value": p / 5,
                "p_adjusted": p, "a_worse": a_worse, "b_worse": b_worse}
    return {"slices": {"q": 0.05, "confidence": 0.95, "test": "mcnemar", "pairs": [
        {"a": "a", "b": "b", "n": 400, "tested": 3, "a_worse": 1, "b_worse": 1,
         "rows": [prow("negation", 0.12, True, False, 0.01), prow("digits", -0.2, False, True, 0.02),
                  prow("question", 0.01, False, False, 0.9)]}], "skipped": []}}


def doc() -> dict:
    example = {"slice": "length:q4[24-44 words] & negation", "id": "7", "text": f"not good {SCRIPT_TEXT}",
               "label": "pos", "predicted": "neg", "confidence": 0.81}
    a = result([row("negation", 0.14, True, 0.001), row("length:q4[24-44 words] & negation", 0.22, True, 0.002),
                row("digits", 0.05, False, 0.3)], [example])
    b = result([row("negation", 0.13, True, 0.003), row("length:q4[24-44 words] & negation", 0.15, False, 0.07),
                row("digits", 0.01, False, 0.9)], [])
    return results_with([probe("slices", {"a": a, "b": b}, specs=SPECS, config={"q": 0.05},
                               paired=paired_block())])


def test_the_renderer_is_registered():
    assert sections.RENDERERS["slices"] is slices_section


def test_weak_slices_side_by_side_largest_gap_first():
    section = slices_section(doc()["probes"][0], SectionContext(models=["a", "b"], colors={}))
    weak = next(b for b in section.blocks if isinstance(b, Table) and "slices-weak" in b.css)
    assert [r[0].text for r in weak.rows] == ["length:q4[24-44 words] & negation", "negation"]  # digits: weak nowhere
    first = weak.rows[0]
    assert [c.text for c in first[1:]] == ["64", "42.0% / 20.0%", "+22.0 [+12.0, +32.0]", "0.002",
                                           "35.0% / 20.0%", "+15.0 [+5.0, +25.0]", "0.070"]
    assert first[3].badge == "weak" and first[6].badge == ""  # weak for a only
    assert weak.header_groups == [("", 2), ("a", 3), ("b", 3)]
    assert "q = 0.05 over the 3 tested per model" in weak.caption


def test_paired_table_lists_only_the_slices_bh_keeps():
    section = slices_section(doc()["probes"][0], SectionContext(models=["a", "b"], colors={}))
    paired = next(b for b in section.blocks if isinstance(b, Table) and "slices-paired" in b.css)
    assert [(r[0].text, r[-1].text) for r in paired.rows] == [("digits", "b worse"), ("negation", "a worse")]
    assert [c.text for c in paired.rows[1][1:7]] == ["90", "42.0%", "30.0%", "+12.0 [+7.0, +17.0]", "0.002", "0.010"]
    assert "1 of 3 slices where a errs more, 1 where b does" in paired.caption


def test_examples_and_what_was_not_tested():
    section = slices_section(doc()["probes"][0], SectionContext(models=["a", "b"], colors={}))
    examples = next(b for b in section.blocks if isinstance(b, Table) and b.css == "examples")
    assert examples.headers[:3] == ["slice", "id", "text"]
    note = next(b for b in section.blocks if isinstance(b, Callout))
    assert note.text == ("too few examples in or out, or the same as another slice: question (14); no example: caps, "
                         "url, names, 2 identity axes and groups.")


def test_results_without_the_table_use_the_generic_layout():
    plain = results_with([probe("slices", {"a": ok({"weak_slices": metric(0, None, False)})}, specs=SPECS)])
    section = slices_section(plain["probes"][0], SectionContext(models=["a"], colors={}))
    assert not any(isinstance(b, Table) and "slices-weak" in b.css for b in section.blocks)


def test_html_and_markdown_escape_and_show_the_tables():
    results = doc()
    html = render_html(results)
    parsed = parse(html)
    assert parsed.errors == [] and not any(tag == "script" for tag, _ in parsed.tags)
    text = "".join(parsed.text)
    assert SCRIPT_TEXT in text and "Weak slices" in text and "a against b, slice by slice" in text
    md = render_markdown(results)
    assert "<script>" not in md and "### Weak slices" in md and "a worse" in md
