"""`audit compare` end to end on two tiny real audits: no model is loaded, the paired test matches
a count done here from the sidecars, and the reports agree with compare.json."""

from __future__ import annotations

import json
import subprocess
import sys


def sidecar(run_dir, model):
    rows = [json.loads(ln) for ln in (run_dir / "predictions" / f"metrics--{model}.jsonl").read_text().splitlines()]
    return {r["id"]: r["predicted"] == r["label"] for r in rows}


def test_compare_two_real_runs(real_runs, invoke, tmp_path):
    out = tmp_path / "cmp"
    res = invoke("compare", real_runs["old"], real_runs["new"] / "results.json", "--out", out)
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "compare.json").read_text())
    assert doc["schema"] == "audit-compare/1" and doc["data"]["same"] is True
    assert [c["key"] for c in doc["columns"]] == ["old/words", "new/words", "new/length"]
    base, length = sidecar(real_runs["old"], "words"), sidecar(real_runs["new"], "length")
    test = next(t for t in doc["paired"] if t["column"] == "new/length")
    assert test["n"] == len(base) == 60
    assert test["mcnemar"]["a_only"] == sum(length[i] and not base[i] for i in base)
    assert test["mcnemar"]["b_only"] == sum(base[i] and not length[i] for i in base)
    same = next(t for t in doc["paired"] if t["column"] == "new/words")
    assert same["interval"]["diff"] == 0 and same["verdict"] == "not distinguishable"  # the same model twice
    results = json.loads((real_runs["new"] / "results.json").read_text())
    acc = results["probes"][0]["results"]["length"]["metrics"]["accuracy"]
    row = next(r for r in doc["metrics"] if r["address"] == "metrics.accuracy")
    assert row["values"]["new/length"]["value"] == acc["value"] and row["values"]["new/length"]["ci"] == acc["ci"]
    md = (out / "compare.md").read_text()
    line = next(ln for ln in md.splitlines() if ln.startswith("| metrics.accuracy | new/length | old/words |"))
    assert line.split(" | ")[3].strip("*") == test["verdict"] and " | 60 | " in line  # the verdict right after the names
    assert "(baseline)" in md
    assert (out / "compare.html").read_text().startswith("<!DOCTYPE html>")
    assert "new/length vs old/words on metrics.accuracy" in res.output


def test_compare_json_and_legend_name_newcombes_interval(real_runs, invoke, tmp_path):
    out = tmp_path / "cmp"
    res = invoke("compare", real_runs["old"], real_runs["new"], "--out", out)
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "compare.json").read_text())
    assert doc["paired"] and doc["paired_settings"] == {"metric": "accuracy", "method": "newcombe-hybrid-score",
                                                        "confidence": 0.95}
    for test in doc["paired"]:
        assert "bootstrap" not in test  # the deprecated alias is gone
        assert test["interval"]["method"] == "newcombe-hybrid-score" and len(test["interval"]["ci"]) == 2
    md = (out / "compare.md").read_text()
    assert "Newcombe's paired score interval (method 10) of the accuracy difference lies wholly above zero" in md
    assert "paired bootstrap" not in md
    gone = invoke("compare", real_runs["old"], real_runs["new"], "--out", tmp_path / "c2", "--seed", "1")
    assert gone.exit_code == 2 and "--seed" in gone.output  # the interval needs no seed, so there is no option


def test_compare_loads_no_model_code(real_runs, tmp_path):
    code = (
        "import sys; from click.testing import CliRunner; from audit.cli import main\n"
        f"r = CliRunner().invoke(main, ['compare', {str(real_runs['old'])!r}, {str(real_runs['new'])!r}, "
        f"'--out', {str(tmp_path / 'c')!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('HEAVY', sorted(m for m in ('torch', 'transformers', 'sklearn', 'audit.models', 'audit.probes', 'tiny_models') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
