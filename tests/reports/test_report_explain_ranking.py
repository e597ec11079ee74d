"""The `explain` section's method ranking per model and its plain verdict on whether attention
deserves trust (split from test_report_explain.py, which covers heatmaps and layout)."""

from __future__ import annotations

import pytest
from report_builders import SKLEARN_NO_ATTENTION, explain_results
from report_html_check import parse

from audit.reports import render_html
from audit.reports.sections.explain import ranking_table, trust_callout


def explain_probe(doc: dict) -> dict:
    return doc["probes"][0]


def details(doc: dict, model: str) -> dict:
    return explain_probe(doc)["results"][model]["details"]


def test_ranking_table_order_baseline_and_skipped_reasons():
    p = explain_probe(explain_results())
    hf = ranking_table(p, "distilbert")
    assert [r[1].text for r in hf.rows] == ["integrated_gradients", "occlusion", "grad_x_input", "attention", "rollout",
                                            "random (baseline)"]
    assert [r[0].text for r in hf.rows][:5] == ["1", "2", "3", "4", "5"]
    assert hf.rows[0][2].text == "0.420 [0.360, 0.480]" and hf.rows[4][3].text == "no"
    assert hf.rows[0][4].text == "0.520 [0.470, 0.570]"  # AOPC comprehensiveness metric, with its CI
    assert hf.rows[0][6].text == "0.900 [0.800, 0.950]" and hf.rows[0][7].text == "4.0 ms"
    sk = ranking_table(p, "tfidf-logreg")
    skipped = {r[1].text: (r[2].text, r[-1].text) for r in sk.rows if r[2].text == "skipped"}
    assert skipped["attention"] == ("skipped", SKLEARN_NO_ATTENTION) and len(skipped) == 4
    assert "typo@0.1" in sk.caption and "AOPC comprehensiveness minus AOPC sufficiency" in sk.caption
    text = "".join(parse(render_html(explain_results())).text)
    assert "distilbert · integrated_gradients" in text and "steps=32, completeness_gap_max=0.012" in text


def _set(doc: dict, method: str, **changes) -> None:
    entry = next(r for r in details(doc, "distilbert")["ranking"] if r["method"] == method)
    entry.update(changes)


@pytest.mark.parametrize("change, kind, title", [
    (None, "warn", "distilbert: attention ranks below integrated_gradients, occlusion, grad_x_input"),
    ("no_random", "fail", "distilbert: do not trust attention as an explanation"),
    ("first", "pass", "distilbert: attention is the most faithful method here"),
    ("overlap", "info", "distilbert: attention is about as faithful as integrated_gradients"),
    ("none_beat", "fail", "distilbert: no explanation method beats random"),
])
def test_trust_callout_says_plainly_whether_attention_deserves_trust(change, kind, title):
    doc = explain_results()
    ranking = details(doc, "distilbert")["ranking"]
    if change == "no_random":
        _set(doc, "attention", beats_random=False)
    elif change == "first":
        ranking.insert(0, ranking.pop(3))
    elif change == "overlap":
        _set(doc, "attention", ci=[0.1, 0.4])
    elif change == "none_beat":
        for r in ranking:
            r["beats_random"] = False
    callout = trust_callout(explain_probe(doc), "distilbert")
    assert (callout.kind, callout.title) == (kind, title)
    if change is None:
        assert "attention ranks 4th of 5" in callout.text and "beats the random baseline" in callout.text
        assert callout.text.endswith("explain this model with integrated_gradients.")


def test_trust_callout_claims_nothing_the_results_do_not_say():
    doc = explain_results()
    for r in details(doc, "distilbert")["ranking"]:
        del r["beats_random"]  # an older probe version without the flag
    callout = trust_callout(explain_probe(doc), "distilbert")
    assert callout.kind == "warn" and "random" not in callout.text


def test_model_without_attention_gets_the_reason_not_a_verdict():
    doc = explain_results()
    callout = trust_callout(explain_probe(doc), "tfidf-logreg")
    assert callout.kind == "info" and callout.title == "tfidf-logreg: attention explanations do not apply"
    assert SKLEARN_NO_ATTENTION in callout.text and "occlusion ranks first" in callout.text
    del details(doc, "tfidf-logreg")["methods"]["attention"], details(doc, "tfidf-logreg")["methods"]["rollout"]
    assert trust_callout(explain_probe(doc), "tfidf-logreg") is None  # attention never considered: say nothing
