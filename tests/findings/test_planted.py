"""Planted findings: one rule clearly fires while the others clearly pass; many weak p-values, which a
per-test 0.05 rule would keep, are removed by Benjamini-Hochberg; the items' order, ids, statuses, reasons
and the block's counts and rule sentence follow docs/findings.md."""

from __future__ import annotations

import pytest
from findings_builders import (
    accuracy_comparison, attack_unit, document, explain_unit, group_unit, loss_comparison, metrics_unit, noise_unit,
    probe, templates_unit, unit,
)
from statsmodels.stats.multitest import multipletests

from audit.core.results import schema_problem
from audit.findings import add_findings, findings_block


def by_id(block: dict) -> dict[str, dict]:
    return {item["id"]: item for item in block["items"]}


def clear_doc() -> dict:
    """cand's accuracy collapses under noise; everything else is well inside its bound."""
    return document([
        probe("metrics", {"cand": metrics_unit(0.90, 0.02, [0.01, 0.03]), "prod": metrics_unit(0.90, 0.03, [0.02, 0.04])},
              paired={"comparisons": [accuracy_comparison("cand", "prod", 0.0, [-0.02, 0.02], 1.0)], "skipped": []}),
        probe("noise", {"cand": noise_unit(0.25, [0.20, 0.30]), "prod": noise_unit(0.005, [-0.01, 0.02])}),
        probe("attack", {"cand": attack_unit(10, 100), "prod": attack_unit(5, 100)}),
        probe("counterfactual", {m: unit({"flip_rate": metric_(0.01, [0.0, 0.02])}, {"tolerance": 0.05})
                                 for m in ("cand", "prod")}),
    ])


def metric_(value, ci):
    return {"value": value, "ci": ci, "higher_is_better": False}


def test_one_rule_fires_and_the_others_pass():
    block = findings_block(clear_doc())
    items = by_id(block)
    hit = items["noise.max_changed_accuracy_drop:cand"]
    assert hit["status"] == "finding" and hit["severity"] == "high" and hit["tested"]
    assert hit["title"] == "Accuracy falls 25.0 points [20.0, 30.0] under typo at severity 0.2"
    assert hit["threshold"] == 0.02 and hit["p_value"] < 1e-10 and hit["p_adjusted"] <= 0.05
    assert hit["evidence"] == "probe-noise" and hit["baseline"] is None and hit["rule"] == "noise_drop"
    assert block["items"][0] is hit  # findings come first
    others = [i for i in block["items"] if i is not hit]
    assert {i["status"] for i in others} == {"passed"}
    assert all(i["severity"] is None and i["reason"] for i in others)
    assert block["counts"] == {"finding": 1, "passed": len(others), "not_tested": 0}
    # every item here rests on a test: noise 2, attack 2, counterfactual 2, ECE 2, the accuracy comparison 1
    assert block["fdr"] == {"method": "benjamini-hochberg", "q": 0.05, "tested": 9, "rejected": 1, "rule": (
        "Findings that rest on a test are kept when their Benjamini-Hochberg adjusted p-value is at most q = 0.05, "
        "across all 9 tests of this audit.")}
    same = items["metrics.accuracy:cand:prod"]
    assert same["baseline"] == "prod" and same["title"].startswith("cand and prod are not distinguishable on accuracy")


def test_bh_removes_weak_findings_a_per_test_rule_would_keep():
    # 10 axes with a large gap but a weak p (0.04 < 0.05) among 30 axes with no gap (p = 0.6), and one strong one
    gaps = [(f"weak{i}", 0.3, 0.04) for i in range(10)] + [(f"null{i}", 0.01, 0.6) for i in range(30)]
    gaps.append(("strong", 0.3, 0.0001))
    doc = document([probe("templates", {"cand": templates_unit(gaps)})], models=("cand",))
    block = findings_block(doc)
    items = by_id(block)
    weak = [items[f"templates.group_gap/weak{i}:cand"] for i in range(10)]
    assert all(i["p_value"] == 0.04 < 0.05 for i in weak)  # each alone would pass a 0.05 test
    assert {i["status"] for i in weak} == {"passed"}
    assert all("> q = 0.05" in i["reason"] and i["p_adjusted"] > 0.05 for i in weak)
    strong = items["templates.group_gap/strong:cand"]
    assert strong["status"] == "finding" and strong["severity"] == "high"
    assert block["fdr"]["tested"] == 42 and block["fdr"]["rejected"] == 1  # 41 gaps and the mean failure rate
    # the adjusted p-values are statsmodels' over the audit's family (template failures included)
    tested = [i for i in block["items"] if i["tested"]]
    want = multipletests([i["p_value"] for i in tested], method="fdr_bh")[1]
    assert [i["p_adjusted"] for i in tested] == pytest.approx(want.tolist(), rel=1e-12)


def test_a_stricter_or_looser_q_moves_the_weak_findings():
    gaps = [(f"weak{i}", 0.3, 0.04) for i in range(10)] + [(f"null{i}", 0.01, 0.6) for i in range(30)]
    doc = document([probe("templates", {"cand": templates_unit(gaps)})], models=("cand",),
                   findings_config={"q": 0.2})
    add_findings(doc)
    assert doc["findings"]["fdr"]["q"] == 0.2
    assert sum(i["status"] == "finding" for i in doc["findings"]["items"]) == 10  # 0.04 * 41 / 10 = 0.164 <= 0.2


def test_order_severity_then_effect_then_passed_then_not_tested():
    doc = document([
        probe("noise", {"cand": noise_unit(0.07, [0.05, 0.09]), "prod": noise_unit(0.30, [0.25, 0.35]),
                        "third": noise_unit(0.12, [0.10, 0.14])}),
        probe("attack", {"cand": attack_unit(95, 100), "prod": attack_unit(10, 100),
                         "third": unit({}, status="not_applicable", reason="TextAttack is not installed")}),
    ], models=("cand", "prod", "third"))
    statuses = [(i["id"], i["status"], i["severity"]) for i in findings_block(doc)["items"]]
    assert statuses == [
        ("attack.success_rate/pwws:cand", "finding", "high"),  # 0.95 - 0.5 = 0.45 past its bound
        ("noise.max_changed_accuracy_drop:prod", "finding", "high"),  # 0.30 - 0.02 = 0.28
        ("noise.max_changed_accuracy_drop:third", "finding", "high"),  # 0.10
        ("noise.max_changed_accuracy_drop:cand", "finding", "medium"),
        ("attack.success_rate/pwws:prod", "passed", None),
        ("attack.max_success_rate:third", "not_tested", None),
    ]
    missing = by_id(findings_block(doc))["attack.max_success_rate:third"]
    assert missing["reason"] == "not applicable: TextAttack is not installed" and not missing["tested"]


def test_not_tested_without_value_or_interval_or_when_the_probe_failed():
    doc = document([
        probe("noise", {"cand": unit({"max_changed_accuracy_drop": metric_(None, None)}, {"min_changed": 20}),
                        "prod": unit({"max_changed_accuracy_drop": metric_(0.2, None)})}),
        probe("metrics", {"cand": unit({}, status="error", reason="RuntimeError: boom"), "prod": metrics_unit(0.9, 0.3, [0.2, 0.4])}),
    ])
    items = by_id(findings_block(doc))
    assert items["noise.max_changed_accuracy_drop:cand"]["reason"] == "no perturbation changed at least 20 texts"
    assert "no interval" in items["noise.max_changed_accuracy_drop:prod"]["reason"]
    assert items["noise.max_changed_accuracy_drop:prod"]["value"] == 0.2
    assert items["metrics.ece:cand"]["reason"] == "the probe failed: RuntimeError: boom"
    assert items["metrics.ece:prod"]["status"] == "finding" and items["metrics.ece:prod"]["severity"] == "high"
    assert all(i["p_value"] is None and i["p_adjusted"] is None for i in items.values() if i["status"] == "not_tested")


def test_paired_comparisons_worse_better_and_untested():
    doc = document([probe("metrics", {"cand": metrics_unit(0.85, 0.02, [0.01, 0.03], brier=0.12, log_loss=0.40),
                                      "prod": metrics_unit(0.90, 0.02, [0.01, 0.03], brier=0.10, log_loss=0.30)},
                          paired={"comparisons": [
                              accuracy_comparison("cand", "prod", -0.05, [-0.08, -0.02], 0.001),
                              loss_comparison("brier", "cand", "prod", 0.02, [0.01, 0.03], 0.0002),
                              loss_comparison("log_loss", "cand", "prod", -0.10, [-0.15, -0.05], 0.0001),
                          ], "skipped": [{"a": "cand", "b": "old", "reason": "the predictions file of 'old' is missing"}]})],
                   models=("cand", "prod"))
    items = by_id(findings_block(doc))
    acc = items["metrics.accuracy:cand:prod"]
    assert acc["status"] == "finding" and acc["severity"] == "high" and acc["baseline"] == "prod"
    assert acc["title"] == "cand is worse than prod on accuracy by 5.0 points [2.0, 8.0]"
    brier = items["metrics.brier:cand:prod"]
    assert brier["status"] == "finding" and brier["severity"] == "medium"  # 0.02 / 0.10 = 20% above the baseline's
    assert brier["title"] == "cand is worse than prod on Brier score by 0.020 [0.010, 0.030]"
    better = items["metrics.log_loss:cand:prod"]
    assert better["status"] == "passed" and better["title"].startswith("cand is better than prod on log loss")
    assert better["reason"].startswith("cand is better than prod")
    skipped = items["metrics.accuracy:cand:old"]
    assert skipped["status"] == "not_tested" and "missing" in skipped["reason"]


def test_loss_comparisons_without_a_sign_flip_test_are_not_tested():
    doc = document([probe("metrics", {"cand": metrics_unit(0.9, 0.02, [0.01, 0.03]),
                                      "prod": metrics_unit(0.9, 0.02, [0.01, 0.03])},
                          paired={"comparisons": [loss_comparison("brier", "cand", "prod", 0.02, [0.01, 0.03], None)],
                                  "skipped": []})])
    item = by_id(findings_block(doc))["metrics.brier:cand:prod"]
    assert item["status"] == "not_tested" and "sign-flip" in item["reason"]


def test_interval_rules_group_gaps_and_explanations_rest_on_no_test():
    doc = document([
        probe("group-fairness", {"cand": group_unit(0.25, [0.12, 0.38], 0.15, [0.0, 0.30]),
                                 "prod": group_unit(0.02, [0.0, 0.08], 0.03, [0.0, 0.1])}),
        probe("explain", {"cand": explain_unit({"attention": (0.4, [0.2, 0.6]), "rollout": (0.1, [-0.05, 0.25]),
                                                "grad_x_input": (-0.2, [-0.3, -0.1])})}),
    ])
    block = findings_block(doc)
    items = by_id(block)
    dp = items["group-fairness.max_demographic_parity_difference:cand"]
    assert dp["status"] == "finding" and dp["severity"] == "high" and not dp["tested"] and dp["p_value"] is None
    assert dp["title"] == "Demographic parity difference reaches 25.0 points [12.0, 38.0] (gender)"
    assert dp["threshold"] == 0.1  # the probe's own tolerance
    assert items["group-fairness.max_equalized_odds_difference:cand"]["status"] == "passed"
    assert items["explain.faithfulness/attention:cand"]["status"] == "passed"
    assert items["explain.faithfulness/rollout:cand"]["severity"] == "low"
    assert items["explain.faithfulness/grad_x_input:cand"]["severity"] == "medium"
    assert block["fdr"]["tested"] == 0 and "nothing for the Benjamini-Hochberg procedure" in block["fdr"]["rule"]


def test_config_changes_the_rules_and_the_block_shows_them():
    doc = clear_doc()
    doc["run"]["config"]["findings"] = {"noise_drop": {"tolerance": 0.5}, "attack_success": False,
                                        "counterfactual_flips": {"tolerance": 0.001}}
    block = add_findings(doc)["findings"]
    items = by_id(block)
    assert items["noise.max_changed_accuracy_drop:cand"]["status"] == "passed"
    assert items["noise.max_changed_accuracy_drop:cand"]["threshold"] == 0.5
    assert not any(i["rule"] == "attack_success" for i in block["items"])
    flips = items["counterfactual.flip_rate:cand"]  # 0.01 [0, 0.02] over 0.001: its interval reaches below
    assert flips["threshold"] == 0.001 and flips["status"] == "passed" and 0.05 < flips["p_value"] < 0.1
    assert block["rules"]["noise_drop"]["tolerance"] == 0.5 and block["rules"]["attack_success"]["enabled"] is False
    assert block["rules"]["group_gap"]["tolerance"] is None and "description" in block["rules"]["group_gap"]


def test_keep_leaves_a_block_and_the_result_is_schema_valid():
    doc = clear_doc()
    assert schema_problem(add_findings(doc)) is None
    doc["findings"]["items"] = []
    assert add_findings(doc, keep=True)["findings"]["items"] == []
    assert add_findings(doc)["findings"]["items"]


def test_ids_are_unique_when_a_probe_appears_twice():
    doc = document([probe("noise", {"cand": noise_unit(0.25, [0.2, 0.3])}),
                    probe("noise", {"cand": noise_unit(0.25, [0.2, 0.3])})], models=("cand",))
    ids = [i["id"] for i in findings_block(doc)["items"]]
    assert sorted(ids) == ["noise.max_changed_accuracy_drop:cand", "noise.max_changed_accuracy_drop:cand#2"]


def test_results_without_known_probes_have_an_empty_block():
    doc = document([probe("custom-plugin-probe", {"cand": unit({"x": metric_(1.0, [0.0, 2.0])})})], models=("cand",))
    block = findings_block(doc)
    assert block["items"] == [] and block["counts"] == {"finding": 0, "passed": 0, "not_tested": 0}
    assert schema_problem({**doc, "findings": block}) is None


def test_an_interval_above_its_estimate_still_gives_a_sensible_p():
    # ECE's bootstrap is biased upwards: its interval may lie wholly above the estimate
    doc = document([probe("metrics", {"cand": metrics_unit(0.9, 0.12, [0.13, 0.19]),
                                      "prod": metrics_unit(0.9, 0.30, [0.31, 0.37])})])
    items = by_id(findings_block(doc))
    near = items["metrics.ece:cand"]  # 0.12 over 0.10 with a spread of +-0.03: not convincing
    assert near["status"] == "passed" and 0.05 < near["p_value"] < 1
    assert items["metrics.ece:prod"]["status"] == "finding"


def test_noise_results_older_than_the_changed_text_headline_use_the_all_text_one():
    old = unit({"max_accuracy_drop": metric_(0.2, [0.15, 0.25])},
               {"cells": [{"perturbation": "ocr", "severity": 0.05, "accuracy_drop": 0.2}]})
    item = findings_block(document([probe("noise", {"cand": old})], models=("cand",)))["items"][0]
    assert item["id"] == "noise.max_accuracy_drop:cand" and item["status"] == "finding"
    assert item["title"] == "Accuracy falls 20.0 points [15.0, 25.0] under ocr at severity 0.05"


def test_a_rule_that_cannot_read_the_results_is_reported_not_fatal(monkeypatch):
    from audit.findings import block as block_module

    def broken(doc, settings):
        raise KeyError("surprise")

    probe_name, _rule, describe = block_module.RULES["calibration"]
    monkeypatch.setitem(block_module.RULES, "calibration", (probe_name, broken, describe))
    block = findings_block(clear_doc())
    assert block["errors"] == [{"rule": "calibration", "probe": "metrics", "error": "KeyError: 'surprise'"}]
    assert by_id(block)["noise.max_changed_accuracy_drop:cand"]["status"] == "finding"
    assert schema_problem({**clear_doc(), "findings": block}) is None


def test_partial_units_are_judged_and_units_without_values_are_not_tested():
    partial = attack_unit(90, 100)
    partial.update(status="partial", reason="textfooler skipped: no word vectors")
    partial["details"]["unavailable"] = {"textfooler": "no word vectors"}
    empty = unit({"max_demographic_parity_difference": metric_(None, None)}, status="no_values",
                 reason="no attribute has two groups of at least min_support=30 examples")
    doc = document([probe("attack", {"cand": partial}), probe("group-fairness", {"cand": empty})], models=("cand",))
    items = by_id(findings_block(doc))
    assert items["attack.success_rate/pwws:cand"]["status"] == "finding"
    assert items["attack.success_rate/textfooler:cand"]["reason"] == "unavailable: no word vectors"
    gap = items["group-fairness.max_demographic_parity_difference:cand"]
    assert gap["status"] == "not_tested" and gap["reason"].startswith("no values: no attribute has two groups")
