"""Absolute checks on a synthetic results doc: operators, CI bounds, missing probes and models."""

from __future__ import annotations

import pytest

from audit.core.errors import AuditError
from audit.gate.checks import compare
from audit.gate.evaluate import NOTHING_EVALUATED, evaluate_gate
from audit.gate.policy import load_policy


def gate_for(policy_text: str, policy, results):
    folder, doc = results
    return evaluate_gate(load_policy(policy(policy_text)), doc, folder)


def check(metric, op, threshold, **extra) -> str:
    lines = [f"  - metric: {metric}", f"    operator: '{op}'", f"    threshold: {threshold}"]
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("op,threshold,expected", [
    (">=", 0.92, True), (">=", 0.921, False), (">", 0.92, False), (">", 0.91, True),
    ("<=", 0.92, True), ("<", 0.92, False), ("==", 0.92, True), ("!=", 0.92, False), ("!=", 0.5, True),
])
def test_operators(op, threshold, expected):
    assert compare(0.92, op, threshold) is expected


def test_equality_tolerates_float_rounding():
    assert compare(0.1 + 0.2, "==", 0.3) and not compare(0.1 + 0.2, "!=", 0.3)


def test_absolute_pass_and_fail_per_model(policy, results):
    gate = gate_for("checks:\n" + check("metrics.accuracy", ">=", 0.91), policy, results)
    rows = {r["model"]: r for r in gate["checks"]}
    assert rows["cand"]["value"] == pytest.approx(0.92) and rows["cand"]["passed"] is True
    assert rows["base"]["value"] == pytest.approx(0.90) and rows["base"]["passed"] is False
    assert rows["base"]["status"] == "fail" and gate["passed"] is False
    assert rows["base"]["message"] == "value 0.9 fails >= 0.91"
    assert gate["counts"] == {"pass": 1, "fail": 1, "error": 0, "skip": 0}
    assert (rows["base"]["operator"], rows["base"]["threshold"], rows["base"]["line"]) == (">=", 0.91, 2)


def test_gate_passes_when_every_check_passes(policy, results):
    gate = gate_for("name: ok\nchecks:\n" + check("metrics.accuracy", ">=", 0.9) + check("metrics.ece", "<=", 0.05),
                    policy, results)
    assert gate["passed"] is True and len(gate["checks"]) == 4
    assert gate["policy"]["name"] == "ok" and gate["policy"]["sha256"].startswith("sha256:")
    assert gate["evaluated_at"].endswith("Z")


def test_ci_bounds_state_a_check_with_confidence(policy, results):
    # cand: accuracy 0.92, CI [0.87, 0.96]; the value clears 0.9 but the lower bound does not
    gate = gate_for("checks:\n" + check("metrics.accuracy", ">=", 0.9, use="ci_lower", model="cand")
                    + check("metrics.ece", "<=", 0.06, use="ci_upper", model="cand"), policy, results)
    low, high = gate["checks"]
    assert low["value"] == pytest.approx(0.87) and low["passed"] is False and low["ci"] == pytest.approx([0.87, 0.96])
    assert "CI lower bound 0.87 fails >= 0.9" in low["message"] and "value 0.92" in low["message"]
    assert high["value"] == pytest.approx(0.07) and high["passed"] is False


def test_ci_bound_without_interval_is_an_error(policy, results):
    folder, doc = results
    doc["probes"][0]["results"]["cand"]["metrics"]["accuracy"]["ci"] = None
    gate = evaluate_gate(load_policy(policy("checks:\n" + check("metrics.accuracy", ">=", 0.5, use="ci_lower",
                                                                 model="cand"))), doc, folder)
    row = gate["checks"][0]
    assert row["status"] == "error" and row["passed"] is False and gate["passed"] is False
    assert "metrics.accuracy is recorded without a confidence interval" in row["message"]
    assert row["message"].endswith("use: value") and "bootstrap" not in row["message"]


def test_probe_that_did_not_run_is_an_error_not_a_crash(policy, results):
    gate = gate_for("checks:\n" + check("attack.max_success_rate", "<=", 0.5), policy, results)
    assert [r["status"] for r in gate["checks"]] == ["error", "error"] and gate["passed"] is False
    assert "probe 'attack' did not run in this audit" in gate["checks"][0]["message"]


def test_failed_probe_and_skip(policy, results):
    text = "checks:\n" + check("group-fairness.max_demographic_parity_difference", "<=", 0.1, model="base")
    row = gate_for(text, policy, results)["checks"][0]
    assert row["status"] == "error" and "probe 'group-fairness' failed on model 'base': ValueError: boom" in row["message"]
    gate = gate_for(text + "    on_missing: skip\n", policy, results)
    assert gate["checks"][0]["status"] == "skip" and gate["checks"][0]["passed"] is None
    # the only check was skipped: nothing was verified, so the gate does not pass
    assert gate["passed"] is False and gate["message"] == NOTHING_EVALUATED
    with_pass = gate_for(text + "    on_missing: skip\n" + check("metrics.accuracy", ">=", 0.5), policy, results)
    assert with_pass["passed"] is True and "message" not in with_pass


def test_metric_absent_for_a_model(policy, results):
    row = gate_for("checks:\n" + check("metrics.f1/neutral", ">=", 0.5, model="cand"), policy, results)["checks"][0]
    assert row["status"] == "error" and "'metrics.f1/neutral' is not among the metrics recorded" in row["message"]


def test_placeholder_expands_to_every_recorded_metric(policy, results):
    text = "checks:\n" + check("group-fairness.demographic_parity_difference/{attribute}", "<=", 0.1, model="cand")
    rows = gate_for(text, policy, results)["checks"]
    assert {r["metric"]: r["passed"] for r in rows} == {
        "group-fairness.demographic_parity_difference/gender": True,
        "group-fairness.demographic_parity_difference/religion": False}


def test_placeholder_with_no_match_is_an_error(policy, results):
    rows = gate_for("checks:\n" + check("metrics.recall/{label}", ">=", 0.5, model="cand"), policy, results)["checks"]
    assert len(rows) == 1 and rows[0]["status"] == "error" and "no metric matching" in rows[0]["message"]


def test_unknown_model_is_an_input_error(policy, results):
    path = policy("checks:\n" + check("metrics.accuracy", ">=", 0.5, model="cnad"))
    folder, doc = results
    with pytest.raises(AuditError) as info:
        evaluate_gate(load_policy(path), doc, folder)
    assert str(info.value) == f"{path}:2: check #1: Unknown model 'cnad'. Did you mean 'cand'? Known: base, cand."


def test_placeholder_on_a_failed_probe_reports_the_probes_failure(policy, results):
    # 'base' has group-fairness status error: the real reason beats "no metric matching"
    text = "checks:\n" + check("group-fairness.demographic_parity_difference/{attribute}", "<=", 0.1, model="base")
    [row] = gate_for(text, policy, results)["checks"]
    assert row["status"] == "error" and "failed on model 'base': ValueError: boom" in row["message"]
    assert "no metric matching" not in row["message"]


def test_check_yielding_no_rows_is_not_evaluated(policy, make_results, tmp_path):
    # a relative check whose only model is the baseline: no candidate, so no row unless the gate adds one
    import numpy as np

    folder = tmp_path / "solo"
    doc = make_results(folder, {"base": np.ones(50, dtype=bool)})
    text = "checks:\n  - metric: metrics.accuracy\n    baseline: base\n    max_drop: 0.01\n"
    gate = evaluate_gate(load_policy(policy(text)), doc, folder)
    [row] = gate["checks"]
    assert row["status"] == "error" and "no candidate model to compare with baseline 'base'" in row["message"]
    assert gate["passed"] is False and gate["counts"]["error"] == 1


def test_near_threshold_value_shows_enough_digits(policy, results):
    folder, doc = results
    doc["probes"][0]["results"]["cand"]["metrics"]["accuracy"]["value"] = 0.89996
    row = evaluate_gate(load_policy(policy("checks:\n" + check("metrics.accuracy", ">=", 0.9, model="cand"))),
                        doc, folder)["checks"][0]
    assert row["message"] == "value 0.89996 fails >= 0.9"


def test_non_finite_value_is_not_evaluated_and_stays_writable(policy, results):
    import json

    from audit.core.results import dumps

    folder, doc = results
    doc["probes"][0]["results"]["cand"]["metrics"]["accuracy"]["value"] = float("nan")
    gate = evaluate_gate(load_policy(policy("checks:\n" + check("metrics.accuracy", ">=", 0.5, model="cand"))),
                         doc, folder)
    [row] = gate["checks"]
    assert row["status"] == "error" and "non-finite" in row["message"] and row["value"] is None
    json.loads(dumps({"gate": gate}))  # allow_nan=False would raise on a NaN left in the row
