"""The report's gate table says what each check demanded: plain, CI-bound or relative."""

from reports import render_markdown
from reports.summary import gate_condition


def test_conditions_name_the_bound_and_the_baseline(sample):
    sample["gate"] = {"passed": False, "checks": [
        {"kind": "absolute", "metric": "metrics.accuracy", "model": "a", "operator": ">=", "threshold": 0.9,
         "use": "ci_lower", "value": 0.85, "passed": False, "message": "lower CI bound below 0.9"},
        {"kind": "relative", "metric": "metrics.accuracy", "model": "a", "baseline": {"model": "b"},
         "threshold": 0.01, "value": 0.004, "passed": True, "message": "drop vs b"},
    ]}
    md = render_markdown(sample)
    assert "ci lower &gt;= 0.9" in md  # Markdown cells escape '>'; GitHub shows '>='
    assert gate_condition(sample["gate"]["checks"][0]) == "ci lower >= 0.9"
    assert "drop ≤ 0.01" in md and "a vs b" in md


def test_plain_condition_is_operator_and_threshold():
    assert gate_condition({"operator": "<=", "threshold": 0.05, "use": "value"}) == "<= 0.05"
    assert gate_condition({"op": ">", "threshold": 1}) == "> 1"
