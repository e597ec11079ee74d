"""The prediction cache keys its store by a digest of each input, never by the input: texts and sentence
pairs never share a key, rows come back exactly, and a resumed journal fills the same store."""

from __future__ import annotations

import numpy as np
import pytest

from audit.cache import DIGEST_BYTES, PredictionCache, ProbabilityStore, input_digest
from audit.models.base import LoadedModel


class ByInput:
    """Probabilities that differ for every distinct input (a pair hashes its parts separately)."""

    labels = ["neg", "mid", "pos"]
    fingerprint = "sha256:by-input"

    def __init__(self):
        self.seen: list[list] = []

    def predict_proba(self, xs):
        self.seen.append(list(xs))
        rng = [np.random.default_rng(list(repr(x).encode())) for x in xs]
        p = np.array([r.random(3) + 1e-3 for r in rng])
        return p / p.sum(axis=1, keepdims=True)


LOOKALIKES = ["a b c", ("a b", "c"), ("a", "b c"), ("a b c", ""), ("", "a b c"), ("ab", "c"), "ab c", "sa b c",
              ("a b c",), "", ("", "")]


def test_texts_and_pairs_never_share_a_digest():
    digests = [input_digest(x) for x in LOOKALIKES]
    assert len(set(digests)) == len(LOOKALIKES)
    assert all(isinstance(d, bytes) and len(d) == DIGEST_BYTES for d in digests)
    assert input_digest(("a b", "c")) == input_digest(("a b", "c"))  # stable
    with pytest.raises(TypeError, match="text or a tuple of texts"):
        input_digest(["a", "b"])  # type: ignore[arg-type]


def test_lookalike_inputs_are_each_predicted_and_returned_as_their_own_row():
    inner = ByInput()
    cached = PredictionCache().wrap(LoadedModel("m", "x", "callable", inner))
    got = cached.predict_proba(LOOKALIKES + LOOKALIKES[::-1])
    assert inner.seen == [LOOKALIKES]  # each once, in first-seen order
    want = inner.predict_proba(LOOKALIKES)
    assert np.array_equal(got[: len(LOOKALIKES)], want) and np.array_equal(got[len(LOOKALIKES):], want[::-1])
    assert cached.stats.as_dict() == {"model_calls": 1, "texts_predicted": len(LOOKALIKES),
                                      "texts_requested": 2 * len(LOOKALIKES), "cache_hits": len(LOOKALIKES)}


def test_the_store_holds_digests_and_one_array_not_the_texts():
    cached = PredictionCache().wrap(LoadedModel("m", "x", "callable", ByInput()))
    texts = [f"text number {i}" for i in range(3000)]
    cached.chunk_size = 700
    first = cached.predict_proba(texts)
    store = cached._store
    assert len(store) == 3000 and all(type(k) is bytes for k in store._row)  # noqa: E721
    assert all(input_digest(t) in store for t in texts) and "text number 0" not in store._row
    assert np.array_equal(cached.predict_proba(texts[::-1]), first[::-1])  # exact rows after the array grew


def test_store_add_keeps_the_first_row_of_a_digest():
    store = ProbabilityStore()
    a, b = input_digest("a"), input_digest("b")
    store.add([a, b, a], np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]]))
    store.add([b], np.array([[0.5, 0.5]]))
    assert len(store) == 2 and np.array_equal(store.take([b, a]), [[0.2, 0.8], [0.1, 0.9]])
    with pytest.raises(ValueError, match="do not fit"):
        store.add([input_digest("c")], np.array([[0.2, 0.3, 0.5]]))


def test_models_with_one_key_share_a_store():
    cache = PredictionCache()
    one = cache.wrap(LoadedModel("one", "x", "callable", ByInput()), key="same")
    two = cache.wrap(LoadedModel("two", "x", "callable", ByInput()), key="same")
    other = cache.wrap(LoadedModel("three", "x", "callable", ByInput()), key="other")
    one.predict_proba(["a", ("a", "b")])
    assert np.array_equal(two.predict_proba([("a", "b"), "a"]), one.predict_proba([("a", "b"), "a"]))
    other.predict_proba(["a"])
    assert cache.stats() == {
        "one": {"model_calls": 1, "texts_predicted": 2, "texts_requested": 4, "cache_hits": 2},
        "two": {"model_calls": 0, "texts_predicted": 0, "texts_requested": 2, "cache_hits": 2},
        "three": {"model_calls": 1, "texts_predicted": 1, "texts_requested": 1, "cache_hits": 0},
    }


def test_resumed_journal_fills_the_digest_store_exactly(tmp_path):
    inputs = ["plain", "line\u2028separator and next\x85line", ("a b", "c"), "a b c", ("x", "y\nz")]
    first = PredictionCache(journal_dir=tmp_path).wrap(LoadedModel("m", "s", "callable", ByInput()), key="k")
    want = first.predict_proba(inputs)
    again = PredictionCache(journal_dir=tmp_path, resume=True)
    inner = ByInput()
    model = again.wrap(LoadedModel("m", "s", "callable", inner), key="k")
    assert again.resumed == len(inputs) and len(model._store) == len(inputs)
    assert np.array_equal(model.predict_proba(inputs), want) and inner.seen == []
    assert model.stats.as_dict() == {"model_calls": 0, "texts_predicted": 0, "texts_requested": len(inputs),
                                     "cache_hits": len(inputs)}
