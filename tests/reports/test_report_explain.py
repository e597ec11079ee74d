"""The `explain` section: token heatmaps (escaped, coloured per row), the same ids across models,
curves against k, global words per class with identity terms linked to the fairness sections;
Markdown with top words; partial results. Rankings and the attention verdict:
test_report_explain_ranking.py."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

from report_builders import (
    SCRIPT_TEXT, explain_example, explain_results, ok, probe, results_with,
)
from report_html_check import parse

import audit.reports.sections as sections
from audit.reports import render_html, render_markdown
from audit.reports.blocks import ColorScale, HeatRow, Table, TokenHeatmap
from audit.reports.heatmap import heat_color, signed, tokens, top_words_text
from audit.reports.sections.common import SectionContext, generic_section
from audit.reports.sections.explain import explain_section, ranking_table, trust_callout

MODELS = ["distilbert", "tfidf-logreg"]
HOSTILE = '" onmouseover="alert(1)'


class Tokens(HTMLParser):
    """(attributes, text) of every heatmap word: ``<span class="tok ...">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "span" and "tok" in a.get("class", "").split():
            self._open = a
            self.found.append((a, ""))

    def handle_data(self, data):
        if self._open is not None:
            self.found[-1] = (self._open, self.found[-1][1] + data)

    def handle_endtag(self, tag):
        self._open = None


def heat_spans(html: str) -> list[tuple[dict, str]]:
    p = Tokens()
    p.feed(html)
    return p.found


def ctx() -> SectionContext:
    return SectionContext(models=list(MODELS), colors={})


def explain_probe(doc: dict) -> dict:
    return doc["probes"][0]


def details(doc: dict, model: str) -> dict:
    return explain_probe(doc)["results"][model]["details"]


def test_registered():
    assert sections.RENDERERS["explain"] is explain_section


def test_colour_scale_is_diverging_and_scaled_per_row():
    assert (heat_color(1), heat_color(-1), heat_color(0)) == ("#2166ac", "#b35806", "#ffffff")
    assert heat_color(5) == heat_color(1) and heat_color(0.5) not in (heat_color(1), heat_color(0))
    row = HeatRow("m", ["a", "b", "c"], [0.1, None, -0.4])
    shown = tokens(row, max_words=2)  # "c" is cut, but its |score| still sets the scale
    assert [t.text for t in shown] == ["a", "b"]
    assert shown[0].color == heat_color(0.25) and shown[0].title == "+0.10" and not shown[0].dark
    assert shown[1].color == "#ffffff" and shown[1].title == "no score"
    assert signed(0.0001) == "+1.0e-04" and signed(-0.22) == "-0.22"
    assert top_words_text(row, 2) == "c (-0.40), a (+0.10)"
    assert top_words_text(HeatRow("m", ["a", "b"], [0.0, 0.3]), 5) == "b (+0.30)"  # a zero says nothing
    assert top_words_text(HeatRow("m", ["a"], [0.0]), 5) == "every score is 0"
    assert top_words_text(HeatRow("m", ["a"], [None]), 5) == "no scores"


def test_heatmap_spans_carry_colours_and_raw_scores():
    spans = heat_spans(render_html(explain_results()))
    words = [(a["title"], a["style"], a["class"], text) for a, text in spans if "title" in a and text]
    # distilbert scores great +0.4, not -0.2: full blue and half orange
    assert ("+0.40", "background-color:#2166ac", "tok tok-dark", "great") in words
    assert ("-0.20", f"background-color:{heat_color(-0.5)}", "tok", "not") in words
    # tfidf-logreg's scores are four times smaller, but each row is scaled by its own max |score|
    assert ("+0.10", "background-color:#2166ac", "tok tok-dark", "great") in words
    assert ("-0.05", f"background-color:{heat_color(-0.5)}", "tok", "not") in words
    legend = [a for a, text in spans if text in ("-1", "+1")]
    assert [a["style"] for a in legend] == ["background-color:#b35806", "background-color:#2166ac"]


def test_hostile_text_is_escaped_everywhere():
    doc = explain_results(hostile=HOSTILE)
    hf = explain_probe(doc)["results"]["distilbert"]
    by_id = {e["id"]: e for e in hf["examples"]}
    by_id["r1"]["words"][0] = SCRIPT_TEXT
    by_id["a1"]["original"] = "<img src=x onerror=alert(2)>"
    hf["details"]["methods"]["rollout"] = {"status": "error", "reason": "<b>boom</b>", "seconds_per_example": None}
    hf["details"]["global_tokens"]["positive"][0]["token"] = "\"><i>x</i>"
    html = render_html(doc)
    parsed = parse(html)
    assert parsed.errors == [] and parsed.stack == []
    assert not {t for t, _ in parsed.tags} & {"script", "img", "b", "i"}
    assert not [k for _, a in parsed.tags for k in a if k.startswith("on")]
    text = "".join(parsed.text)
    assert SCRIPT_TEXT in text and "<img src=x onerror=alert(2)>" in text and "<b>boom</b>" in text
    spans = heat_spans(html)
    assert (HOSTILE in [t for _, t in spans]) and all(set(a) == {"class", "style", "title"} for a, _ in spans)
    assert "&#34; onmouseover=&#34;alert(1)" in html


def test_same_ids_across_models_side_by_side_shared_first():
    section = explain_section(explain_probe(explain_results()), ctx())
    maps = [b for b in section.blocks if isinstance(b, TokenHeatmap)]
    assert [m.title.split(" · ")[0] for m in maps] == ["id r1", "id r2", "id m1", "id a1", "id m2"]
    r1 = maps[0]
    assert [g.title for g in r1.groups] == MODELS
    # distilbert: its three best-ranked methods, then attention (ranked 4th) for comparison
    assert [r.label for r in r1.groups[0].rows] == ["integrated_gradients", "occlusion", "grad_x_input", "attention"]
    assert [r.label for r in r1.groups[1].rows] == ["occlusion"]
    assert "attacked" in maps[3].groups[0].note and "“great movie”" in maps[3].groups[0].note
    html = render_html(explain_results())
    block = html[html.index("id r1 · gold positive"):html.index("id r2 · gold positive")]
    assert block.index("<strong>distilbert</strong>") < block.index("<strong>tfidf-logreg</strong>")


def test_examples_are_capped_and_the_caption_says_what_was_cut():
    doc = explain_results()
    hf = explain_probe(doc)["results"]["distilbert"]
    hf["examples"] += [explain_example(f"x{i}", ["w"], {"occlusion": [0.1]}) for i in range(8)]
    section = explain_section(explain_probe(doc), ctx())
    maps = [b for b in section.blocks if isinstance(b, TokenHeatmap)]
    assert len(maps) == 6 and maps[0].title.startswith("id r1") and maps[1].title.startswith("id r2")
    scale = next(b for b in section.blocks if isinstance(b, ColorScale))
    assert "Showing 6 of 13 explained texts" in scale.caption


def test_faithfulness_curves_per_model_with_one_line_per_method():
    html = render_html(explain_results())
    svg = html[html.index('aria-label="comprehensiveness against k — distilbert"'):]
    svg = svg[: svg.index("</svg>")]
    assert svg.count("<circle") == 6 * 4 and svg.count("<polyline") == 6  # five methods and random, four k each
    assert "integrated_gradients — k (share of words) 0.05: 0.208" in svg
    assert 'aria-label="sufficiency against k — tfidf-logreg"' in html


def test_global_words_flag_identity_terms_and_link_only_to_present_fairness_sections():
    html = render_html(explain_results())
    parsed = parse(html)
    assert any(t == "span" and a.get("class") == "badge mark-identity" for t, a in parsed.tags)
    text = "".join(parsed.text)
    assert "muslim (religion; distilbert)" in text and "No fairness probe ran in this audit" in text
    assert not [a for t, a in parsed.tags if t == "a" and "fairness" in a.get("href", "")]
    fairness = probe("group-fairness", {m: ok({}) for m in MODELS}, family="fairness")
    html = render_html(explain_results(extra_probes=[fairness]))
    links = [a["href"] for t, a in parse(html).tags if t == "a" and a.get("href", "").startswith("#probe-")]
    assert "#probe-group-fairness" in links and "#probe-counterfactual" not in links
    assert 'id="probe-group-fairness"' in html
    md = render_markdown(explain_results(extra_probes=[fairness]))
    assert "measured in **group fairness**." in md


def test_markdown_has_the_ranking_and_top_words_but_no_html():
    md = render_markdown(explain_results(), "full")
    section = md[md.index("## explain"):md.index("## Run summary")]
    assert "| 1 | **integrated\\_gradients** | 0.420 \\[0.360, 0.480\\] | yes |" in section
    assert "needs attention maps; sklearn model has none" in section
    assert "| great (+0.40), not (-0.20), &lt;script&gt;alert(\"x\")&lt;/script&gt; (+0.10) |" in section
    assert "great (+0.10), not (-0.05)" in section  # raw scores in Markdown, not the per-row scaled ones
    assert "<span" not in section and "<script" not in section and "style=" not in section
    assert "muslim _(identity term)_" in section and "| k=0.05 |" in section


def test_report_stays_self_contained():
    html = render_html(explain_results(extra_probes=[probe("counterfactual", {m: ok({}) for m in MODELS})]))
    parsed = parse(html)
    assert parsed.errors == [] and not re.search(r"https?:|//", html)
    assert not {t for t, _ in parsed.tags} & {"script", "link", "img", "iframe", "object", "embed", "use", "image"}
    for tag, attrs in parsed.tags:
        assert "src" not in attrs and not [k for k in attrs if k.startswith("on")]
        assert attrs.get("href", "#").startswith("#")
        if "style" in attrs:  # only the computed heatmap colours and figure widths, never data
            heat = tag == "span" and re.fullmatch(r"background-color:#[0-9a-f]{6}", attrs["style"])
            widths = tag == "div" and re.fullmatch(r"(--fig-(min|max):[0-9]+px;?)*", attrs["style"])
            assert heat or widths, attrs


def test_partial_and_malformed_results_still_render():
    garbage = {"methods": "x", "ranking": [None, {"score": 1}, {"method": "occlusion", "score": "high"}],
               "faithfulness": {"attention": None,
                                "occlusion": {"comprehensiveness": {"abc": 1, "0.1": "x", "0.2": 0.3}}},
               "global_tokens": {"positive": None, "negative": [None, {"token": "x"}]}, "stability": [],
               "selection": 3, "k": None}
    examples = [{"id": 1}, {"text": "no id"}, "junk", {"id": "2", "words": ["a", "b"],
                                                       "attributions": {"occlusion": ["x", None, 2, 3]}},
                {"id": "3", "text": "no words given", "attributions": {"attention": [0.5]}}]
    results = {"a": ok({}, details=garbage, examples=examples),
               "b": {"status": "error", "reason": "CUDA <oom>", "metrics": {}, "details": {}, "examples": []}}
    doc = results_with([probe("explain", results)])
    html = render_html(doc)
    parsed = parse(html)
    assert parsed.errors == [] and "CUDA <oom>" in "".join(parsed.text)
    assert [t for _, t in heat_spans(html) if t in ("no", "words", "given")] == ["no", "words", "given"]
    assert "## explain" in render_markdown(doc, "full")
    # no model with details: the generic layout, unchanged
    bare = results_with([probe("explain", {"a": ok({}), "b": ok({})})])
    assert explain_section(bare["probes"][0], SectionContext(["a", "b"], {})) == generic_section(
        bare["probes"][0], SectionContext(["a", "b"], {}))


def test_ranking_falls_back_when_missing():
    doc = explain_results()
    d = details(doc, "distilbert")
    del d["ranking"], d["ranking_rule"], d["stability"]
    table = ranking_table(explain_probe(doc), "distilbert")
    assert isinstance(table, Table) and table.rows and all(r[0].text == "—" for r in table.rows)
    assert trust_callout(explain_probe(doc), "distilbert") is None  # no ranking, no verdict
    assert parse(render_html(doc)).errors == []


def test_reports_import_no_model_code():
    code = ("import sys, audit.reports.sections.explain, audit.reports.sections.explain_examples, audit.reports.heatmap; "
            "bad = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'sklearn', 'transformers'}"
            " | {m for m in sys.modules if m.startswith(('audit.models', 'audit.probes'))}); assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_attacked_texts_of_a_shown_id_get_their_own_heatmaps():
    """An attacked text keeps its dataset id; neither the clean text of that id nor another recipe's
    attack on it may hide it."""
    doc = explain_results()
    hf = explain_probe(doc)["results"]["distilbert"]
    hf["examples"] += [
        explain_example("r1", ["graet", "not", "movie"], {"occlusion": [0.3, 0.1, 0.0]}, why="attacked",
                        original="great not movie", recipe="deepwordbug"),
        explain_example("r1", ["great", "nto", "film"], {"occlusion": [0.2, 0.0, 0.1]}, why="attacked",
                        original="great not movie", recipe="textfooler")]
    section = explain_section(explain_probe(doc), ctx())
    titles = [b.title for b in section.blocks if isinstance(b, TokenHeatmap)]
    assert titles[0] == "id r1 · gold positive"  # the shared random text, both models
    assert "id r1 · attacked (deepwordbug) · gold positive" in titles
    assert "id r1 · attacked (textfooler) · gold positive" in titles
    html = render_html(doc)
    assert "graet" in html and "nto" in html


def test_global_view_caption_names_its_own_sample():
    html = render_html(explain_results())
    assert "separate seeded sample of the dataset" in html and "over the explained texts," not in html
