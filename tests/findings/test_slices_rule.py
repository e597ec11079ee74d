"""The ``weak_slice`` rule: every slice the probe tested is one tested item with the probe's raw p-value, so the
audit-wide Benjamini-Hochberg (statsmodels' fdr_bh over every tested item) decides, not the probe's own; paired
slices are items against their baseline, findings only where the first model errs more; a unit that did not run is
not tested; the verdict counts a large family of passed slices in one entry."""

from __future__ import annotations

import pytest
from findings_builders import document, metric, probe, unit
from statsmodels.stats.multitest import multipletests

from audit.findings import findings_block, parse_findings
from audit.reports.findings import GROUP_FROM, build_findings


def row(name: str, diff: float, p: float, n: int = 80, rest: float = 0.2, weak: bool | None = None) -> dict:
    """A tested slice; ``weak``: the probe's own verdict (default: what its BH over these few rows gives)."""
    return {"slice": name, "kind": "single", "parts": [name], "n": n, "errors": round(n * (rest + diff)),
            "error_rate": rest + diff, "error_rate_rest": rest, "diff": diff, "ci": [diff - 0.08, diff + 0.08],
            "p_value": p, "p_adjusted": p, "weak": (diff > 0 and p < 0.01) if weak is None else weak}


def slices_unit(rows: list[dict]) -> dict:
    return unit({"weak_slices": metric(0), "max_error_gap": metric(0.0), "slices_tested": metric(len(rows))},
                {"slices": rows, "q": 0.05})


def paired(rows: list[dict]) -> dict:
    return {"slices": {"q": 0.05, "confidence": 0.95, "test": "mcnemar", "pairs": [
        {"a": "cand", "b": "prod", "n": 400, "tested": len(rows), "a_worse": 0, "b_worse": 0, "rows": rows}],
        "skipped": []}}


def paired_row(name: str, diff: float, p: float) -> dict:
    return {"slice": name, "n": 90, "error_a": 0.3 + diff, "error_b": 0.3, "diff": diff, "ci": [diff - 0.05, diff + 0.05],
            "wrong_only_a": 12, "wrong_only_b": 2, "p_value": p, "test_method": "exact-binomial"}


@pytest.fixture
def doc():
    cand = [row("negation", 0.21, 1e-5), row("question", 0.12, 0.004), row("digits", 0.05, 0.2),
            row("length:q1[1-9 words]", -0.04, 0.97)]
    prod = [row("negation", 0.02, 0.4), row("question", 0.0, 0.5)]
    pairs = [paired_row("negation", 0.15, 1e-4), paired_row("question", -0.12, 0.002), paired_row("digits", 0.01, 0.9)]
    return document([probe("slices", {"cand": slices_unit(cand), "prod": slices_unit(prod)}, {"q": 0.05},
                           paired=paired(pairs))])


def items(block: dict) -> dict[str, dict]:
    return {i["id"]: i for i in block["items"]}


def test_every_tested_slice_is_an_item_decided_by_the_audit_wide_bh(doc):
    block = findings_block(doc)
    got = items(block)
    ids = [i for i in got if i.startswith("slices.")]
    assert len(ids) == 4 + 2 + 3 and block["fdr"]["tested"] == 9
    tested = [i for i in block["items"] if i["tested"]]
    reference = multipletests([i["p_value"] for i in tested], method="fdr_bh")[1]
    assert [i["p_adjusted"] for i in tested] == pytest.approx(reference.tolist())
    neg = got["slices.error_gap/negation:cand"]
    assert (neg["status"], neg["severity"], neg["rule"], neg["value"], neg["p_value"]) == (
        "finding", "high", "weak_slice", 0.21, 1e-5)
    assert neg["title"] == "Weak slice: 41.0% errors in negation (80 examples) against 20.0% elsewhere, +21.0 points " \
                           "[13.0, 29.0]"
    assert neg["evidence"] == "probe-slices"
    assert got["slices.error_gap/question:cand"]["status"] == "finding"
    assert got["slices.error_gap/question:cand"]["severity"] == "medium"
    assert got["slices.error_gap/digits:cand"]["status"] == "passed"
    assert got["slices.error_gap/digits:cand"]["title"] == "Slice digits: 25.0% errors in digits (80 examples) " \
                                                           "against 20.0% elsewhere"
    assert got["slices.error_gap/negation:prod"]["status"] == "passed"


def test_a_slice_the_probe_did_not_find_weak_is_never_a_finding(doc):
    """The audit-wide threshold can be looser than the probe's own when other tests are strong: the verdict then
    keeps to the probe's weak slices, so it never names one that slices.weak_slices does not count."""
    cand = doc["probes"][0]["results"]["cand"]["details"]["slices"]
    cand[1]["weak"] = False  # question: kept by the audit-wide BH, not by the probe's
    got = items(findings_block(doc))["slices.error_gap/question:cand"]
    assert got["status"] == "passed" and "not among the probe's own slices" in got["reason"]


def test_paired_slices_are_findings_only_where_the_first_model_errs_more(doc):
    got = items(findings_block(doc))
    worse = got["slices.error_gap/negation:cand:prod"]
    assert (worse["status"], worse["baseline"], worse["severity"]) == ("finding", "prod", "high")  # 15 points: high from 0.15
    assert worse["title"].startswith("cand errs more than prod on negation (90 examples): 45.0% errors against 30.0%")
    better = got["slices.error_gap/question:cand:prod"]
    assert better["status"] == "passed" and better["title"].startswith("cand errs less than prod on question")
    assert got["slices.error_gap/digits:cand:prod"]["title"].startswith("cand and prod are not distinguishable")
    off = items(findings_block(doc, parse_findings({"weak_slice": {"paired": False}}, "test")))
    assert not [i for i in off if i.endswith(":cand:prod")] and "slices.error_gap/negation:prod" in off


def test_a_unit_that_did_not_run_is_not_tested():
    doc = document([probe("slices", {"cand": unit({}, status="not_applicable", reason="No slice of the data ...")})],
                   models=("cand",))
    [item] = [i for i in findings_block(doc)["items"] if i["rule"] == "weak_slice"]
    assert item["status"] == "not_tested" and item["reason"] == "not applicable: No slice of the data ..."


def test_the_verdict_counts_a_large_family_of_passed_slices():
    many = [row(f"column:user=u{i}", 0.0, 0.9) for i in range(GROUP_FROM + 1)]
    few = [row(f"column:user=u{i}", 0.0, 0.9) for i in range(GROUP_FROM)]
    for rows, grouped in ((many, True), (few, False)):
        doc = document([probe("slices", {"cand": slices_unit(rows)})], models=("cand",))
        doc["findings"] = findings_block(doc)
        [group] = build_findings(doc, ["cand"], set(), {}).groups
        if grouped:
            assert group.passed == [(f"slices.error_gap/* × {GROUP_FROM + 1}",
                                     f"{GROUP_FROM + 1} items of rule weak_slice passed; the slices section shows each")]
            assert group.passed_count == GROUP_FROM + 1
        else:
            assert [name for name, _ in group.passed] == [f"slices.error_gap/column:user=u{i}" for i in range(GROUP_FROM)]
            assert group.passed_count is None
