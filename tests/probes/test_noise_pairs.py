"""The `noise` probe on sentence pairs: noise on one side leaves the other text as it was, every
pair metric equals an independent computation from the perturbed pairs and direct model calls,
each text's noise comes from its own stream, the `sides` key, flips that show both texts, a
tiny pair BERT, and real MRPC pairs with a word-overlap model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import metrics as skm

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.core.seeding import rng_for
from audit.models.callable_model import load_callable
from audit.probes.base import ProbeContext
from audit.probes.noise import NoiseProbe, catalog
from audit.probes.noise.apply import perturb_dataset
from audit.probes.noise.lexicon import load_synonyms
from audit.probes.noise.sides import BAD_SIDES, SIDES


PREMISES = ["a man is playing a guitar on stage", "two dogs run through the deep snow", "a woman reads a long book",
            "kids play football outside in the park", "the market is crowded with people buying fruit",
            "an old man sleeps on a bench", "a chef cooks pasta in a busy kitchen", "three girls sing a song"]
HYPOTHESES = ["a man plays a guitar", "the animals are asleep", "a woman reads a book", "children are outside",
              "the market is empty", "a man is sleeping on a bench", "someone is cooking", "the girls are silent"]
GOLD = ["entailment", "contradiction", "entailment", "neutral", "contradiction", "entailment", "neutral",
        "contradiction"]
CFG = NoiseProbe.Config(perturbations=("typo", "word_drop", "synonym"), severities=(0.2, 0.5), bootstrap=100,
                        max_examples=6)


@pytest.fixture()
def module():
    """tests/overlap_nli.py, its call log emptied for each test."""
    import overlap_nli

    overlap_nli.SEEN.clear()
    yield overlap_nli
    overlap_nli.SEEN.clear()


@pytest.fixture()
def model(module):
    return load_callable("overlap_nli:predict", name="overlap", labels=None)


def seen(model) -> list:
    """Every call the callable got (its module records them)."""
    return model.classifier.fn.__globals__["SEEN"]


@pytest.fixture(scope="module")
def pairs() -> Dataset:
    n = 3 * len(PREMISES)  # each pair three times under its own id: different noise per id
    return Dataset(ids=[f"p{i}" for i in range(n)], texts=PREMISES * 3, labels=GOLD * 3, source="mem",
                   text_pairs=HYPOTHESES * 3)


def noisy(name: str, s: float, text: str, example_id: str, seed: int, *stream: str) -> str:
    """One text perturbed as the probe promises: its own stream, blank output undone."""
    p = catalog.build((name,), load_synonyms())[name]
    out = p(text, rng_for(seed, "noise", name, f"{s:g}", example_id, *stream), s)
    return out if out.strip() else text


def test_noise_on_one_side_leaves_the_other_text_as_it_was(model, pairs):
    for side, kept, changed in (("second", 0, 1), ("first", 1, 0)):
        seen(model).clear()
        cfg = NoiseProbe.Config(perturbations=CFG.perturbations, severities=CFG.severities, sides=side, bootstrap=0)
        res = NoiseProbe(cfg).run(PredictionCache().wrap(model), pairs, ProbeContext(seed=5))
        clean = [pairs.texts, pairs.text_pairs][kept]
        calls = [x for call in seen(model) for x in call]
        assert all(isinstance(x, tuple) and len(x) == 2 for x in calls)
        assert {x[kept] for x in calls} == set(clean)  # the kept side only ever shows its clean texts
        assert len({x[changed] for x in calls}) > len(set(clean))  # the other side really got noise
        assert res.details["sides"] == [side] and all(c["side"] == side for c in res.details["cells"])
        assert set(res.metrics) >= {f"worst_accuracy/{side}", f"accuracy/{side}/typo@0.2"}
    ps = perturb_dataset(catalog.build(CFG.perturbations, load_synonyms()), CFG.severities, pairs.ids, pairs.texts,
                         seed=5, text_pairs=pairs.text_pairs)
    assert ps.sides == list(SIDES) * len(CFG.perturbations) * len(CFG.severities)
    for c in range(0, len(ps.cells), 3):  # first, second, both of one cell
        assert ps.cells[c] == ps.cells[c + 1] == ps.cells[c + 2]
        assert ps.pairs[c] == pairs.text_pairs and ps.texts[c + 1] == pairs.texts  # one side at a time
        assert ps.texts[c + 2] == ps.texts[c] and ps.pairs[c + 2] == ps.pairs[c + 1]  # both: each side's own noise


def test_pair_metrics_equal_an_independent_computation(model, pairs):
    seed = 3
    res = NoiseProbe(CFG).run(PredictionCache().wrap(model), pairs, ProbeContext(seed=seed))
    fn, labels, m = model.classifier.fn, model.labels, res.metrics
    gold = np.array([labels.index(y) for y in pairs.labels])
    clean = fn(list(zip(pairs.texts, pairs.text_pairs)))
    clean_pred = clean.argmax(1)
    rows = np.arange(len(gold))
    accs: dict[str, list[float]] = {side: [] for side in SIDES}
    flips: dict[str, list[float]] = {side: [] for side in SIDES}
    for name in CFG.perturbations:
        for s in CFG.severities:
            first = [noisy(name, s, t, i, seed) for i, t in zip(pairs.ids, pairs.texts)]
            second = [noisy(name, s, t, i, seed, "text_pair") for i, t in zip(pairs.ids, pairs.text_pairs)]
            for side, a, b in (("first", first, pairs.text_pairs), ("second", pairs.texts, second),
                               ("both", first, second)):
                proba = fn(list(zip(a, b)))
                pred, key = proba.argmax(1), f"{side}/{name}@{s:g}"
                accs[side].append(skm.accuracy_score(gold, pred))
                flips[side].append(float(np.mean(pred != clean_pred)))
                assert m[f"accuracy/{key}"].value == pytest.approx(accs[side][-1])
                assert m[f"flip_rate/{key}"].value == pytest.approx(flips[side][-1])
                assert m[f"accuracy_drop/{key}"].value == pytest.approx(skm.accuracy_score(gold, clean_pred) - accs[side][-1])
                assert m[f"confidence_drop/{key}"].value == pytest.approx(
                    np.mean(clean[rows, clean_pred] - proba[rows, clean_pred]))
                changed = [x != pairs.texts[j] or y != pairs.text_pairs[j] for j, (x, y) in enumerate(zip(a, b))]
                assert m[f"applied_rate/{key}"].value == pytest.approx(np.mean(changed))
                assert f"accuracy/{name}@{s:g}" not in m  # pair cells always name their side
    assert m["clean_accuracy"].value == pytest.approx(skm.accuracy_score(gold, clean_pred))
    for side in SIDES:
        assert m[f"worst_accuracy/{side}"].value == pytest.approx(min(accs[side]))
        assert m[f"max_accuracy_drop/{side}"].value == pytest.approx(m["clean_accuracy"].value - min(accs[side]))
        assert m[f"mean_flip_rate/{side}"].value == pytest.approx(np.mean(flips[side]))
        lo, hi = m[f"worst_accuracy/{side}"].ci
        assert lo <= m[f"worst_accuracy/{side}"].value <= hi
    everything = [a for side in SIDES for a in accs[side]]
    assert m["worst_accuracy"].value == pytest.approx(min(everything))
    assert m["mean_flip_rate"].value == pytest.approx(np.mean([f for side in SIDES for f in flips[side]]))
    assert res.details["worst"]["side"] in SIDES and res.details["worst"]["accuracy"] == pytest.approx(min(everything))


def test_flips_show_both_texts_and_the_side(model, pairs):
    res = NoiseProbe(CFG).run(PredictionCache().wrap(model), pairs, ProbeContext(seed=3))
    assert 0 < len(res.examples) <= CFG.max_examples
    fn = model.classifier.fn
    for ex in res.examples:
        j = pairs.ids.index(ex["id"])
        assert (ex["text"], ex["text_pair"]) == (pairs.texts[j], pairs.text_pairs[j])
        assert (ex["perturbed"] != ex["text"]) == (ex["side"] != "second")  # only the side's text changed
        assert (ex["perturbed_pair"] != ex["text_pair"]) == (ex["side"] != "first")
        after = fn([(ex["perturbed"], ex["perturbed_pair"])])[0]
        assert model.labels[int(after.argmax())] == ex["predicted"] != ex["clean_predicted"]
    assert json.dumps(res.as_dict())


def test_each_text_has_its_own_stream(pairs):
    table = catalog.build(("typo", "word_drop"), {})
    ps = perturb_dataset(table, (0.3,), pairs.ids, pairs.texts, seed=1, text_pairs=pairs.text_pairs)
    single = perturb_dataset(table, (0.3,), pairs.ids, pairs.texts, seed=1)
    other_second = perturb_dataset(table, (0.3,), pairs.ids, pairs.texts, seed=1,
                                   text_pairs=[t.upper() for t in pairs.text_pairs])
    other_first = perturb_dataset(table, (0.3,), pairs.ids, [t + " again" for t in pairs.texts], seed=1,
                                  text_pairs=pairs.text_pairs)
    firsts = [c for c, side in enumerate(ps.sides) if side == "first"]
    seconds = [c for c, side in enumerate(ps.sides) if side == "second"]
    # the first text's noise is what the same text gets alone, whatever its second text
    assert [ps.texts[c] for c in firsts] == single.texts == [other_second.texts[c] for c in firsts]
    # the second text's noise does not depend on the first text
    assert [ps.pairs[c] for c in seconds] == [other_first.pairs[c] for c in seconds]
    # nor on which other examples ran, or in what order
    order = [7, 2, 19]
    part = perturb_dataset(table, (0.3,), [pairs.ids[i] for i in order], [pairs.texts[i] for i in order], seed=1,
                           text_pairs=[pairs.text_pairs[i] for i in order], sides=("second",))
    assert [part.pairs[k] for k in range(2)] == [[ps.pairs[c][i] for i in order] for c in seconds]
    # the second text does not copy the first text's draws: the same sentence on both sides differs
    same = perturb_dataset(table, (0.3,), pairs.ids, pairs.texts, seed=1, text_pairs=pairs.texts, sides=("both",))
    assert any(a != b for a, b in zip(same.texts[0], same.pairs[0]))


@pytest.mark.parametrize("value", ["thrid", "Both", ""])
def test_a_bad_sides_value_is_a_one_line_error(value):
    with pytest.raises(AuditError) as err:
        NoiseProbe.from_mapping({"sides": value})
    assert str(err.value) == BAD_SIDES.format(value=value) and "\n" not in str(err.value)


@pytest.mark.parametrize("value", [["first", "second"], None, 2])
def test_a_sides_value_of_another_type_is_refused(value):
    with pytest.raises(AuditError) as err:
        NoiseProbe.from_mapping({"sides": value})
    assert "key 'sides' must be a string" in str(err.value) and "\n" not in str(err.value)


class Length:
    """A single-text model: the longer the text, the likelier 'entailment'."""

    labels, fingerprint = ["contradiction", "entailment", "neutral"], "sha256:length"

    def predict_proba(self, texts):
        p = np.array([min(len(t.split()), 12) / 13 for t in texts])
        return np.stack([(1 - p) / 2, p, (1 - p) / 2], axis=1)


def test_single_texts_ignore_sides(pairs):
    """A single-text dataset: sides changes nothing, and no metric, cell or example names a side."""
    from audit.models.base import LoadedModel

    texts = Dataset(ids=list(pairs.ids), texts=list(pairs.texts), labels=list(pairs.labels), source="mem")
    model = LoadedModel("length", "mem", "callable", Length())
    results = [NoiseProbe(NoiseProbe.Config(perturbations=("typo", "word_drop"), severities=(0.2,), sides=side,
                                            bootstrap=50, by_group=False)).run(PredictionCache().wrap(model), texts,
                                                               ProbeContext(seed=0)).as_dict() for side in SIDES]
    for res in results:
        res["details"].pop("perturb_seconds")  # wall time
    assert results[0] == results[1] == results[2] and results[0]["examples"]
    assert sorted(results[0]["metrics"]) == sorted(
        ["clean_accuracy", "worst_accuracy", "max_accuracy_drop", "mean_flip_rate", "max_changed_accuracy_drop",
         "mean_changed_flip_rate"]
        + [f"{m}/{c}" for m in ("accuracy", "accuracy_drop", "flip_rate", "changed_accuracy_drop", "changed_flip_rate",
                                "confidence_drop", "ece", "applied_rate") for c in ("typo@0.2", "word_drop@0.2")])
    assert "sides" not in results[0]["details"] and all("side" not in c for c in results[0]["details"]["cells"])
    assert all(set(e) & {"side", "text_pair", "perturbed_pair"} == set() for e in results[0]["examples"])


def test_tiny_pair_bert(tmp_path, pairs):
    from tiny_bert import build_tiny_bert

    from audit.models.huggingface import load_hf_model

    path = build_tiny_bert(tmp_path / "bert", labels=sorted(set(GOLD)), texts=PREMISES + HYPOTHESES)
    bert = load_hf_model(str(path), name="pair-bert", max_length=24, batch_size=8, device="cpu")
    cached = PredictionCache().wrap(bert)
    cfg = NoiseProbe.Config(perturbations=("typo",), severities=(0.3,), bootstrap=0)
    res = NoiseProbe(cfg).run(cached, pairs, ProbeContext(seed=0))
    assert cached.stats.model_calls == 2  # clean pairs, then every perturbed pair in one request
    direct = bert.classifier.predict_proba
    for side in SIDES:
        ps = NoiseProbe(cfg).perturbed(pairs, 0)
        c = ps.sides.index(side)
        pred = direct(ps.inputs(c)).argmax(1)
        gold = [bert.labels.index(y) for y in pairs.labels]
        assert res.metrics[f"accuracy/{side}/typo@0.3"].value == pytest.approx(skm.accuracy_score(gold, pred))


def test_real_mrpc_pairs_with_a_word_overlap_model(shared_data, module):
    from audit.data_loader import DataConfig, load_dataset

    data = load_dataset(DataConfig(str(shared_data / "pairs" / "mrpc" / "dev.tsv")))
    assert data.is_pair and len(data) == 398
    model = load_callable("overlap_nli:paraphrase", name="overlap", labels=None)
    cached = PredictionCache().wrap(model)
    cfg = NoiseProbe.Config(perturbations=("typo", "word_drop"), severities=(0.1, 0.3), bootstrap=200)
    res = NoiseProbe(cfg).run(cached, data, ProbeContext(seed=0))
    ps = NoiseProbe(cfg).perturbed(data, 0)
    assert res.details["n"] == 398 and cached.stats.texts_predicted == len(set(data.inputs) | set(ps.flat()))
    assert all(isinstance(x, tuple) for call in seen(model) for x in call)  # the model only ever gets pairs
    fn, m = model.classifier.fn, res.metrics
    gold = np.array([int(y) for y in data.labels])
    clean_pred = fn(data.inputs).argmax(1)
    assert m["clean_accuracy"].value == pytest.approx(skm.accuracy_score(gold, clean_pred)) and m["clean_accuracy"].value > 0.6
    for name, s, side in (("typo", 0.3, "second"), ("word_drop", 0.1, "both")):
        first = [noisy(name, s, t, i, 0) if side != "second" else t for i, t in zip(data.ids, data.texts)]
        second = [noisy(name, s, t, i, 0, "text_pair") for i, t in zip(data.ids, data.text_pairs)]
        pred = fn(list(zip(first, second))).argmax(1)
        key = f"{side}/{name}@{s:g}"
        assert m[f"accuracy/{key}"].value == pytest.approx(skm.accuracy_score(gold, pred))
        assert m[f"flip_rate/{key}"].value == pytest.approx(np.mean(pred != clean_pred))
    # word overlap breaks under typos: the drop is significant on either side
    assert m["accuracy_drop/first/typo@0.3"].ci[0] > 0 and m["accuracy_drop/second/typo@0.3"].ci[0] > 0
    assert all({"text_pair", "perturbed_pair", "side"} <= set(e) for e in res.examples) and len(res.examples) == 20


def test_pair_metric_names_are_listed_and_addressable_by_gates():
    from click.testing import CliRunner

    from audit.cli import main
    from audit.gate.metric_lookup import registry_specs, split_metric

    specs = registry_specs()
    for metric, spec in (("noise.accuracy/second/typo@0.1", "accuracy/{side}/{perturbation}@{severity}"),
                         ("noise.applied_rate/both/word_drop@0.2", "applied_rate/{side}/{perturbation}@{severity}"),
                         ("noise.worst_accuracy/first", "worst_accuracy/{side}"),
                         ("noise.accuracy/typo@0.1", "accuracy/{perturbation}@{severity}"),
                         ("noise.worst_accuracy", "worst_accuracy")):
        found = split_metric(metric, specs)
        assert found is not None and found[0] == "noise" and found[1]["name"] == spec, metric
    listing = CliRunner().invoke(main, ["probes", "noise"]).output
    assert "noise.accuracy/{side}/{perturbation}@{severity}" in listing and "sides: both" in listing
