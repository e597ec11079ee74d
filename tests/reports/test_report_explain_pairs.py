"""The `explain` section on sentence pairs: each heatmap row shows the first text's words, a
separator that carries no score, then the second text's words, all escaped; Markdown names both
texts of the pair."""

from __future__ import annotations

from report_builders import SCRIPT_TEXT, explain_example, explain_results
from test_report_explain import heat_spans

from audit.reports import render_html, render_markdown
from audit.reports.sections.explain_examples import SEPARATOR, heat_row


def pair_results() -> dict:
    doc = explain_results()
    for res in doc["probes"][0]["results"].values():
        res["examples"] = [explain_example("p1", ["a", "man", "plays"], {"occlusion": [0.1, 0.2, 0.3]},
                                           text_pair=f"music {SCRIPT_TEXT}", words_pair=["music", SCRIPT_TEXT],
                                           attributions_pair={"occlusion": [-0.4, 0.05]})]
    return doc


def test_heat_row_joins_both_texts_with_an_unscored_separator():
    ex = pair_results()["probes"][0]["results"]["distilbert"]["examples"][0]
    row = heat_row(ex, "occlusion")
    assert row.words == ["a", "man", "plays", SEPARATOR, "music", SCRIPT_TEXT]
    assert row.scores == [0.1, 0.2, 0.3, None, -0.4, 0.05]
    single = explain_example("r", ["great", "movie"], {"occlusion": [0.3, 0.1]})
    assert heat_row(single, "occlusion").words == ["great", "movie"]  # no separator on a single text


def test_pair_heatmap_is_escaped_and_markdown_shows_both_texts():
    doc = pair_results()
    html = render_html(doc)
    spans = [(a, text) for a, text in heat_spans(html) if text]
    words = [text for _, text in spans]
    at = words.index(SEPARATOR)
    assert words[at - 3: at] == ["a", "man", "plays"] and words[at + 1: at + 3] == ["music", SCRIPT_TEXT]
    assert SCRIPT_TEXT not in html and "&lt;script&gt;" in html  # the second text's words are escaped
    md = render_markdown(doc, "full")
    section = md[md.index("## explain"):md.index("## Run summary")]
    assert "a man plays" in section and "music" in section and SEPARATOR in section
    assert "<script" not in section and "<span" not in section
