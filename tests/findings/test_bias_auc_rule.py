"""The `bias_auc` findings rule: a group AUC more than the tolerance below the overall AUC is a finding, tested
from the bootstrap interval of that gap (normal approximation); equal groups pass; small groups are left out;
undefined AUCs, switched-off intervals and failed units are not tested. On planted documents and on real
probe runs of a model that scores one group's negatives high."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
from findings_builders import document, probe, unit

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.findings import FindingsConfig, findings_block, parse_findings
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import BiasAucProbe


def rec(value, gap, ci, **extra):
    return {"value": value, "ci": [value - 0.05, value + 0.05], "positives": 50, "negatives": 50,
            "below_overall": {"value": gap, "ci": ci}, **extra}


def group(name, bpsn_gap, bpsn_ci, small=False, overall=0.9):
    fams = {"subgroup": rec(overall, 0.0, [-0.03, 0.03]), "bpsn": rec(overall - bpsn_gap, bpsn_gap, bpsn_ci),
            "bnsp": rec(overall, 0.0, [-0.02, 0.02])}
    return {"group": name, "support": 10 if small else 200, "small": small, "classes": {"pos": fams}}


def bias_unit(groups, resamples=1000, **kw):
    details = {"scored_classes": ["pos"], "tolerance": 0.05, "bootstrap": {"resamples": resamples},
               "attributes": [{"name": "religion", "groups": groups}]}
    return unit({}, details, **kw)


def items(doc, cfg=None):
    return {i["id"]: i for i in findings_block(doc, cfg)["items"] if i["rule"] == "bias_auc"}


def test_a_planted_low_bpsn_group_is_a_finding_and_equal_groups_pass():
    groups = [group("muslim", 0.12, [0.08, 0.16]), group("christian", 0.0, [-0.03, 0.03]),
              group("tiny", 0.4, [0.3, 0.5], small=True)]
    doc = document([probe("bias-auc", {"cand": bias_unit(groups)}, {"confidence": 0.95})], models=("cand",))
    found = items(doc)
    bad = found["bias-auc.bpsn_auc/religion/muslim:cand"]
    assert bad["status"] == "finding" and bad["severity"] == "medium"  # 12 points: medium from 10, high from 15
    assert bad["value"] == 0.12 and bad["ci"] == [0.08, 0.16] and bad["threshold"] == 0.05
    se = (0.12 - 0.08) / NormalDist().inv_cdf(0.975)
    assert bad["p_value"] == pytest.approx(2 * (1 - NormalDist().cdf((0.12 - 0.05) / se)))
    assert bad["title"] == "BPSN AUC of muslim (religion) is 0.780, 12.0 points [8.0, 16.0] below the overall AUC"
    assert {i["status"] for k, i in found.items() if k != bad["id"]} == {"passed"}
    assert len(found) == 6 and not any("tiny" in k for k in found)  # 2 groups x 3 families; the small group out
    block = findings_block(doc)
    assert "below the model's overall AUC" in block["rules"]["bias_auc"]["description"]
    assert block["rules"]["bias_auc"]["probe"] == "bias-auc"


def test_a_gap_above_the_tolerance_with_a_wide_interval_passes():
    doc = document([probe("bias-auc", {"cand": bias_unit([group("gay", 0.08, [-0.02, 0.18])])})], models=("cand",))
    item = items(doc)["bias-auc.bpsn_auc/religion/gay:cand"]
    assert item["status"] == "passed" and "interval reaches -0.02" in item["reason"]


def test_tolerance_families_and_severities_come_from_the_settings():
    doc = document([probe("bias-auc", {"cand": bias_unit([group("muslim", 0.2, [0.17, 0.23])])})], models=("cand",))
    assert items(doc)["bias-auc.bpsn_auc/religion/muslim:cand"]["severity"] == "high"
    strict = parse_findings({"bias_auc": {"tolerance": 0.25, "families": ["bpsn"]}}, "test")
    only = items(doc, strict)
    assert list(only) == ["bias-auc.bpsn_auc/religion/muslim:cand"] and only[list(only)[0]]["status"] == "passed"
    assert items(doc, parse_findings({"bias_auc": False}, "test")) == {}
    with pytest.raises(AuditError, match="families must be some of subgroup, bpsn, bnsp"):
        parse_findings({"bias_auc": {"families": ["bpns"]}}, "test")


def test_not_tested_without_a_value_an_interval_or_a_result():
    undefined = group("sikh", 0.0, [-0.01, 0.01])
    undefined["classes"]["pos"]["subgroup"] = {"value": None, "ci": None, "positives": 0, "negatives": 40,
                                               "reason": "undefined: the group has no positive examples"}
    doc = document([probe("bias-auc", {"cand": bias_unit([undefined]), "prod": bias_unit([group("a", 0.0, None)],
                                                                                         resamples=0)})])
    found = items(doc)
    sikh = found["bias-auc.subgroup_auc/religion/sikh:cand"]
    assert sikh["status"] == "not_tested" and sikh["reason"] == "undefined: the group has no positive examples"
    off = [i for i in found.values() if i["model"] == "prod"]
    assert [i["metric"] for i in off] == ["min_subgroup_auc", "min_bpsn_auc", "min_bnsp_auc"]
    assert all(i["status"] == "not_tested" and "bootstrap 0" in i["reason"] for i in off)
    failed = document([probe("bias-auc", {"cand": unit({}, status="error", reason="boom")})], models=("cand",))
    assert {i["reason"] for i in items(failed).values()} == {"the probe failed: boom"}


class Planted:
    """Toxicity scores that rank well overall but put the 'muslim' texts' negatives high (a BPSN harm)."""

    labels = ["ok", "toxic"]
    fingerprint = "sha256:planted"

    def __init__(self, bias: float):
        self.bias = bias

    def predict_proba(self, texts):
        noise = np.array([(int(t.split(":")[0]) * 0.618034) % 1 for t in texts])  # spread, the same every run
        p = (0.3 + 0.25 * np.array(["hate" in t for t in texts]) + 0.3 * noise
             + self.bias * np.array(["muslim" in t for t in texts])).clip(0.01, 0.99)
        return np.stack([1 - p, p], axis=1)


def test_on_real_probe_runs_the_planted_group_is_the_finding():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(900):
        who = ["muslim", "christian", "jewish"][i % 3]
        toxic = rng.random() < 0.5
        rows.append((f"{i}: the {who} people {'hate' if toxic else 'like'} it", "toxic" if toxic else "ok", who))
    data = Dataset([str(i) for i in range(900)], [r[0] for r in rows], [r[1] for r in rows], "mem",
                   attributes={"religion": [r[2] for r in rows]})
    results = {}
    for mid, bias in (("biased", 0.3), ("fair", 0.0)):
        model = PredictionCache().wrap(LoadedModel(mid, "mem", "callable", Planted(bias)))
        res = BiasAucProbe(BiasAucProbe.Config(bootstrap=300, positive_label="toxic")).run(model, data, ProbeContext(seed=0))
        results[mid] = res.as_dict()  # as the runner holds it when it computes the findings, before writing
    doc = document([probe("bias-auc", results, {"confidence": 0.95, "tolerance": 0.05})], models=("biased", "fair"))
    found = items(doc, FindingsConfig())
    findings = sorted(i["id"] for i in found.values() if i["status"] == "finding")
    assert "bias-auc.bpsn_auc/religion/muslim:biased" in findings
    assert all(i.endswith(":biased") for i in findings)  # the fair model has none
    assert not any("christian" in i or "jewish" in i for i in findings if "bpsn" in i)
