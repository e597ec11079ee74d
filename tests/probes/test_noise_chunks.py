"""The `noise` probe in chunks of examples: results equal the single-chunk run exactly (metrics, details,
examples, the by-group breakdown, sentence pairs), each distinct input reaches the model once and no call
is larger than a chunk, the memo shared by models holds no text, and a model whose perturbed texts came
out otherwise than the first model's is warned."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest
from pair_fixtures import OverlapNLI, nli_pairs

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.demo.corpus import generate
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.noise import NoiseProbe, catalog
from audit.probes.noise.chunks import spans

CFG = NoiseProbe.Config(perturbations=("typo", "word_drop", "synonym", "contraction", "upper"),
                        severities=(0.1, 0.3), bootstrap=200, max_examples=40, group_min_support=5)


class Keywords:
    """Sentiment from a few words, with a text-dependent jitter so near-ties flip under noise."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:keywords"

    def __init__(self):
        self.calls: list[list] = []

    def predict_proba(self, texts):
        self.calls.append(list(texts))
        pos, neg = {"wonderful", "moving", "brilliant", "charming", "superb"}, {"dull", "boring", "awful", "weak"}
        rows = []
        for t in texts:
            words = [w.strip(".,;:!?").lower() for w in t.split()]
            score = sum(w in pos for w in words) - sum(w in neg for w in words) - ("not" in words)
            p = 1 / (1 + np.exp(-(score + (zlib.crc32(t.encode()) % 1000) / 500 - 1)))
            rows.append([1 - p, p])
        return np.array(rows)


@pytest.fixture(scope="module")
def reviews() -> Dataset:
    rows = generate(90, seed=4, skewed=True)
    return Dataset([r["id"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], "generated",
                   attributes={"gender": [r["gender"] for r in rows], "religion": [r["religion"] for r in rows]})


def run(data, model, chunk_texts: int | None = None, cfg=CFG, probe=None, seed: int = 2):
    probe = probe or NoiseProbe(cfg)
    if chunk_texts is not None:
        probe.chunk_texts = chunk_texts
    cached = PredictionCache().wrap(LoadedModel(model.__class__.__name__, "x", "callable", model))
    res = probe.run(cached, data, ProbeContext(seed=seed)).as_dict()
    seconds = res["details"].pop("perturb_seconds")
    assert seconds >= 0
    return res, cached


def test_spans_cover_every_example_once():
    assert spans(0, 63) == [(0, 0)]
    assert spans(10, 3, chunk_texts=9) == [(0, 3), (3, 6), (6, 9), (9, 10)]
    assert spans(5, 63, chunk_texts=10) == [(i, i + 1) for i in range(5)]  # at least one example a chunk
    assert spans(7, 2) == [(0, 7)]


@pytest.mark.parametrize("chunk_texts", [1, 7 * 10 + 3, 31 * 10])  # 10 cells: 1, 7 and 31 examples a chunk
def test_chunked_results_equal_the_single_chunk_run(reviews, chunk_texts):
    whole, whole_cache = run(reviews, Keywords())
    assert len(spans(len(reviews), 10, NoiseProbe.chunk_texts)) == 1
    chunked, chunked_cache = run(reviews, Keywords(), chunk_texts)
    assert len(spans(len(reviews), 10, chunk_texts)) > 1
    assert chunked == whole  # metrics, every detail (by group too) and the examples, exactly
    assert whole["details"]["by_group"] and whole["metrics"]["max_robustness_gap"]["value"] is not None
    assert len(whole["examples"]) > 10
    for key in ("texts_predicted", "texts_requested"):
        assert getattr(chunked_cache.stats, key) == getattr(whole_cache.stats, key)


def test_chunked_pairs_equal_the_single_chunk_run():
    pairs = nli_pairs()
    cfg = NoiseProbe.Config(perturbations=("typo", "word_drop"), severities=(0.2, 0.5), bootstrap=100,
                            max_examples=24)
    whole, _ = run(pairs, OverlapNLI(), cfg=cfg)
    chunked, _ = run(pairs, OverlapNLI(), chunk_texts=5 * 12, cfg=cfg)  # 12 cells: five examples a chunk
    assert chunked == whole and {e["side"] for e in whole["examples"]} == {"first", "second", "both"}


def test_examples_show_the_texts_the_whole_dataset_gets(reviews):
    res, _ = run(reviews, Keywords(), chunk_texts=1)
    ps = NoiseProbe(CFG).perturbed(reviews, 2)
    cells = [f"{name}@{s:g}" for name, s in ps.cells]
    row = {i: j for j, i in enumerate(reviews.ids)}
    for ex in res["examples"]:
        c = cells.index(f"{ex['perturbation']}@{ex['severity']:g}")
        assert ex["perturbed"] == ps.texts[c][row[ex["id"]]] != ex["text"]


def test_each_distinct_input_is_predicted_once_in_calls_no_larger_than_a_chunk(reviews):
    model = Keywords()
    cached = PredictionCache().wrap(LoadedModel("kw", "x", "callable", model))
    cached.predict_proba(reviews.texts)  # the clean pass, as the metrics probe makes it
    probe = NoiseProbe(CFG)
    probe.chunk_texts = 25 * 10  # 10 cells: 25 examples (250 inputs) a chunk, 4 chunks
    res = probe.run(cached, reviews, ProbeContext(seed=2))
    noise_calls = model.calls[1:]
    sent = [x for call in noise_calls for x in call]
    ps = probe.perturbed(reviews, 2)
    assert len(sent) == len(set(sent)) == len(set(ps.flat()) - set(reviews.texts))  # once each, none known
    assert len(noise_calls) == 4 and all(len(call) <= 250 for call in noise_calls)  # one request a chunk
    assert cached.stats.texts_requested == 2 * len(reviews) + res.details["texts_scored"]  # clean twice: cache hits
    assert res.details["unique_texts"] == len(set(ps.flat()))


def test_the_memo_holds_no_text_and_later_models_say_they_reused_it(reviews):
    probe = NoiseProbe(CFG)
    first, _ = run(reviews, Keywords(), probe=probe)
    (key, survey) = probe._memo
    assert key == (reviews.fingerprint, 2)
    assert {type(v) for v in vars(survey).values()} <= {np.ndarray, int}
    assert survey.applied.dtype == bool and survey.applied.shape == (10, len(reviews))
    second, _ = run(reviews, Keywords(), probe=probe)
    assert not first["details"]["perturbations_reused"] and second["details"]["perturbations_reused"]
    second["details"]["perturbations_reused"] = False
    assert second == first and "warnings" not in first["details"]


def test_a_perturbation_that_ignores_its_generator_warns_the_next_model(reviews, monkeypatch):
    other = random.Random(7)

    def restless(text, rng, severity):
        return text + "!" if other.random() < 0.5 else text  # draws from another generator than its rng

    table = {"restless": catalog.Perturbation("restless", "surface", "texts", restless)}
    monkeypatch.setattr(NoiseProbe, "perturbations", lambda self: table)
    cfg = NoiseProbe.Config(perturbations=("typo",), severities=(0.5,), bootstrap=0)
    probe = NoiseProbe(cfg)
    first, _ = run(reviews, Keywords(), probe=probe)
    second, _ = run(reviews, Keywords(), probe=probe)
    assert "warnings" not in first["details"]
    assert len(second["details"]["warnings"]) == 1
    assert "restless@0.5" in second["details"]["warnings"][0] and "same texts" in second["details"]["warnings"][0]
