"""`bias-auc` inputs: config errors word for word, groups exactly as group-fairness gets them (columns,
inference from identity terms, sentence pairs), not-applicable and no-values reasons."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.demo.corpus import generate
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import BiasAucProbe, GroupFairnessProbe
from audit.probes.fairness.bias_auc.probe import NO_COLUMN
from audit.probes.fairness.group.attributes import BAD_INTERSECTION, EMPTY_COLUMN, MISSING_COLUMN, ONE_GROUP
from audit.probes.fairness.group.probe import NOTHING

Config = BiasAucProbe.Config


class TableModel:
    def __init__(self, labels, table):
        self.labels, self.table, self.fingerprint = labels, table, "sha256:table"

    def predict_proba(self, texts):
        return np.array([self.table[t] if isinstance(t, str) else self.table[t[0]] for t in texts])


def cached(labels, table):
    return PredictionCache().wrap(LoadedModel("m", "mem", "callable", TableModel(labels, table)))


def run(data, model, **cfg):
    return BiasAucProbe(Config(**{"bootstrap": 50, **cfg})).run(model, data, ProbeContext(seed=0))


@pytest.mark.parametrize("raw,message", [
    ({"min_support": 0}, "bias-auc.min_support must be >= 1, got 0."),
    ({"bootstrap": -1}, "bias-auc.bootstrap must be >= 0, got -1."),
    ({"tolerance": 1.5}, "bias-auc.tolerance must be between 0 and 1, got 1.5."),
    ({"confidence": 1.0}, "bias-auc.confidence must be between 0 and 1, got 1.0."),
    ({"bootstrap": "many"}, "probe 'bias-auc' key 'bootstrap' must be a number, not 'many'."),
    ({"tolerence": 0.1}, "Unknown config key(s) 'tolerence' for probe 'bias-auc'. Allowed: attributes, axes, bootstrap, "
                         "confidence, infer_from_text, intersections, min_support, positive_label, terms, tolerance."),
    ({"axes": ["religon"]}, "bias-auc.axes: Unknown axis 'religon'. Did you mean 'religion'? Known: age, disability, "
                            "gender, gender_identity, nationality, race, religion, sexual_orientation."),
])
def test_config_errors_word_for_word(raw, message):
    with pytest.raises(AuditError) as err:
        BiasAucProbe.from_mapping(raw)
    assert str(err.value) == message


@pytest.mark.parametrize("attributes,cfg,message", [
    ({"gender": ["f", "m"] * 5}, {"attributes": ("age",)},
     "bias-auc.attributes names 'age', which is not a sensitive column of the data (given: gender); pass it with "
     "--sensitive age or data.sensitive."),
    ({"gender": [None] * 10}, {}, EMPTY_COLUMN.format(column="gender", source="'mem'")),
    ({"gender": ["f"] * 10}, {}, ONE_GROUP.format(column="gender", source="'mem'", group="f")),
    ({"gender": ["f", "m"] * 5}, {"intersections": ("gender",)},
     "bias-auc.intersections entry 'gender' must join two or more different sensitive columns with '&', e.g. "
     "'gender&religion'."),
])
def test_bad_sensitive_columns_name_this_probe(attributes, cfg, message):
    texts = [f"t{i}" for i in range(10)]
    data = Dataset([str(i) for i in range(10)], texts, ["pos", "neg"] * 5, "mem", attributes=attributes)
    model = cached(["neg", "pos"], {t: [0.5, 0.5] for t in texts})
    with pytest.raises(AuditError) as err:
        run(data, model, **cfg)
    assert str(err.value) == message
    assert message in (MISSING_COLUMN.format(probe="bias-auc", column="age", given="gender"), EMPTY_COLUMN.format(
        column="gender", source="'mem'"), ONE_GROUP.format(column="gender", source="'mem'", group="f"),
        BAD_INTERSECTION.format(probe="bias-auc", entry="gender"))


def test_positive_label_must_be_a_model_label():
    model = cached(["neg", "pos"], {})
    assert BiasAucProbe(Config(positive_label="good")).not_applicable(model) == (
        "bias-auc.positive_label 'good' is not a label of model 'm' (its labels: neg, pos); set it to one of them.")
    assert BiasAucProbe(Config(positive_label="neg")).not_applicable(model) is None


def test_groups_inferred_from_identity_terms_as_group_fairness_infers_them():
    rows = generate(300, seed=3, skewed=False)
    texts = [r["text"] for r in rows]
    data = Dataset([r["id"] for r in rows], texts, [r["label"] for r in rows], "mem")
    rng = np.random.default_rng(0)
    table = {t: (lambda p: np.array([1 - p, p]))(rng.random()) for t in texts}
    model = cached(["negative", "positive"], table)
    res = run(data, model, min_support=5)
    gf = GroupFairnessProbe(GroupFairnessProbe.Config(bootstrap=0, min_support=5)).run(model, data, ProbeContext(seed=0))
    assert res.details["inferred"] and res.details["inference"] == gf.details["inference"]
    assert [(e["name"], [(g["group"], g["support"]) for g in e["groups"]]) for e in res.details["attributes"]] == [
        (e["name"], [(g["group"], g["support"]) for g in e["groups"]]) for e in gf.details["attributes"]]
    plain = Dataset(["0", "1"], ["a fine film", "a dull film"], ["positive", "negative"], "mem")
    model = cached(["negative", "positive"], {"a fine film": [0.2, 0.8], "a dull film": [0.9, 0.1]})
    out = run(plain, model)
    assert (out.status, out.reason) == ("not_applicable", NOTHING)
    assert run(data, model, infer_from_text=False).reason == NO_COLUMN == (
        "The data has no sensitive column; give one with --sensitive, or set bias-auc.infer_from_text: true.")


def test_sentence_pairs_take_groups_from_both_texts_and_give_the_model_the_pair():
    premises = ["The film was long.", "A quiet story.", "It ends well."] * 40
    hypotheses = ["She liked it.", "He liked it.", "They left."] * 40
    labels = ["positive", "negative"] * 60
    data = Dataset([str(i) for i in range(120)], premises, labels, "mem", text_pairs=hypotheses)
    seen = []

    class PairModel(TableModel):
        def predict_proba(self, texts):
            seen.extend(texts)
            return np.array([[0.3, 0.7] if "She" in t[1] else [0.6, 0.4] for t in texts])

    model = PredictionCache().wrap(LoadedModel("m", "mem", "callable", PairModel(["negative", "positive"], {})))
    res = run(data, model, min_support=5)
    assert res.status == "ok" and isinstance(seen[0], tuple)  # the model got (text, text_pair)
    gender = next(e for e in res.details["attributes"] if e["name"] == "gender")
    assert {g["group"]: g["support"] for g in gender["groups"]} == {"female": 40, "male": 40}
    assert "Sentence pairs" in res.details["inference"]["note"]
    assert res.examples and "text_pair" in res.examples[0]


def test_no_values_when_every_group_is_small_or_the_data_has_one_class():
    texts = [f"t{i}" for i in range(40)]
    data = Dataset([str(i) for i in range(40)], texts, ["pos", "neg"] * 20, "mem",
                   attributes={"gender": ["f", "f", "m", "m"] * 10})
    model = cached(["neg", "pos"], {t: [0.4 + 0.01 * i, 0.6 - 0.01 * i] for i, t in enumerate(texts)})
    small = run(data, model)  # 20 per group < 30
    assert small.status == "no_values" and small.reason == (
        "no group has at least min_support=30 examples (largest group 20); lower min_support or audit more examples")
    assert small.metrics["subgroup_auc/gender/f"].value is not None  # shown, though not summarised
    one_class = Dataset(data.ids, texts, ["pos"] * 40, "mem", attributes={"gender": ["f", "m"] * 20})
    res = run(one_class, model, min_support=5)
    assert res.status == "no_values" and res.reason == (
        "every scored class's AUC is undefined: the data's labels hold no positive or no negative example of it; "
        "audit data with both")
    reason = res.details["attributes"][0]["groups"][0]["classes"]["pos"]["bnsp"]["reason"]
    assert reason == "undefined: no example outside the group is negative (positive: labelled 'pos')"
    assert json.dumps(res.as_dict())  # serialisable, None where undefined
