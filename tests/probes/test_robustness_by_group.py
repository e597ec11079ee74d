"""Robustness by group (noise, attack, counterfactual): each group's numbers equal a direct computation from the
probe's own outcomes (perturbed texts re-made here, the attack's and the swaps' per-example records), groups
come from sensitive columns or identity terms, a planted group-specific weakness is found and equal groups are
not, and the config keys are checked."""

from __future__ import annotations

import numpy as np
import pytest
from test_attack_support import (  # noqa: F401 - attack_env is a fixture
    KeywordModel, attack_env, cached, records_of, template_data,
)

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.core.seeding import rng_for
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness.by_group import groups as group_source
from audit.probes.fairness.counterfactual.probe import CounterfactualProbe
from audit.probes.fairness.group.attributes import inferred
from audit.probes.fairness.terms import load_axes
from audit.probes.noise import NoiseProbe, catalog
from audit.probes.noise.lexicon import load_synonyms
from audit.stats import clustered

POS, NEG = {"good", "great", "fine", "lovely"}, {"bad", "awful", "dull", "poor"}
NOISE = NoiseProbe.Config(perturbations=("typo", "word_drop"), severities=(0.1, 0.3), bootstrap=0, max_examples=0,
                          group_min_support=5)


class Keywords:
    """Positive when positive words outnumber negative ones; ``fragile`` texts (a marker word) flip under any
    change, so a group whose texts carry the marker is less robust by construction."""

    labels = ["negative", "positive"]
    fingerprint = "keywords-v1"

    def __init__(self, fragile: str | None = None, originals: set[str] | None = None) -> None:
        self.fragile, self.originals = fragile, originals or set()

    def predict_proba(self, texts):
        rows = []
        for t in texts:
            words = [w.strip(".,!?").lower() for w in t.split()]
            score = sum(w in POS for w in words) - sum(w in NEG for w in words)
            p = 0.8 if score > 0 else 0.2
            if self.fragile and self.fragile in t and t not in self.originals:
                p = 1 - p  # perturbed texts of the fragile group flip
            rows.append([1 - p, p])
        return np.array(rows)


def dataset(n: int = 120) -> Dataset:
    rng = np.random.default_rng(0)
    groups = ["north", "south", "east"]
    ids, texts, labels, region = [], [], [], []
    for i in range(n):
        g = groups[i % 3]
        good = bool(rng.integers(0, 2))
        word = ["good", "great", "lovely"][i % 3] if good else ["bad", "awful", "dull"][i % 3]
        texts.append(f"the {g} office staff were {word} and the service felt {word} today")
        labels.append("positive" if good else "negative")
        ids.append(f"x{i}")
        region.append(g)
    return Dataset(ids=ids, texts=texts, labels=labels, source="mem", attributes={"region": region})


def model(clf, name="kw"):
    return PredictionCache().wrap(LoadedModel(name, "mem", "callable", clf))


def test_noise_groups_equal_a_direct_computation():
    data = dataset()
    clf = Keywords()
    res = NoiseProbe(NOISE).run(model(clf), data, ProbeContext(seed=4))
    table = catalog.build(NOISE.perturbations, load_synonyms())
    gold = np.array([clf.labels.index(y) for y in data.labels])
    clean = clf.predict_proba(data.texts).argmax(1)
    flips, changed, correct = [], [], []
    for name in NOISE.perturbations:
        for s in NOISE.severities:
            texts = [table[name](t, rng_for(4, "noise", name, f"{s:g}", i), s) for i, t in zip(data.ids, data.texts)]
            texts = [t if t.strip() else o for t, o in zip(texts, data.texts)]
            pred = clf.predict_proba(texts).argmax(1)
            changed.append([t != o for t, o in zip(texts, data.texts)])
            flips.append(pred != clean)
            correct.append(pred == gold)
    flips, changed, correct = np.array(flips), np.array(changed), np.array(correct)
    region = np.array(data.attributes["region"])
    rates = {}
    for g in ("east", "north", "south"):
        cols = region == g
        ch = changed[:, cols]
        rates[g] = (flips[:, cols] & ch).sum() / ch.sum()
        m = res.metrics
        assert m[f"group_flip_rate/region/{g}"].value == pytest.approx(rates[g])
        assert m[f"group_accuracy/region/{g}"].value == pytest.approx(correct[:, cols].mean())
        clean_on_changed = (np.broadcast_to(clean[cols] == gold[cols], ch.shape) & ch).sum() / ch.sum()
        assert m[f"group_accuracy_drop/region/{g}"].value == pytest.approx(
            clean_on_changed - (correct[:, cols] & ch).sum() / ch.sum())
    entry = res.details["by_group"]["attributes"][0]
    assert entry["name"] == "region" and entry["source"] == "column"
    assert res.metrics["robustness_gap/region"].value == pytest.approx(max(rates.values()) - min(rates.values()))
    assert res.metrics["max_robustness_gap"].value == res.metrics["robustness_gap/region"].value
    assert entry["gap"]["highest"] == max(rates, key=rates.get)


def test_intervals_contain_the_values_and_the_test_uses_effective_counts():
    data = dataset()
    res = NoiseProbe(NoiseProbe.Config(perturbations=("typo", "word_drop"), severities=(0.1, 0.3), bootstrap=50,
                                       max_examples=0, group_min_support=5)).run(
        model(Keywords(fragile="south", originals=set(dataset().texts))), data, ProbeContext(seed=4))
    block = res.details["by_group"]
    for row in block["attributes"][0]["groups"]:
        for measure in ("flip_rate", "accuracy", "accuracy_drop"):
            lo, hi = row[measure]["ci"]
            assert lo <= row[measure]["value"] <= hi
    gap = block["attributes"][0]["gap"]
    lo, hi = gap["ci"]
    assert lo <= gap["value"] <= hi and gap["highest"] == "south"
    assert gap["p_value"] < 1e-6 and gap["flagged"]
    assert block["ci_method"]["rates"] == clustered.METHOD


def test_groups_are_inferred_from_identity_terms_without_a_column():
    texts = ([f"she said the food was {w}" for w in ("good", "bad", "great", "awful")] * 8
             + [f"he said the food was {w}" for w in ("good", "bad", "great", "awful")] * 8)
    data = Dataset(ids=[f"i{i}" for i in range(len(texts))], texts=texts,
                   labels=["positive" if ("good" in t or "great" in t) else "negative" for t in texts], source="mem")
    group_source._MEMO.clear()
    res = NoiseProbe(NOISE).run(model(Keywords()), data, ProbeContext(seed=0))
    block = res.details["by_group"]
    expected, _ = inferred(texts, load_axes())
    assert block["groups_from"]["inferred"] is True
    assert [a["name"] for a in block["attributes"]] == [a.name for a in expected]
    gender = next(a for a in block["attributes"] if a["name"] == "gender")
    assert {g["group"]: g["examples"] for g in gender["groups"]} == {"female": 32, "male": 32}


def test_a_planted_weak_group_is_found_and_equal_groups_are_not():
    data = dataset()
    fragile = NoiseProbe(NOISE).run(model(Keywords(fragile="south", originals=set(data.texts))), data,
                                    ProbeContext(seed=1)).details["by_group"]["attributes"][0]["gap"]
    equal = NoiseProbe(NOISE).run(model(Keywords()), data, ProbeContext(seed=1)).details["by_group"]["attributes"][0]["gap"]
    assert fragile["highest"] == "south" and fragile["value"] > 0.3  # a typo in "south" hides the marker and fragile["p_value"] < 1e-6
    assert equal["p_value"] > 0.05 and not equal["flagged"]


def test_by_group_false_leaves_no_trace_and_bad_keys_are_refused():
    res = NoiseProbe(NoiseProbe.Config(perturbations=("typo",), severities=(0.1,), bootstrap=0, by_group=False)).run(
        model(Keywords()), dataset(30), ProbeContext(seed=0))
    assert "by_group" not in res.details and not any("robustness" in k or k.startswith("group_") for k in res.metrics)
    with pytest.raises(AuditError, match=r"^noise.group_min_support must be a whole number >= 1, got 0.$"):
        NoiseProbe.from_mapping({"group_min_support": 0})
    with pytest.raises(AuditError, match=r"^noise.group_tolerance must be between 0 and 1, got 1.5.$"):
        NoiseProbe.from_mapping({"group_tolerance": 1.5})
    with pytest.raises(AuditError, match=r"counterfactual.group_tolerance must be between 0 and 1, got -0.1."):
        CounterfactualProbe.from_mapping({"group_tolerance": -0.1})


def test_a_sensitive_column_with_one_group_is_skipped_not_an_error():
    data = dataset(30)
    data.attributes["site"] = ["hq"] * 30
    group_source._MEMO.clear()
    block = NoiseProbe(NOISE).run(model(Keywords()), data, ProbeContext(seed=0)).details["by_group"]
    assert [a["name"] for a in block["attributes"]] == ["region"]
    assert block["groups_from"]["skipped"] == {"site": "fewer than two groups"}


def test_counterfactual_groups_equal_the_swaps_records():
    texts = ([f"my sister says the film was {w}" for w in ("good", "bad", "great", "dull")] * 6
             + [f"my brother says the film was {w}" for w in ("good", "bad", "great", "dull")] * 6)
    data = Dataset(ids=[f"c{i}" for i in range(len(texts))], texts=texts,
                   labels=["positive" if ("good" in t or "great" in t) else "negative" for t in texts], source="mem")
    clf = Keywords(fragile="brother", originals=set(texts))
    res = CounterfactualProbe(CounterfactualProbe.Config(axes=("gender",), bootstrap=0, min_support=5)).run(
        model(clf), data, ProbeContext(seed=0))
    p = res.predictions
    flipped = np.array(p["predicted"]) != np.array(p["counterfactual_predicted"])
    source = np.array(p["source"])
    for group in set(source):
        assert res.metrics[f"group_flip_rate/gender/{group}"].value == pytest.approx(flipped[source == group].mean())
    gap = res.details["by_group"]["attributes"][0]["gap"]
    assert gap["value"] == pytest.approx(max(flipped[source == g].mean() for g in set(source))
                                         - min(flipped[source == g].mean() for g in set(source)))


@pytest.mark.textattack
def test_attack_groups_equal_the_sidecar_records(attack_env):
    base = template_data()
    groups = ["a" if i % 2 else "b" for i in range(len(base))]
    data = Dataset(ids=base.ids, texts=base.texts, labels=base.labels, source="templates",
                   attributes={"half": groups})
    from audit.probes.attack import AttackProbe

    result = AttackProbe.from_mapping({"recipes": ["deepwordbug"], "examples": 30, "workers": 4,
                                       "group_min_support": 3}).run(cached(KeywordModel()), data, ProbeContext(seed=0))
    group_of = dict(zip(data.ids, groups))
    records = [r for r in records_of(result) if r["outcome"] in ("success", "failed")]
    for g in ("a", "b"):
        mine = [r for r in records if group_of[r["id"]] == g]
        wins = [r for r in mine if r["outcome"] == "success"]
        m = result.metrics
        assert m[f"group_success_rate/half/{g}"].value == pytest.approx(len(wins) / len(mine))
        if wins:
            assert m[f"group_queries_per_success/half/{g}"].value == pytest.approx(
                np.mean([r["queries"] for r in wins]))
    assert "max_robustness_gap" in result.metrics and result.details["by_group"]["gap_measure"] == "success_rate"


def test_equal_rates_name_two_different_groups():
    from audit.probes.fairness.by_group.gap import gap

    got = gap({"a": 0.0, "b": 0.0, "c": 0.0}, {g: (0.0, 30.0) for g in "abc"}, 0.95, True)
    assert got["value"] == 0.0 and got["highest"] != got["lowest"] and got["p_value"] == 1.0
