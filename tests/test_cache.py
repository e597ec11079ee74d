"""The prediction cache sends each unique text to a model once and keeps row order."""

from __future__ import annotations

import numpy as np
import pytest

from audit.cache import PredictionCache
from audit.core.errors import AuditError
from audit.models.base import LoadedModel


class CountingModel:
    labels = ["neg", "pos"]
    fingerprint = "sha256:test"

    def __init__(self):
        self.seen: list[list[str]] = []

    def predict_proba(self, texts):
        self.seen.append(list(texts))
        p = np.array([min(len(t), 10) / 10 for t in texts])
        return np.stack([1 - p, p], axis=1)


def test_each_unique_text_predicted_once_in_order():
    inner = CountingModel()
    cached = PredictionCache().wrap(LoadedModel("m", "x", "callable", inner))
    first = cached.predict_proba(["aa", "b", "aa", "cccc"])
    again = cached.predict_proba(["cccc", "b", "new"])
    assert inner.seen == [["aa", "b", "cccc"], ["new"]]
    np.testing.assert_allclose(first[:, 1], [0.2, 0.1, 0.2, 0.4])
    np.testing.assert_allclose(again[:, 1], [0.4, 0.1, 0.3])
    assert cached.stats.as_dict() == {"model_calls": 2, "texts_predicted": 4, "texts_requested": 7, "cache_hits": 3}


def test_chunks_bound_each_call_and_report_progress():
    inner = CountingModel()
    cached = PredictionCache().wrap(LoadedModel("m", "x", "callable", inner))
    cached.chunk_size = 2
    done = []
    cached.predict_proba([f"t{i}" for i in range(5)], progress=done.append)
    assert [len(c) for c in inner.seen] == [2, 2, 1]
    assert done == [2, 2, 1]


def test_bad_model_output_is_a_clear_error():
    class Logits(CountingModel):
        def predict_proba(self, texts):
            return np.full((len(texts), 2), 3.0)

    cached = PredictionCache().wrap(LoadedModel("bad", "x", "callable", Logits()))
    with pytest.raises(AuditError, match="do not sum to 1"):
        cached.predict_proba(["a"])

    class WrongShape(CountingModel):
        def predict_proba(self, texts):
            return np.ones((len(texts), 3)) / 3

    cached = PredictionCache().wrap(LoadedModel("bad2", "x", "callable", WrongShape()))
    with pytest.raises(AuditError, match=r"shape \(1, 3\)"):
        cached.predict_proba(["a"])


def test_empty_request():
    cached = PredictionCache().wrap(LoadedModel("m", "x", "callable", CountingModel()))
    assert cached.predict_proba([]).shape == (0, 2)
