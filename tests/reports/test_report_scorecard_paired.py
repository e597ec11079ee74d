"""The scorecard's verdict uses the probe's paired comparisons where they exist: 9 fixed and 0 broken
of 400 is "best · paired" although the two accuracy intervals overlap; without paired data the
intervals decide, labelled "unpaired". Brier and log loss also need their sign-flip test: 4 differing
examples of 301, all one way, leave them "not distinguishable · paired" although the bootstrap CI excludes 0."""

from __future__ import annotations

import pytest
from paired_builders import correctness, write_run
from report_builders import metric

from audit.predictions.paired_verdicts import add_paired
from audit.reports import render_html, render_markdown
from audit.reports.governance import build_governance
from audit.reports.markdown import render as render_md
from audit.reports.scorecard import (
    BEST, BEST_PAIRED, ND_PAIRED, NOT_DISTINGUISHABLE, build_scorecard, compare, metric_row, paired_for,
    scorecard_legend,
)


@pytest.fixture
def nine_fixed(tmp_path) -> dict:
    a, b = correctness(300, 9, 0, 91)
    return add_paired(write_run(tmp_path, {"a": a, "b": b}), tmp_path)


def accuracy_row(doc: dict):
    return next(r for r in build_scorecard(doc, ["a", "b"]).rows if r[0].text == "metrics.accuracy")


def test_paired_difference_is_best_although_intervals_overlap(nine_fixed):
    row = accuracy_row(nine_fixed)
    assert (row[2].badge, row[3].badge) == (BEST_PAIRED, "")
    assert row[2].strong and "mark-best" in row[2].css
    assert row[4].text.startswith("a better than b · paired: a − b = +0.022 [+0.0")
    assert "McNemar p=0.0039" in row[4].text
    del nine_fixed["probes"][0]["paired"]  # the same values judged by their own intervals
    row = accuracy_row(nine_fixed)
    assert (row[2].badge, row[3].badge) == (NOT_DISTINGUISHABLE, NOT_DISTINGUISHABLE)
    assert row[4].text == "not distinguishable: a, b (CIs overlap) · unpaired"


def test_paired_ci_containing_zero_is_not_distinguishable_paired(tmp_path):
    a, b = correctness(300, 5, 3, 92)
    doc = add_paired(write_run(tmp_path, {"a": a, "b": b}), tmp_path)
    row = accuracy_row(doc)
    assert (row[2].badge, row[3].badge) == (ND_PAIRED, ND_PAIRED)
    assert row[4].text.startswith("not distinguishable · paired: a, b (a − b = +0.005 [-0.0")


def test_lower_is_better_losses_use_the_paired_bootstrap(nine_fixed):
    probe = nine_fixed["probes"][0]
    row = metric_row(probe, "log_loss", "metrics.log_loss", ["a", "b"])
    c = next(c for c in probe["paired"]["comparisons"] if c["metric"] == "log_loss")
    assert c["ci"][1] < 0  # a is right, and more confident in the gold label, on the 9 examples where they differ
    assert (row[2].badge, row[3].badge) == (BEST_PAIRED, "") and "a better than b · paired" in row[4].text
    assert "McNemar" not in row[4].text  # a bootstrap has no McNemar
    assert "sign-flip p=0.0039" in row[4].text  # 2 / 512: all 9 differences favour a


@pytest.mark.parametrize("metric_name", ["log_loss", "brier"])
def test_four_one_way_loss_differences_are_not_distinguishable(tmp_path, metric_name):
    # 301 examples, 4 differ, all favouring a: McNemar p = 0.125 for accuracy, and the sign-flip p for the losses
    # is 2/2^4 = 0.125 too, although the percentile bootstrap interval excludes 0
    a, b = correctness(200, 4, 0, 97)
    doc = add_paired(write_run(tmp_path, {"a": a, "b": b}), tmp_path)
    probe = doc["probes"][0]
    c = next(c for c in probe["paired"]["comparisons"] if c["metric"] == metric_name)
    assert c["ci"][1] < 0 and c["sign_flip"]["p_value"] == pytest.approx(0.125)
    row = metric_row(probe, metric_name, f"metrics.{metric_name}", ["a", "b"])
    assert (row[2].badge, row[3].badge) == (ND_PAIRED, ND_PAIRED)
    assert row[4].text.startswith("not distinguishable · paired: a, b (a − b = -0.0")
    assert "sign-flip p=0.12" in row[4].text
    assert accuracy_row(doc)[4].text.startswith("not distinguishable · paired")  # the two verdicts now agree


def test_loss_verdict_needs_both_the_interval_and_the_sign_flip_p():
    two = {"a": metric(0.30, None, hib=False), "b": metric(0.32, None, hib=False)}

    def pairs(lo, hi, flip_p, alpha=0.05):
        c = {"diff": -0.02, "ci": (lo, hi), "p": None, "flip_p": flip_p, "alpha": alpha}
        return {("a", "b"): c, ("b", "a"): {**c, "diff": 0.02, "ci": (-hi, -lo)}}

    assert compare(two, False, pairs(-0.03, -0.01, 0.01)).kind == "best_paired"
    assert compare(two, False, pairs(-0.03, -0.01, 0.06)).kind == "not_distinguishable_paired"  # p too large
    assert compare(two, False, pairs(-0.03, 0.01, 0.001)).kind == "not_distinguishable_paired"  # CI holds 0
    assert compare(two, False, pairs(-0.03, -0.01, 0.06, alpha=0.1)).kind == "best_paired"  # 90% confidence


def test_a_loss_comparison_without_sign_flip_is_not_used(nine_fixed):
    probe = nine_fixed["probes"][0]
    for c in probe["paired"]["comparisons"]:
        c.pop("sign_flip", None)  # as written before the test existed
    assert paired_for(probe, "log_loss") == {} and paired_for(probe, "brier") == {}
    assert set(paired_for(probe, "accuracy")) == {("a", "b"), ("b", "a")}
    row = metric_row(probe, "log_loss", "metrics.log_loss", ["a", "b"])
    assert "· paired" not in row[4].text


def _pairs(diffs: dict[tuple[str, str], tuple[float, float, float]]) -> dict:
    out = {}
    for (x, y), (d, lo, hi) in diffs.items():
        out[(x, y)] = {"diff": d, "ci": (lo, hi), "p": None}
        out[(y, x)] = {"diff": -d, "ci": (-hi, -lo), "p": None}
    return out


THREE = {"a": metric(0.80, (0.76, 0.84)), "b": metric(0.78, (0.74, 0.82)), "c": metric(0.77, (0.73, 0.81))}


def test_three_models_best_only_when_every_paired_ci_favours_the_leader():
    wins = _pairs({("a", "b"): (0.02, 0.005, 0.035), ("a", "c"): (0.03, 0.01, 0.05), ("b", "c"): (0.01, -0.01, 0.03)})
    v = compare(THREE, True, wins)
    assert v.kind == "best_paired" and v.marks == {"a": BEST_PAIRED}
    assert v.text == "a best · paired: its paired CI excludes 0 against each of b, c"
    close = _pairs({("a", "b"): (0.02, -0.001, 0.04), ("a", "c"): (0.03, 0.01, 0.05)})
    v = compare(THREE, True, close)
    assert v.kind == "not_distinguishable_paired" and v.marks == {"a": ND_PAIRED, "b": ND_PAIRED}


def test_missing_or_stale_pairs_fall_back_to_the_labelled_interval_rule():
    partial = _pairs({("a", "b"): (0.02, 0.005, 0.035)})  # no a-c comparison
    v = compare(THREE, True, partial)
    assert v.kind == "not_distinguishable" and v.text.endswith("(CIs overlap) · unpaired")
    stale = _pairs({("a", "b"): (0.05, 0.03, 0.07), ("a", "c"): (0.03, 0.01, 0.05)})  # a-b is not 0.80-0.78
    assert compare(THREE, True, stale).kind == "not_distinguishable"
    apart = {"a": metric(0.9, (0.88, 0.92)), "b": metric(0.8, (0.78, 0.82))}
    v = compare(apart, True, {})
    assert v.marks == {"a": BEST} and v.text == "a best (CIs do not overlap) · unpaired"


def test_marks_and_legend_reach_both_outputs(nine_fixed):
    html, md = render_html(nine_fixed), render_markdown(nine_fixed)
    assert 'class="badge mark-best">best · paired</span>' in html
    assert "_(best · paired)_" in md and "a better than b · paired" in md
    legend = dict(scorecard_legend().items)
    assert "excludes 0" in legend[BEST_PAIRED] and "Newcombe" in legend[BEST_PAIRED]
    assert "sign-flip" in legend[BEST_PAIRED] and "1 − confidence" in legend[BEST_PAIRED]
    assert "both must hold" in legend[BEST_PAIRED] and "sign-flip" in legend[ND_PAIRED]
    assert legend[BEST].startswith("unpaired") and legend[NOT_DISTINGUISHABLE].startswith("unpaired")
    assert "**best · paired**" in md and "**not distinguishable · paired**" in md


def test_governance_record_shows_the_paired_verdict(nine_fixed):
    md = render_md(build_governance(nine_fixed))
    assert "_(best · paired)_" in md and "a better than b · paired" in md
