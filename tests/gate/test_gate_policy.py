"""Policies parse into checks; every mistake is one AuditError naming file:line and the fix."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from audit.core.errors import AuditError
from audit.gate.metric_lookup import known_names, registry_specs, split_metric
from audit.gate.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]


def error_of(path) -> str:
    with pytest.raises(AuditError) as info:
        load_policy(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_valid_policy_parses_with_defaults(policy):
    path = policy(
        "name: release\n"
        "checks:\n"
        "  - metric: metrics.accuracy\n"
        "    operator: '>='\n"
        "    threshold: 0.9\n"
        "  - metric: metrics.f1/positive\n"
        "    operator: '>'\n"
        "    threshold: 0.5\n"
        "    use: ci_lower\n"
        "    models: [a, b]\n"
        "  - metric: metrics.accuracy\n"
        "    model: a\n"
        "    baseline: {model: b, results: old/results.json}\n"
        "    max_drop: 0.01\n")
    p = load_policy(path)
    assert p.name == "release" and len(p.checks) == 3
    first, second, third = p.checks
    assert (first.probe, first.name, first.models, first.use, first.line, first.kind) == \
        ("metrics", "accuracy", None, "value", 3, "absolute")
    assert (second.name, second.models, second.use, second.line) == ("f1/positive", ("a", "b"), "ci_lower", 6)
    assert third.kind == "relative" and third.baseline.model == "b" and third.baseline.results == "old/results.json"
    assert third.max_drop == 0.01 and third.confidence == 0.95 and third.models == ("a",)
    assert p.sha256 == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert (p.resamples, p.seed) == (10000, 0)


def test_unknown_metric_suggests_the_closest_few_not_every_name(policy):
    path = policy("checks:\n  - metric: metrics.acuracy\n    operator: '>='\n    threshold: 0.9\n")
    msg = error_of(path)
    assert msg.startswith(f"{path}:2: check #1: Unknown metric 'metrics.acuracy'.")
    assert "Did you mean 'metrics.accuracy'?" in msg and msg.endswith("Run `audit probes` for the full list.")
    assert "Known: " not in msg and "attack.max_success_rate" not in msg and len(msg) < 300 + len(str(path))


def test_unknown_probe_is_an_unknown_metric(policy):
    msg = error_of(policy("checks:\n  - metric: fairness.flip_rate\n    operator: '<='\n    threshold: 0.1\n"))
    assert "Unknown metric 'fairness.flip_rate'" in msg and "Did you mean" in msg


def test_malformed_yaml_names_file_and_line(policy):
    path = policy("checks:\n  - metric: metrics.accuracy\n    operator: '>='\n  threshold: [0.9\n")
    msg = error_of(path)
    assert msg.startswith(f"Malformed YAML at {path}:") and "Fix the syntax" in msg


@pytest.mark.parametrize("op", ["=>", "gt", "~="])
def test_bad_operator_names_line_and_the_allowed_ones(policy, op):
    path = policy(f"checks:\n  - metric: metrics.accuracy\n    threshold: 0.9\n    operator: '{op}'\n")
    msg = error_of(path)
    assert msg.startswith(f"{path}:4: check #1: operator '{op}'") and ">= > <= < == !=" in msg


@pytest.mark.parametrize("op", [">=", ">", "!="])
def test_unquoted_operator_says_to_quote_it(policy, op):
    # unquoted, `>=` starts a YAML block scalar, `>` reads as '' and `!=` as a tag
    path = policy(f"checks:\n  - metric: metrics.accuracy\n    threshold: 0.9\n    operator: {op}   # at least\n")
    assert error_of(path) == (f"{path}:4: write the operator in quotes, operator: '{op}' "
                              "(unquoted, YAML reads > and ! as syntax).")


def test_unquoted_less_than_is_plain_yaml_and_accepted(policy):
    path = policy("checks:\n  - metric: metrics.ece\n    operator: <=\n    threshold: 0.05\n")
    assert load_policy(path).checks[0].operator == "<="


def test_missing_threshold(policy):
    path = policy("checks:\n  - metric: metrics.ece\n    operator: '<='\n")
    msg = error_of(path)
    assert msg == f"{path}:2: check #1 (metrics.ece) needs a 'threshold' (a number) for operator '<='."


def test_missing_operator_and_non_numeric_threshold(policy):
    assert "needs an 'operator'" in error_of(policy("checks:\n  - metric: metrics.ece\n    threshold: 1\n"))
    msg = error_of(policy("checks:\n  - metric: metrics.ece\n    operator: '<'\n    threshold: low\n"))
    assert ":4: check #1: threshold must be a number, not 'low'." in msg


def test_unknown_keys_at_both_levels(policy):
    path = policy("name: x\nchecks:\n  - metric: metrics.ece\n    operator: '<'\n    treshold: 1\n")
    assert error_of(path).startswith(f"{path}:5: check #1: unknown key 'treshold'; allowed: metric, operator, threshold")
    path = policy("chekcs: []\n")
    assert error_of(path).startswith(f"{path}:1: unknown policy key 'chekcs'; allowed: name, description, checks")


def test_empty_or_missing_checks(policy):
    assert "non-empty 'checks' list" in error_of(policy("name: x\n"))
    assert "non-empty 'checks' list" in error_of(policy("checks: []\n"))


def test_relative_check_mistakes(policy):
    head = "checks:\n  - metric: metrics.accuracy\n"
    assert "needs 'max_drop'" in error_of(policy(head + "    baseline: b\n"))
    assert "'operator' is for absolute checks" in error_of(policy(head + "    baseline: b\n    max_drop: 0.01\n"
                                                                     "    operator: '>='\n"))
    assert "baseline must be a model id" in error_of(policy(head + "    baseline: {id: b}\n    max_drop: 0.01\n"))
    assert "confidence must be between 0.5 and 1" in error_of(policy(head + "    baseline: b\n    max_drop: 0.01\n"
                                                                          "    confidence: 95\n"))
    assert "'confidence' belongs to relative checks" in error_of(policy(head + "    operator: '>'\n    threshold: 0\n"
                                                                           "    confidence: 0.9\n"))
    msg = error_of(policy("checks:\n  - metric: metrics.support/positive\n    baseline: b\n    max_drop: 1\n"))
    assert "has no better direction" in msg


def test_model_selection_mistakes(policy):
    head = "checks:\n  - metric: metrics.accuracy\n    operator: '>'\n    threshold: 0\n"
    assert "give 'model' or 'models', not both" in error_of(policy(head + "    model: a\n    models: [b]\n"))
    assert "must be a model id, a list of ids or 'all'" in error_of(policy(head + "    models: []\n"))


def test_placeholder_specs_match_concrete_names():
    specs = registry_specs()
    assert split_metric("metrics.f1/positive", specs)[1]["name"] == "f1/{label}"
    assert split_metric("noise.accuracy/typo@0.05", specs)[1]["name"] == "accuracy/{perturbation}@{severity}"
    assert split_metric("group-fairness.max_demographic_parity_difference", specs)[0] == "group-fairness"
    assert split_metric("metrics.f1", specs) is None


def test_example_ci_gate_policy_parses_and_names_real_metrics():
    p = load_policy(ROOT / "configs" / "ci-gate.yaml")
    specs = registry_specs()
    names = set(known_names(specs))
    assert len(p.checks) >= 8
    kinds = {c.kind for c in p.checks}
    assert kinds == {"absolute", "relative"}
    for check in p.checks:
        spec = split_metric(check.metric, specs)[1]
        assert f"{check.probe}.{spec['name']}" in names
    assert any(c.use == "ci_lower" for c in p.checks)
    assert {c.probe for c in p.checks} >= {"metrics", "attack", "group-fairness"}


def test_allow_unpaired_is_an_explicit_boolean_on_relative_checks(policy):
    rel = "checks:\n  - metric: metrics.accuracy\n    baseline: base\n    max_drop: 0.01\n"
    assert load_policy(policy(rel)).checks[0].allow_unpaired is False
    assert load_policy(policy(rel + "    allow_unpaired: true\n")).checks[0].allow_unpaired is True
    with pytest.raises(AuditError, match=r":5: check #1: allow_unpaired must be true or false, not 'yes please'"):
        load_policy(policy(rel + "    allow_unpaired: yes please\n"))
    absolute = "checks:\n  - metric: metrics.accuracy\n    operator: '>='\n    threshold: 0.5\n    allow_unpaired: true\n"
    with pytest.raises(AuditError, match="'allow_unpaired' belongs to relative checks"):
        load_policy(policy(absolute))
