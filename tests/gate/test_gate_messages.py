"""Gate error and not-evaluated messages name the problem and the fix that applies: a baseline
model missing from the results, a --baseline file that does not exist, a CI bound asked of a
metric recorded without one, a metric-name typo (a few close names, not all of them)."""

from __future__ import annotations

import pytest
from cli_invoke import invoke

from audit.core.errors import AuditError
from audit.gate.evaluate import evaluate_gate
from audit.gate.metric_lookup import known_names, known_specs, unknown_metric
from audit.gate.policy import load_policy

RELATIVE = "checks:\n  - metric: metrics.accuracy\n    model: cand\n    baseline: production\n    max_drop: 0.01\n"


def test_missing_baseline_model_offers_the_saved_run_fix(policy, results):
    folder, doc = results
    path = policy(RELATIVE)
    with pytest.raises(AuditError) as info:
        evaluate_gate(load_policy(path), doc, folder)
    msg = str(info.value)
    assert msg.startswith(f"{path}:2: check #1: these results: Unknown model 'production'.")
    assert "`baseline: {model: production, results: path/to/results.json}`" in msg
    assert "`audit gate --baseline RESULTS`" in msg and "\n" not in msg


def test_missing_baseline_file_names_the_option(policy, results, tmp_path):
    folder, _ = results
    res = invoke("gate", str(folder), "--policy", str(policy(RELATIVE)), "--baseline", str(tmp_path / "nothere"))
    assert res.exit_code == 2
    assert f"--baseline: Results file not found: {tmp_path / 'nothere'}" in res.output
    text = RELATIVE.replace("baseline: production", "baseline: {model: production, results: nothere.json}")
    path = policy(text)
    res = invoke("gate", str(folder), "--policy", str(path))
    assert res.exit_code == 2 and f"{path}:2: check #1: baseline.results: Results file not found" in res.output


def _ci_check(doc, folder, policy, bootstrap):
    doc["probes"][0]["config"] = {"bootstrap": bootstrap}
    doc["probes"][0]["results"]["cand"]["metrics"]["ece"]["ci"] = None
    text = ("checks:\n  - metric: metrics.ece\n    model: cand\n    operator: '<='\n    threshold: 0.1\n"
            "    use: ci_upper\n")
    return evaluate_gate(load_policy(policy(text)), doc, folder)["checks"][0]["message"]


def test_ci_bound_of_a_metric_without_ci_suggests_use_value_not_bootstrap(policy, results):
    folder, doc = results
    msg = _ci_check(doc, folder, policy, 1000)  # bootstrap on: this metric simply has no CI
    assert "metrics.ece is recorded without a confidence interval" in msg and msg.endswith("use: value")
    assert "bootstrap" not in msg
    msg = _ci_check(doc, folder, policy, 0)  # bootstrap off: turning it on is the fix
    assert "bootstrap: 0" in msg and "turn the probe's bootstrap on, or use: value" in msg


def test_metric_typo_lists_a_few_close_names_and_points_to_audit_probes():
    names = known_names(known_specs())
    assert len(names) > 30
    msg = unknown_metric("attack.max_sucess_rate", names)
    assert msg.startswith("Unknown metric 'attack.max_sucess_rate'. Did you mean 'attack.max_success_rate'?")
    assert msg.endswith("Run `audit probes` for the full list.") and len(msg) < 300
    assert sum(n in msg for n in names) <= 3
    many = unknown_metric("metrics.f1", names)  # several names start with it: those come first
    assert "Did you mean 'metrics.f1/{label}'? Also close: metrics.f1_macro, metrics.f1_weighted." in many
    assert unknown_metric("zzz", names) == "Unknown metric 'zzz'. Run `audit probes` for the full list of metric names."
