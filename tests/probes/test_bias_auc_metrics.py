"""The `bias-auc` probe's numbers against independent computations: every subgroup, BPSN and BNSP AUC is
sklearn's roc_auc_score on the same scores and subset (binary and one-vs-rest multi-class), generalized means
and the benchmark score are direct numpy formulas, intervals hold their estimates and follow the seed, and an
AUC whose set lacks positives or negatives is None with a reason."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import BiasAucProbe, GroupFairnessProbe

Config = BiasAucProbe.Config
FAMILIES = ("subgroup", "bpsn", "bnsp")


class TableModel:
    """Fixed probabilities per text: an oracle independent of the probe."""

    def __init__(self, labels, table):
        self.labels, self.table, self.fingerprint = labels, table, "sha256:table"

    def predict_proba(self, texts):
        return np.array([self.table[t] for t in texts])


def make_case(k=2, n=400, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    labels = ["neg", "pos", "mid"][:k]
    gold = rng.integers(0, k, n)
    gender = rng.choice(["f", "m", "x"], n, p=[0.45, 0.45, 0.1]).astype(object)
    gender[rng.random(n) < 0.1] = None  # examples without a group: background only
    religion = rng.choice(["a", "b", "c"], n).astype(object)
    religion[:12] = "tiny"  # below min_support
    logits = rng.normal(size=(n, k)) + 1.0 * np.eye(k)[gold] + 0.8 * (gender == "f")[:, None] * np.eye(k)[k - 1]
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    if ties:
        proba = np.round(proba, 1)
        proba = proba / proba.sum(1, keepdims=True)
    texts = [f"text {i}" for i in range(n)]
    data = Dataset([str(i) for i in range(n)], texts, [labels[g] for g in gold], "mem",
                   attributes={"gender": list(gender), "religion": list(religion)})
    model = PredictionCache().wrap(LoadedModel("m", "mem", "callable", TableModel(labels, dict(zip(texts, proba)))))
    return data, model, gold, proba, {"gender": gender, "religion": religion}


def run(data, model, seed=0, **cfg):
    return BiasAucProbe(Config(**{"bootstrap": 200, **cfg})).run(model, data, ProbeContext(seed=seed))


def subsets(y, in_group):
    """The rows of each family's set (Borkan et al.): background is every row outside the group."""
    return {"subgroup": in_group, "bpsn": (in_group & ~y) | (~in_group & y), "bnsp": (in_group & y) | (~in_group & ~y)}


def gmean(values, p=-5.0):
    values = np.asarray(values, float)
    return float(np.mean(values ** p) ** (1 / p))


@pytest.mark.parametrize("ties", [False, True])
def test_binary_aucs_equal_roc_auc_score_on_the_same_subsets(ties):
    data, model, gold, proba, attrs = make_case(ties=ties)
    res = run(data, model)
    assert res.status == "ok"
    y, s = gold == 1, proba[:, 1]
    assert res.metrics["overall_auc"].value == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    checked = 0
    for attr, values in attrs.items():
        entry = next(e for e in res.details["attributes"] if e["name"] == attr)
        for g in entry["groups"]:
            in_group = values == g["group"]
            assert g["support"] == int(in_group.sum())
            for family, rows in subsets(y, in_group).items():
                rec = g["classes"]["pos"][family]
                assert rec["value"] == pytest.approx(roc_auc_score(y[rows], s[rows]), abs=1e-12)
                assert res.metrics[f"{family}_auc/{attr}/{g['group']}"].value == rec["value"]
                assert (rec["positives"], rec["negatives"]) == (int(y[rows].sum()), int((~y[rows]).sum()))
                checked += 1
    assert checked == 3 * (3 + 4)  # gender f, m, x; religion a, b, c, tiny


def test_generalized_means_benchmark_score_and_headlines_are_direct_formulas():
    data, model, gold, proba, attrs = make_case()
    res = run(data, model)
    y, s = gold == 1, proba[:, 1]
    overall = roc_auc_score(y, s)
    worst = {}
    for attr, values in attrs.items():
        groups = [g for g in sorted({v for v in values if v is not None}) if (values == g).sum() >= 30]
        assert attr != "religion" or groups == ["a", "b", "c"]  # the tiny group is left out of the summaries
        means = []
        for family in FAMILIES:
            aucs = [roc_auc_score(y[rows], s[rows]) for rows in (subsets(y, values == g)[family] for g in groups)]
            means.append(gmean(aucs))
            worst[family] = min(worst.get(family, 1.0), *aucs)
            assert res.metrics[f"generalized_mean_{family}_auc/{attr}"].value == pytest.approx(means[-1], abs=1e-12)
        assert res.metrics[f"jigsaw_score/{attr}"].value == pytest.approx(0.25 * overall + 0.75 * np.mean(means))
    for family in FAMILIES:
        head = res.details["headline"][f"min_{family}_auc"]
        assert res.metrics[f"min_{family}_auc"].value == pytest.approx(worst[family], abs=1e-12)
        rows = subsets(y, attrs[head["attribute"]] == head["group"])[family]  # it names the worst group
        assert roc_auc_score(y[rows], s[rows]) == pytest.approx(head["value"], abs=1e-12)
    religion = next(e for e in res.details["attributes"] if e["name"] == "religion")
    assert religion["excluded_groups"] == ["tiny"] and [g["small"] for g in religion["groups"]] == [0, 0, 0, 1]
    assert all(m.higher_is_better is True for m in res.metrics.values())


def test_multiclass_is_one_vs_rest_per_class_and_summaries_take_the_worst_class():
    data, model, gold, proba, attrs = make_case(k=3)
    res = run(data, model)
    labels = ["neg", "pos", "mid"]
    per_class = {}
    for c, label in enumerate(labels):
        y, s = gold == c, proba[:, c]
        assert res.metrics[f"overall_auc/{label}"].value == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        groups = ["f", "m", "x"]
        for g in groups:
            for family, rows in subsets(y, attrs["gender"] == g).items():
                name = f"{family}_auc/gender/{g}/{label}"
                assert res.metrics[name].value == pytest.approx(roc_auc_score(y[rows], s[rows]), abs=1e-12)
        per_class[label] = gmean([roc_auc_score(y[r], s[r]) for r in
                                  (subsets(y, attrs["gender"] == g)["bpsn"] for g in groups)])
    mean = next(e for e in res.details["attributes"] if e["name"] == "gender")["means"]["bpsn"]
    worst = min(per_class, key=per_class.get)
    assert res.metrics["generalized_mean_bpsn_auc/gender"].value == pytest.approx(per_class[worst], abs=1e-12)
    assert mean["worst_class"] == worst and mean["per_class"][worst]["value"] == pytest.approx(per_class[worst])
    overall = {label: roc_auc_score(gold == c, proba[:, c]) for c, label in enumerate(labels)}
    assert res.metrics["overall_auc"].value == pytest.approx(min(overall.values()), abs=1e-12)
    assert res.details["overall"]["worst_class"] == min(overall, key=overall.get)
    assert not any(k.count("/") == 2 for k in res.metrics if k.startswith("bpsn_auc/"))  # every group name has its class
    one = run(data, model, positive_label="mid")  # one scored class: binary-style names
    y = gold == 2
    rows = subsets(y, attrs["gender"] == "f")["bnsp"]
    assert one.metrics["bnsp_auc/gender/f"].value == pytest.approx(roc_auc_score(y[rows], proba[rows, 2]))


def test_scoring_the_other_class_swaps_bpsn_and_bnsp():
    """p(neg) = 1 - p(pos) and 'positive' flips: BPSN of one is BNSP of the other (an identity, not the code)."""
    data, model, *_ = make_case()
    pos, neg = run(data, model).metrics, run(data, model, positive_label="neg").metrics
    for g in ("f", "m", "x"):
        assert pos[f"bpsn_auc/gender/{g}"].value == pytest.approx(neg[f"bnsp_auc/gender/{g}"].value, abs=1e-12)
        assert pos[f"subgroup_auc/gender/{g}"].value == pytest.approx(neg[f"subgroup_auc/gender/{g}"].value)


def test_intervals_hold_the_estimate_follow_the_seed_and_switch_off():
    data, model, *_ = make_case()
    a, b, c = run(data, model, seed=1), run(data, model, seed=1), run(data, model, seed=2)
    for name, m in a.metrics.items():
        if m.value is None:
            continue
        assert m.ci is not None and m.ci[0] <= m.value <= m.ci[1], name
        assert b.metrics[name].ci == m.ci, name  # same seed, same resamples
    assert c.metrics["bpsn_auc/gender/f"].ci != a.metrics["bpsn_auc/gender/f"].ci
    g = next(e for e in a.details["attributes"] if e["name"] == "gender")["groups"][0]["classes"]["pos"]["bpsn"]
    gap = g["below_overall"]
    assert gap["value"] == pytest.approx(a.metrics["overall_auc"].value - g["value"])
    assert gap["ci"][0] <= gap["value"] <= gap["ci"][1]
    off = run(data, model, bootstrap=0)
    assert all(m.ci is None for m in off.metrics.values())
    assert off.metrics["bpsn_auc/gender/f"].value == a.metrics["bpsn_auc/gender/f"].value


def test_a_worst_group_interval_is_joint_and_holds_the_smallest_estimate():
    data, model, *_ = make_case()
    res = run(data, model, bootstrap=400)
    head = res.details["headline"]["min_bpsn_auc"]
    own = res.metrics[f"bpsn_auc/{head['attribute']}/{head['group']}"]
    assert head["ci"][0] <= head["value"] <= head["ci"][1]
    assert head["ci"][0] < own.ci[0]  # a band over six groups reaches lower than the worst group's own interval


def test_undefined_aucs_are_none_with_a_reason_and_left_out_of_the_means():
    data, model, gold, proba, attrs = make_case()
    labels = list(data.labels)
    for i in np.flatnonzero(attrs["gender"] == "x"):
        labels[i] = "neg"  # group x has no positive example
    data = Dataset(data.ids, data.texts, labels, "mem", attributes=data.attributes)
    res = run(data, model)
    x = next(g for g in res.details["attributes"][0]["groups"] if g["group"] == "x")["classes"]["pos"]
    assert x["subgroup"]["value"] is None and x["bnsp"]["value"] is None and x["bpsn"]["value"] is not None
    assert x["subgroup"]["reason"] == "undefined: the group has no positive examples (positive: labelled 'pos')"
    assert x["subgroup"]["positives"] == 0 and x["subgroup"]["negatives"] == int((attrs["gender"] == "x").sum())
    assert res.metrics["subgroup_auc/gender/x"].value is None and res.metrics["subgroup_auc/gender/x"].ci is None
    mean = res.details["attributes"][0]["means"]["subgroup"]["per_class"]["pos"]
    assert mean["left_out"] == ["x"] and mean["groups"] == 2
    y, s = np.array([lab == "pos" for lab in labels]), proba[:, 1]
    want = gmean([roc_auc_score(y[attrs["gender"] == g], s[attrs["gender"] == g]) for g in ("f", "m")])
    assert res.metrics["generalized_mean_subgroup_auc/gender"].value == pytest.approx(want)


def test_scores_come_from_the_prediction_cache_alone():
    data, model, *_ = make_case()
    GroupFairnessProbe(GroupFairnessProbe.Config(bootstrap=0)).run(model, data, ProbeContext(seed=0))
    calls = model.stats.model_calls
    res = run(data, model)
    assert model.stats.model_calls == calls == 1 and res.status == "ok"
    assert set(res.predictions) == {"id", "label", "predicted", "proba", "group:gender", "group:religion"}
    assert res.predictions["group:gender"][:5] == list(data.attributes["gender"][:5])
