"""The verdict rule: "best" only when CIs do not overlap; direction from higher_is_better."""

from __future__ import annotations

from report_builders import metric, ok, probe, results_with

from audit.reports import render_html, render_markdown
from audit.core.fmt import overlaps
from audit.reports.scorecard import BEST, LEAD, NOT_DISTINGUISHABLE, TIE, build_scorecard, compare


def test_overlap_is_inclusive_and_order_free():
    assert overlaps((0.1, 0.2), (0.2, 0.3))
    assert overlaps((0.3, 0.2), (0.25, 0.26))
    assert not overlaps((0.1, 0.2), (0.21, 0.3))


def test_best_when_cis_do_not_overlap():
    v = compare({"a": metric(0.9, (0.88, 0.92)), "b": metric(0.8, (0.78, 0.82))}, True)
    assert v.kind == "best" and v.marks == {"a": BEST}


def test_lower_is_better_picks_the_smaller_value():
    v = compare({"a": metric(0.30, (0.28, 0.32), False), "b": metric(0.10, (0.08, 0.12), False)}, False)
    assert v.kind == "best" and v.marks == {"b": BEST}


def test_overlapping_cis_are_not_distinguishable():
    v = compare({"a": metric(0.90, (0.85, 0.95)), "b": metric(0.88, (0.83, 0.93))}, True)
    assert v.kind == "not_distinguishable"
    assert v.marks == {"a": NOT_DISTINGUISHABLE, "b": NOT_DISTINGUISHABLE}
    assert "best" not in v.text


def test_only_models_overlapping_the_leader_are_grouped():
    v = compare({"a": metric(0.90, (0.86, 0.94)), "b": metric(0.87, (0.84, 0.90)),
                 "c": metric(0.50, (0.45, 0.55))}, True)
    assert v.kind == "not_distinguishable" and set(v.marks) == {"a", "b"}


def test_missing_ci_never_claims_best():
    v = compare({"a": metric(0.9, (0.88, 0.92)), "b": metric(0.5)}, True)
    assert v.kind == "no_ci" and v.marks == {"a": LEAD}


def test_equal_values_are_a_tie():
    v = compare({"a": metric(0.9, (0.8, 1.0)), "b": metric(0.9, (0.85, 0.95))}, True)
    assert v.kind == "tie" and v.marks == {"a": TIE, "b": TIE}


def test_no_direction_single_value_and_no_data():
    assert compare({"a": metric(1.0, (0, 2)), "b": metric(2.0, (3, 4))}, None).marks == {}
    assert compare({"a": metric(1.0, (0, 2)), "b": None}, True).kind == "single"
    assert compare({"a": metric(None), "b": None}, True).kind == "no_data"
    assert compare({"a": metric(float("nan")), "b": metric(0.1)}, True).kind == "single"


def _two_model_results(hib_in_metric: bool | None):
    spec = [{"name": "drop", "description": "d", "higher_is_better": False, "headline": True}]
    a, b = metric(0.10, (0.08, 0.12), hib_in_metric), metric(0.30, (0.28, 0.32), hib_in_metric)
    return results_with([probe("typos", {"a": ok({"drop": a}), "b": ok({"drop": b})}, spec)])


def test_scorecard_uses_the_spec_direction_when_the_metric_has_none():
    table = build_scorecard(_two_model_results(None), ["a", "b"])
    row = table.rows[0]
    assert row[0].text == "typos.drop" and row[1].text.startswith("↓")
    assert row[2].badge == BEST and row[3].badge == ""


def test_scorecard_lists_headline_metrics_only_and_marks_failed_models():
    specs = [{"name": "acc", "description": "", "higher_is_better": True, "headline": True},
             {"name": "f1/{label}", "description": "", "higher_is_better": True, "headline": False}]
    failed = {"status": "error", "reason": "boom", "metrics": {}, "details": {}, "examples": []}
    res = results_with([probe("metrics", {"a": ok({"acc": metric(0.9), "f1/x": metric(0.8)}), "b": failed}, specs)])
    table = build_scorecard(res, ["a", "b"])
    assert [r[0].text for r in table.rows] == ["metrics.acc"]
    assert table.rows[0][3].text == "error" and table.rows[0][3].title == "boom"


def test_best_and_not_distinguishable_marks_reach_both_outputs():
    res = _two_model_results(False)
    html, md = render_html(res), render_markdown(res)
    assert 'class="num mark-best"' in html and 'class="badge mark-best">best</span>' in html
    assert "**0.100 \\[0.080, 0.120\\]** _(best)_" in md
    res["probes"][0]["results"]["b"]["metrics"]["drop"] = metric(0.11, (0.09, 0.13), False)
    html = render_html(res)
    assert 'class="num mark-nd"' in html and 'class="num mark-best"' not in html
    assert "not distinguishable: a, b (CIs overlap)" in html


def test_placeholder_specs_match_any_placeholder_name():
    from audit.core.document import metric_names, spec_for

    probe = {
        "metric_specs": [{"name": "success_rate/{recipe}", "description": "d", "higher_is_better": False}],
        "results": {"m": {"metrics": {"success_rate/pwws": {"value": 0.5}, "other": {"value": 1}}}},
    }
    assert spec_for(probe, "success_rate/pwws")["description"] == "d"
    assert metric_names(probe, ["m"]) == ["success_rate/pwws", "other"]
