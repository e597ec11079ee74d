"""What `audit gate` and `audit run --gate` do with broken inputs and with their own crashes: bad
input is exit 2 with one line, a crash is exit 4 (never 1, which means "the model failed the
gate"), a gate that evaluated nothing fails, and `run --gate` checks model ids before loading."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_invoke import invoke

RELATIVE = "checks:\n  - metric: metrics.accuracy\n    model: cand\n    baseline: base\n    max_drop: 0.05\n"


def one_line_error(res) -> str:
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert res.exit_code == 2 and len(lines) == 1 and lines[0].startswith("Error:") and "Traceback" not in res.output
    return lines[0]


def test_nan_in_results_is_a_one_line_input_error(policy, results):
    folder, _ = results
    path = folder / "results.json"
    path.write_text(path.read_text().replace('"value": 0.04', '"value": NaN', 1))
    line = one_line_error(invoke("gate", str(folder), "--policy", str(policy(RELATIVE))))
    assert "non-finite number NaN" in line and "results.json" in line
    assert not (folder / "gate").exists()


def test_missing_sidecar_of_a_paired_metric_fails_the_gate_and_says_how_to_fix(policy, results):
    folder, _ = results
    (folder / "predictions" / "metrics--base.jsonl").unlink()
    res = invoke("gate", str(folder), "--policy", str(policy(RELATIVE)))
    assert res.exit_code == 1 and "ERROR" in res.output
    assert "metrics--base.jsonl for 'base' is missing" in res.output and "archive the predictions/ folder" in res.output
    row = json.loads((folder / "results.json").read_text())["gate"]["checks"][0]
    assert row["status"] == "error" and row["passed"] is False and "method" not in row  # no silent point comparison


def test_malformed_sidecar_is_exit_2_naming_file_and_line(policy, results):
    folder, _ = results
    (folder / "predictions" / "metrics--base.jsonl").write_text('{"id": "0", "label": "negative"}\n')
    line = one_line_error(invoke("gate", str(folder), "--policy", str(policy(RELATIVE))))
    assert "metrics--base.jsonl:1: row lacks predicted" in line


def test_gate_that_evaluates_nothing_fails(policy, results):
    folder, _ = results
    text = ("checks:\n  - metric: group-fairness.max_demographic_parity_difference\n    operator: '<='\n"
            "    threshold: 0.1\n    model: base\n    on_missing: skip\n")
    res = invoke("gate", str(folder), "--policy", str(policy(text)))
    assert res.exit_code == 1 and "Gate FAILED" in res.output and "no check was evaluated" in res.output


def test_baseline_flag_without_a_relative_check_is_refused(policy, results, make_results, tmp_path):
    folder, _ = results
    make_results(tmp_path / "prod", {"production": np.ones(200, dtype=bool)})
    text = "checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n"
    line = one_line_error(invoke("gate", str(folder), "--policy", str(policy(text)), "--baseline", str(tmp_path / "prod")))
    assert "is used by no check" in line


def test_a_crash_in_the_gate_is_exit_4_not_1(policy, results, monkeypatch):
    import audit.gate.evaluate

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(audit.gate.evaluate, "evaluate_gate", boom)
    folder, _ = results
    res = invoke("gate", str(folder), "--policy", str(policy(RELATIVE)))
    assert res.exit_code == 4 and "internal error (ZeroDivisionError: division by zero)" in res.output
    assert "not a verdict" in res.output and "Traceback" not in res.output
    with pytest.raises(AssertionError, match="crashed: ZeroDivisionError"):  # --debug shows the real exception
        invoke("gate", str(folder), "--policy", str(policy(RELATIVE)), "--debug")


# ---- audit run --gate ----

def _no_model_loads(monkeypatch):
    import audit.models.loader

    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded before the policy's model ids were checked")

    monkeypatch.setattr(audit.models.loader, "load_model", refuse)


def test_run_gate_unknown_model_id_fails_before_loading(run_cli, tmp_path, monkeypatch):
    _no_model_loads(monkeypatch)
    out = tmp_path / "never"
    for text, expected in [
        ("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n    model: tfdif\n",
         "check #1: Unknown model 'tfdif'. Did you mean 'tfidf'? Known: coin, tfidf."),
        ("checks:\n  - metric: metrics.accuracy\n    baseline: prod\n    max_drop: 0.01\n",
         "check #1: baseline: Unknown model 'prod'."),
    ]:
        gate = tmp_path / "p.yaml"
        gate.write_text(text)
        res = run_cli("run", "--model", "tfidf.skops", "--model", "coin=gate_models:coin", "--data", "test.csv",
                      "--out", str(out), "--gate", str(gate), "-q")
        assert expected in one_line_error(res)
        assert not out.exists()


def test_demo_gate_model_ids_are_checked_before_training(run_cli, tmp_path, monkeypatch):
    import audit.demo.pipeline

    monkeypatch.setattr(audit.demo.pipeline, "run_demo", lambda **kw: pytest.fail("the demo started"))
    gate = tmp_path / "p.yaml"
    gate.write_text("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n    model: minilm\n")
    line = one_line_error(run_cli("run", "--gate", str(gate), "-q"))
    assert "Did you mean 'minilm-finetuned'?" in line


def test_demo_model_names_match_the_demo(monkeypatch, tmp_path):
    import audit.demo.pipeline
    import audit.runner
    from audit.cli.run_cmd import DEMO_MODELS
    from audit.models.loader import unique_names

    seen = {}
    monkeypatch.setattr(audit.demo.pipeline, "prepare_models", lambda display, device: (tmp_path, tmp_path, tmp_path))
    monkeypatch.setattr(audit.runner, "run_audit", lambda cfg, **kw: seen.setdefault("cfg", cfg))
    audit.demo.pipeline.run_demo(display=None, out=str(tmp_path), seed=0, probes=["metrics"], device="cpu")
    assert tuple(unique_names(list(seen["cfg"].models))) == DEMO_MODELS


def test_run_gate_input_error_after_the_audit_keeps_the_reports(run_cli, tmp_path, make_results):
    # the saved baseline passes every check made before the audit, but was audited on other data
    make_results(tmp_path / "prod", {"production": np.ones(60, dtype=bool)}, fingerprint="sha256:other")
    gate = tmp_path / "p.yaml"
    gate.write_text("checks:\n  - metric: metrics.accuracy\n    model: tfidf\n    baseline: {model: production, "
                    f"results: '{tmp_path / 'prod'}'}}\n    max_drop: 0.01\n")
    out = tmp_path / "a"
    res = run_cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "metrics", "--out", str(out),
                  "--gate", str(gate), "-q")
    assert res.exit_code == 2 and "audited on different data" in res.output
    assert (out / "report.md").is_file() and (out / "report.html").is_file() and (out / "results.json").is_file()
