"""`--allow-different-data`: columns on the baseline's data (one run, or runs sharing a fingerprint)
are still paired; columns on other or unverified data get no verdict at all, not one from
overlapping intervals of different examples."""

from __future__ import annotations

import json

from audit.compare import compare_runs
from compare_builders import FP_A, FP_B, write_run

NO_COMPARISON = "different data: no comparison"


def runs_on_two_datasets(tmp_path):
    a = write_run(tmp_path, "runA", {"cand": [True] * 90 + [False] * 10, "prod": [True] * 80 + [False] * 20}, fingerprint=FP_A)
    b = write_run(tmp_path, "runB", {"cand": [True] * 95 + [False] * 5, "prod": [True] * 85 + [False] * 15}, fingerprint=FP_B)
    c = write_run(tmp_path, "runC", {"cand": [True] * 70 + [False] * 30}, fingerprint=FP_A)
    return a, b, c


def test_columns_on_the_baselines_data_are_still_paired(tmp_path):
    a, b, c = runs_on_two_datasets(tmp_path)
    doc = compare_runs([str(a), str(b), str(c)], allow_different_data=True)
    assert doc["baseline"] == "runA/cand"
    assert [t["column"] for t in doc["paired"]] == ["runA/prod", "runC/cand"]  # within a run; same fingerprint
    assert {t["verdict"] for t in doc["paired"]} == {"worse"}
    for row in doc["metrics"]:
        for key in ("runB/cand", "runB/prod"):
            assert row["versus_baseline"][key] == {"verdict": None, "basis": "different_data"}
    assert doc["multiplicity"]["columns_vs_baseline"] == 2
    note = next(n for n in doc["notes"] if n.startswith("runB/cand, runB/prod"))
    assert "different data" in note and "no verdict" in note


def test_report_says_no_comparison_instead_of_a_verdict(tmp_path, invoke):
    a, b, c = runs_on_two_datasets(tmp_path)
    res = invoke("compare", a, b, c, "--out", tmp_path / "cmp", "--allow-different-data")
    assert res.exit_code == 0, res.output
    md = (tmp_path / "cmp" / "compare.md").read_text()
    ece = next(ln for ln in md.splitlines() if ln.startswith("| metrics.ece |"))
    cells = ece.split(" | ")
    assert cells[4].endswith(f"_({NO_COMPARISON})_") and cells[5].endswith(f"_({NO_COMPARISON})_")  # runB's columns
    assert "not distinguishable" in cells[3] and "not distinguishable" not in cells[4]
    assert f"**{NO_COMPARISON}**" in md  # in the legend
    assert "runA/prod vs runA/cand on metrics.accuracy: worse" in res.output


def test_no_holm_note_over_zero_tests(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 10}, fingerprint=FP_A)
    new = write_run(tmp_path, "new", {"x": [True] * 10, "y": [False] * 10, "z": [True] * 10}, fingerprint=FP_B)
    doc = compare_runs([str(old), str(new)], allow_different_data=True)
    assert doc["paired"] == [] and doc["multiplicity"]["paired_tests"] == 0
    assert not any("Holm" in n or "multiplicity" in n for n in doc["notes"])


def test_unverified_run_still_pairs_its_own_columns(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 90 + [False] * 10, "n": [True] * 60 + [False] * 40})
    new = write_run(tmp_path, "new", {"m": [True] * 10})
    doc = json.loads((old / "results.json").read_text())
    doc["dataset"].pop("fingerprint")
    (old / "results.json").write_text(json.dumps(doc))
    out = compare_runs([str(old), str(new)], allow_different_data=True)
    assert [(t["column"], t["verdict"]) for t in out["paired"]] == [("old/n", "worse")]
    row = next(r for r in out["metrics"] if r["address"] == "metrics.accuracy")
    assert row["versus_baseline"]["new/m"] == {"verdict": None, "basis": "unverified_data"}
