"""The robustness_gap rule on synthetic results: a gap beyond chance and above the tolerance is a finding with a
title naming both groups; a gap within chance, or below the tolerance, passes; missing groups are not tested."""

from __future__ import annotations

from findings_builders import document, metric, probe, unit

from audit.findings.block import findings_block
from audit.findings.settings import parse_findings


def by_group(gap: float, p: float, tolerance: float = 0.1, groups=("female", "male"), rates=(0.4, 0.1)) -> dict:
    rows = [{"group": g, "examples": 50, "small": False, "flip_rate": {"value": r, "ci": [r - 0.05, r + 0.05]}}
            for g, r in zip(groups, rates)]
    return {"gap_measure": "flip_rate", "min_support": 20, "tolerance": tolerance,
            "attributes": [{"name": "gender", "source": "column", "groups": rows,
                            "gap": {"value": gap, "ci": [gap - 0.1, gap + 0.1], "p_value": p, "highest": groups[0],
                                    "lowest": groups[1], "groups_compared": 2}}]}


def noise(block: dict | None) -> dict:
    details = {"by_group": block} if block is not None else {}
    return unit({"max_robustness_gap": metric(0.3, [0.2, 0.4])}, details)


def items(doc: dict, **cfg) -> list[dict]:
    block = findings_block(doc, parse_findings(cfg or None, "test"))
    return [i for i in block["items"] if i["rule"] == "robustness_gap"]


def test_a_real_gap_above_the_tolerance_is_a_finding_naming_both_groups():
    doc = document([probe("noise", {"cand": noise(by_group(0.3, 1e-6)), "prod": noise(by_group(0.02, 0.6,
                                                                                              rates=(0.12, 0.1)))})])
    found = {i["model"]: i for i in items(doc)}
    assert found["cand"]["status"] == "finding" and found["cand"]["metric"] == "robustness_gap/gender"
    assert found["cand"]["title"] == ("Noise flips 40.0% of the changed texts for female but 10.0% for male (gender): "
                                      "a gap of 30.0 points [20.0, 40.0]")
    assert found["cand"]["severity"] == "high" and found["cand"]["threshold"] == 0.1
    assert found["prod"]["status"] == "passed"


def test_a_significant_gap_below_the_tolerance_passes_and_the_setting_overrides_the_probe():
    doc = document([probe("noise", {"cand": noise(by_group(0.08, 1e-6, rates=(0.18, 0.1)))})], models=("cand",))
    assert items(doc)[0]["status"] == "passed"
    assert items(doc, robustness_gap={"tolerance": 0.05})[0]["status"] == "finding"
    assert items(doc, robustness_gap=False) == []


def test_no_groups_is_not_tested_and_an_absent_breakdown_is_silent():
    empty = {"gap_measure": "flip_rate", "min_support": 20, "tolerance": 0.1, "attributes": []}
    doc = document([probe("noise", {"cand": noise(empty), "prod": noise(None)})])
    got = items(doc)
    assert [i["model"] for i in got] == ["cand"] and got[0]["status"] == "not_tested"
    assert "names no groups" in got[0]["reason"]


def test_attack_and_counterfactual_read_their_own_measures():
    attack = by_group(0.5, 1e-4)
    attack["gap_measure"] = "success_rate"
    for row in attack["attributes"][0]["groups"]:
        row["success_rate"] = row.pop("flip_rate")
    swaps = by_group(0.3, 1e-5)
    doc = document([probe("attack", {"cand": unit({}, {"by_group": attack, "recipes": {}})}),
                    probe("counterfactual", {"cand": unit({}, {"by_group": swaps})})], models=("cand",))
    titles = {i["probe"]: i["title"] for i in items(doc)}
    assert titles["attack"].startswith("Attacks succeed on 40.0% of the attacked examples for female but 10.0%")
    assert titles["counterfactual"].startswith("Swaps flip 40.0% of the texts naming female but 10.0% for male")
