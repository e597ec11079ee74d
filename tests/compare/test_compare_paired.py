"""Paired tests on hand-made sidecars whose answer is known: who is right where is chosen here.
The verdict comes from Newcombe's paired interval of the accuracy difference (checked against a
published example in tests/test_paired.py), with McNemar reported beside it."""

from __future__ import annotations

import pytest

from audit.compare import compare_runs
from audit.core.errors import AuditError
from compare_builders import write_run

N = 100


def paired(doc, column):
    return next(t for t in doc["paired"] if t["column"] == column)


def test_known_mcnemar_counts_and_verdicts(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 90 + [False] * 10})
    # 'worse': 20 examples only the baseline gets right; 'better': 30 more right, none lost; 'same': identical
    new = write_run(tmp_path, "new", {
        "worse": [True] * 70 + [False] * 30,
        "better": [True] * 60 + [True] * 30 + [True] * 10,
        "same": [True] * 90 + [False] * 10,
    })
    doc = compare_runs([str(old), str(new)])
    assert doc["baseline"] == "old/m"
    worse = paired(doc, "new/worse")
    assert worse["n"] == N and worse["mcnemar"]["a_only"] == 0 and worse["mcnemar"]["b_only"] == 20
    assert worse["mcnemar"]["method"] == "exact-binomial"
    assert worse["mcnemar"]["p_value"] == pytest.approx(2 / 2**20)
    assert worse["interval"]["method"] == "newcombe-hybrid-score"
    assert worse["interval"]["diff"] == pytest.approx(-0.2) and worse["interval"]["ci"][1] < 0
    assert worse["verdict"] == "worse"
    better = paired(doc, "new/better")
    assert better["mcnemar"]["a_only"] == 10 and better["mcnemar"]["b_only"] == 0
    assert better["interval"]["diff"] == pytest.approx(0.1) and better["verdict"] == "better"
    same = paired(doc, "new/same")
    assert same["mcnemar"]["p_value"] == 1.0 and same["verdict"] == "not distinguishable"
    row = next(r for r in doc["metrics"] if r["address"] == "metrics.accuracy")
    assert row["versus_baseline"]["new/worse"] == {"verdict": "worse", "basis": "paired"}
    assert row["values"]["new/better"]["value"] == pytest.approx(1.0)


def test_paired_verdict_comes_from_the_paired_ci_not_overlapping_intervals(tmp_path):
    # 6 discordant examples all one way on n=100: the independent 95% CIs (+-0.05 here) overlap,
    # but the paired CI of the difference excludes zero
    old = write_run(tmp_path, "old", {"m": [True] * 80 + [False] * 20})
    new = write_run(tmp_path, "new", {"m": [True] * 86 + [False] * 14})
    doc = compare_runs([str(old), str(new)])
    row = next(r for r in doc["metrics"] if r["address"] == "metrics.accuracy")
    a, b = row["values"]["old/m"]["ci"], row["values"]["new/m"]["ci"]
    assert a[1] >= b[0]  # the intervals overlap
    assert row["versus_baseline"]["new/m"] == {"verdict": "better", "basis": "paired"}
    ece = next(r for r in doc["metrics"] if r["address"] == "metrics.ece")
    assert ece["versus_baseline"]["new/m"] == {"verdict": "not distinguishable", "basis": "intervals"}


def test_few_one_way_discordant_pairs_are_not_called_better(tmp_path):
    # 4 of 200 examples only the column gets right, none the other way: McNemar exact p = 0.125, and the
    # interval of the difference includes 0, so no verdict of "better" (the percentile bootstrap gave one)
    old = write_run(tmp_path, "old", {"m": [True] * 180 + [False] * 20})
    new = write_run(tmp_path, "new", {"m": [True] * 184 + [False] * 16})
    test = paired(compare_runs([str(old), str(new)]), "new/m")
    assert (test["mcnemar"]["a_only"], test["mcnemar"]["b_only"]) == (4, 0)
    assert test["mcnemar"]["p_value"] == pytest.approx(0.125)
    assert test["interval"]["ci"][0] < 0 < test["interval"]["ci"][1]
    assert test["verdict"] == "not distinguishable"


def test_baseline_flag_picks_the_reference(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 90 + [False] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 70 + [False] * 30})
    doc = compare_runs([str(old), str(new)], baseline="new/m")
    assert doc["baseline"] == "new/m" and paired(doc, "old/m")["verdict"] == "better"
    with pytest.raises(AuditError, match=r"--baseline 'x/m' matches no column; pass one of: old/m, new/m"):
        compare_runs([str(old), str(new)], baseline="x/m")
    with pytest.raises(AuditError, match="ambiguous"):
        compare_runs([str(old), str(new)], baseline="m")


def test_missing_sidecar_gives_a_note_not_a_test(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10}, sidecars=False)
    doc = compare_runs([str(old), str(new)])
    assert doc["paired"] == []
    assert any("new/m" in n and "sidecar is missing" in n for n in doc["notes"])
    row = next(r for r in doc["metrics"] if r["address"] == "metrics.accuracy")
    assert row["versus_baseline"]["new/m"]["basis"] == "intervals"


def test_names_must_match_runs(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10})
    doc = compare_runs([str(old), str(new / "results.json")], names=["prod", "cand"])
    assert [c["key"] for c in doc["columns"]] == ["prod/m", "cand/m"]
    with pytest.raises(AuditError, match="one --name per run"):
        compare_runs([str(old), str(new)], names=["prod"])
    with pytest.raises(AuditError, match="only letters"):
        compare_runs([str(old), str(new)], names=["a/b", "c"])
