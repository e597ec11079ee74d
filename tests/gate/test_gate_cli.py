"""`audit gate` and `audit run --gate` through the CLI: exit codes 0 / 1 / 2 / 3 / 4 and their files.

Every invocation goes through ``cli_invoke.invoke``, which fails the test on a crash (anything but
SystemExit), so a crash cannot pass for exit code 1, a failed gate."""

from __future__ import annotations

import json

import numpy as np
from cli_invoke import invoke

PASSING = "name: ok\nchecks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.85\n"
FAILING = "name: strict\nchecks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.91\n"





def test_gate_pass_writes_block_junit_summary_and_reports(policy, results, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    folder, _ = results
    res = invoke("gate", str(folder / "results.json"), "--policy", str(policy(PASSING)))
    assert res.exit_code == 0, res.output
    assert "Gate PASSED (ok): 2 passed, 0 failed" in res.output
    doc = json.loads((folder / "results.json").read_text())
    assert doc["gate"]["passed"] is True and len(doc["gate"]["checks"]) == 2
    assert (folder / "gate" / "junit.xml").is_file() and (folder / "gate" / "summary.md").is_file()
    assert "Gate passed" in (folder / "report.md").read_text() and "Gate passed" in (folder / "report.html").read_text()


def test_gate_fail_exits_1_and_names_metric_model_threshold_value(policy, results, tmp_path):
    folder, _ = results
    junit, summary = tmp_path / "ci" / "junit.xml", tmp_path / "ci" / "summary.md"
    res = invoke("gate", str(folder), "--policy", str(policy(FAILING)), "--junit", str(junit), "--summary", str(summary))
    assert res.exit_code == 1, res.output
    assert "Gate FAILED (strict): 1 passed, 1 failed" in res.output
    line = next(row for row in res.output.splitlines() if row.strip().startswith("FAIL"))
    from audit.core.gate_text import gate_condition

    cond = gate_condition({"kind": "absolute", "operator": ">=", "threshold": 0.91})
    assert line.split() == ["FAIL", "metrics.accuracy", "base", *cond.split(), "0.9"]
    assert junit.is_file() and summary.read_text().startswith("## ❌ Gate failed: strict")
    assert not (folder / "gate").exists()
    assert json.loads((folder / "results.json").read_text())["gate"]["passed"] is False
    assert "Gate failed" in (folder / "report.md").read_text()


def test_gate_bad_input_exits_2_with_one_line(policy, results, tmp_path):
    folder, _ = results
    res = invoke("gate", str(folder), "--policy", str(policy("checks:\n  - metric: metrics.acc\n    operator: '>'\n"
                                                              "    threshold: 0\n")))
    assert res.exit_code == 2 and "Did you mean 'metrics.accuracy'?" in res.output and "Traceback" not in res.output
    res = invoke("gate", str(tmp_path / "nowhere.json"), "--policy", str(policy(PASSING)))
    assert res.exit_code == 2 and "Results file not found" in res.output
    res = invoke("gate", str(folder), "--policy", str(tmp_path / "missing.yaml"))
    assert res.exit_code == 2 and "Gate policy not found" in res.output
    doc = json.loads((folder / "results.json").read_text())
    doc["schema"] = "audit-results/2"
    (folder / "results.json").write_text(json.dumps(doc))
    res = invoke("gate", str(folder), "--policy", str(policy(PASSING)))
    assert res.exit_code == 2 and "has schema 'audit-results/2'" in res.output
    assert not (folder / "gate").exists()


def test_gate_baseline_option_and_other_data(policy, results, make_results, tmp_path):
    folder, _ = results
    make_results(tmp_path / "prod", {"production": np.ones(200, dtype=bool)}, fingerprint="sha256:other")
    text = "checks:\n  - metric: metrics.accuracy\n    baseline: production\n    max_drop: 0.01\n    model: cand\n"
    res = invoke("gate", str(folder), "--policy", str(policy(text)), "--baseline", str(tmp_path / "prod"))
    assert res.exit_code == 2 and "audited on different data" in res.output


# ---- audit run --gate, end to end on a TF-IDF model and a weak callable (fixtures in conftest) ----

RUN_POLICY = """name: run-gate
checks:
  - metric: metrics.accuracy
    model: tfidf
    baseline: coin
    max_drop: 0.01
  - metric: metrics.accuracy
    operator: '>='
    threshold: {threshold}
    model: coin
"""


def test_run_with_gate_passes_and_fails(run_cli, workdir, tmp_path):
    base = ("run", "--model", "tfidf.skops", "--model", "coin=gate_models:coin", "--data", "test.csv",
            "--probe", "metrics", "-q")
    ok = tmp_path / "ok.yaml"
    ok.write_text(RUN_POLICY.format(threshold=0.0))
    res = run_cli(*base, "--out", str(tmp_path / "a"), "--gate", str(ok))
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "a" / "results.json").read_text())
    assert doc["gate"]["passed"] is True and doc["gate"]["checks"][0]["method"] == "newcombe-hybrid-score"
    assert doc["gate"]["checks"][0]["n"] == 60 and "Gate PASSED" in res.output
    assert (tmp_path / "a" / "gate" / "junit.xml").is_file() and "Gate passed" in (tmp_path / "a" / "report.md").read_text()

    strict = tmp_path / "strict.yaml"
    strict.write_text(RUN_POLICY.format(threshold=0.99))
    res = run_cli(*base, "--out", str(tmp_path / "b"), "--gate", str(strict))
    assert res.exit_code == 1, res.output
    from audit.core.gate_text import gate_condition

    cond = gate_condition({"kind": "absolute", "operator": ">=", "threshold": 0.99})
    assert "metrics.accuracy" in res.output and "coin" in res.output and cond in res.output
    assert json.loads((tmp_path / "b" / "results.json").read_text())["gate"]["passed"] is False


def test_run_with_bad_policy_fails_before_anything_runs(run_cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n")
    out = tmp_path / "never"
    res = run_cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--out", str(out), "--gate", str(bad), "-q")
    assert res.exit_code == 2 and f"{bad}:2: check #1 (metrics.accuracy) needs a 'threshold'" in res.output
    assert not out.exists()  # no data read, no model loaded, nothing written


def test_crashed_probe_exit_3_wins_over_a_failed_gate(run_cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n")
    out = tmp_path / "c"
    res = run_cli("run", "--model", "tfidf.skops", "--model", "gate_models:broken", "--data", "test.csv",
                  "--probe", "metrics", "--out", str(out), "--gate", str(policy), "-q")
    assert res.exit_code == 3, res.output
    gate = json.loads((out / "results.json").read_text())["gate"]
    statuses = {r["model"]: r["status"] for r in gate["checks"]}
    assert statuses == {"tfidf": "pass", "broken": "error"} and gate["passed"] is False


def test_resume_without_gate_clears_the_earlier_verdict(run_cli, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.0\n")
    args = ("run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "metrics", "--out", str(tmp_path / "r"), "-q")
    assert run_cli(*args, "--gate", str(policy)).exit_code == 0
    assert json.loads((tmp_path / "r" / "results.json").read_text())["gate"]["passed"] is True
    res = run_cli(*args, "--resume")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "r" / "results.json").read_text())["gate"] is None
