"""Bad input for `audit compare`: other data without the flag, another schema version; and runs
whose model sets differ (missing values shown as a dash with the reason)."""

from __future__ import annotations

import json

from compare_builders import FP_A, FP_B, metric, write_run


def test_refuses_runs_on_different_data_without_the_flag(tmp_path, invoke):
    old = write_run(tmp_path, "old", {"m": [True] * 10}, fingerprint=FP_A)
    new = write_run(tmp_path, "new", {"m": [False] * 10}, fingerprint=FP_B)
    res = invoke("compare", old, new, "--out", tmp_path / "cmp")
    assert res.exit_code == 2
    line = res.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "sha256:aaaaaaaaaaaa" in line and "sha256:bbbbbbbbbbbb" in line and "--allow-different-data" in line
    assert not (tmp_path / "cmp" / "compare.json").exists()


def test_flag_compares_other_data_with_a_warning_and_no_paired_test(tmp_path, invoke):
    old = write_run(tmp_path, "old", {"m": [True] * 10}, fingerprint=FP_A)
    new = write_run(tmp_path, "new", {"m": [False] * 10}, fingerprint=FP_B)
    res = invoke("compare", old, new, "--out", tmp_path / "cmp", "--allow-different-data")
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert doc["data"]["same"] is False and doc["paired"] == []
    html = (tmp_path / "cmp" / "compare.html").read_text()
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert 'class="callout callout-error"' in html and "Runs on different data" in html
    assert "sha256:aaaaaaaaaaaa" in html and "sha256:bbbbbbbbbbbb" in html
    # the warning comes before any number
    assert md.index("Runs on different data") < md.index("## Headline metrics")


def test_refuses_results_of_another_schema_version(tmp_path, invoke):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10})
    doc = json.loads((new / "results.json").read_text())
    doc["schema"] = "audit-results/2"
    (new / "results.json").write_text(json.dumps(doc))
    res = invoke("compare", old, new, "--out", tmp_path / "cmp")
    assert res.exit_code == 2 and "audit-results/2" in res.output and "audit-results/1" in res.output


def test_different_model_sets_show_missing_values_with_a_reason(tmp_path, invoke):
    noise = {"name": "noise", "family": "robustness", "version": "1", "description": "Noise.", "config": {},
             "metric_specs": [{"name": "worst_accuracy", "higher_is_better": True, "headline": True}],
             "results": {"x": {"status": "ok", "metrics": {"worst_accuracy": metric(0.5, (0.4, 0.6))}},
                         "y": {"status": "error", "reason": "boom <b>", "metrics": {}}}}
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"x": [True] * 10, "y": [False] * 10}, extra_probes=[noise])
    res = invoke("compare", old, new, "--out", tmp_path / "cmp")
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert [c["key"] for c in doc["columns"]] == ["old/m", "new/x", "new/y"]
    row = next(r for r in doc["metrics"] if r["address"] == "noise.worst_accuracy")
    assert row["values"]["old/m"]["status"] == "probe_not_run"
    assert row["values"]["new/y"] == {"value": None, "ci": None, "status": "error", "reason": "boom <b>"}
    assert row["values"]["new/x"]["value"] == 0.5
    md = (tmp_path / "cmp" / "compare.md").read_text()
    line = next(ln for ln in md.splitlines() if ln.startswith("| noise.worst\\_accuracy"))
    assert line.count("—") == 2 and "0.500 \\[0.400, 0.600\\]" in line
    assert "old/m: 1 probe not run" in md and "new/y: 1 error" in md
    html = (tmp_path / "cmp" / "compare.html").read_text()
    assert "boom &lt;b&gt;" in html and "boom <b>" not in html
