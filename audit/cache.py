"""One prediction cache per audit, in front of every model.

Keyed by (model fingerprint, text): a text goes through a model once per audit, whichever
probes ask for it. The counts of model calls and texts sent are performance figures and go
into the results file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audit.models.base import LoadedModel, check_probabilities


@dataclass
class CacheStats:
    model_calls: int = 0  # calls of the underlying predict_proba
    texts_predicted: int = 0  # texts sent to the model (unique per audit)
    texts_requested: int = 0  # texts probes asked for, repeats included

    def as_dict(self) -> dict[str, int]:
        return {
            "model_calls": self.model_calls,
            "texts_predicted": self.texts_predicted,
            "texts_requested": self.texts_requested,
            "cache_hits": self.texts_requested - self.texts_predicted,
        }


@dataclass
class CachedModel:
    """A :class:`LoadedModel` whose predictions are memoised by text.

    ``predict_proba`` de-duplicates its input, sends only the unseen texts to the model in one
    call (the adapter batches internally) and returns rows in the order asked.
    """

    model: LoadedModel
    chunk_size: int = 4096  # bounds memory and lets progress advance on huge requests
    stats: CacheStats = field(default_factory=CacheStats)
    _store: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def labels(self) -> list[str]:
        return self.model.labels

    @property
    def fingerprint(self) -> str:
        return self.model.fingerprint

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def details(self) -> dict:
        return self.model.details

    @property
    def classifier(self):
        return self.model.classifier

    def predict_proba(self, texts: list[str], progress=None) -> np.ndarray:
        """Probabilities for ``texts`` (n, k); ``progress(n_done)`` is called as chunks finish."""
        texts = list(texts)
        self.stats.texts_requested += len(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self._store))
        for start in range(0, len(missing), self.chunk_size):
            chunk = missing[start : start + self.chunk_size]
            raw = self.model.classifier.predict_proba(chunk)
            proba = check_probabilities(raw, len(chunk), len(self.labels), self.model.id)
            self.stats.model_calls += 1
            self.stats.texts_predicted += len(chunk)
            for text, row in zip(chunk, proba):
                self._store[text] = row
            if progress is not None:
                progress(len(chunk))
        if not texts:
            return np.zeros((0, len(self.labels)))
        return np.stack([self._store[t] for t in texts])


class PredictionCache:
    """All cached models of one audit, by model id; models with the same ``key`` (fingerprint
    and output-changing settings) share one store, so the same model given twice runs once."""

    def __init__(self) -> None:
        self._models: dict[str, CachedModel] = {}
        self._stores: dict[str, dict[str, np.ndarray]] = {}

    def wrap(self, model: LoadedModel, key: str | None = None) -> CachedModel:
        if model.id not in self._models:
            store = self._stores.setdefault(key or model.fingerprint, {})
            self._models[model.id] = CachedModel(model, _store=store)
        return self._models[model.id]

    def stats(self) -> dict[str, dict[str, int]]:
        return {mid: cm.stats.as_dict() for mid, cm in self._models.items()}
