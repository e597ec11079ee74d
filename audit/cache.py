"""One prediction cache per audit, in front of every model.

Keyed by (model fingerprint, text): a text goes through a model once per audit, whichever
probes ask for it. The counts of model calls and texts sent are performance figures and go
into the results file. With a journal directory (the runner's ``OUT/work/predictions``) every
predicted chunk is also appended to a per-model JSON-lines file as it finishes, so a run killed
in the middle of a long probe (noise on a transformer: minutes) loses at most one chunk: with
``--resume`` the journal is read back and those texts are not predicted again. Probabilities
round-trip exactly through JSON (float64), so resumed results equal uninterrupted ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audit.core.errors import AuditError

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
    chunk_size: int = 1024  # bounds memory, lets progress advance, and is what a kill can lose
    stats: CacheStats = field(default_factory=CacheStats)
    _store: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _journal: Journal | None = field(default=None, repr=False)

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
            if self._journal is not None:
                self._journal.append(chunk, proba)
            if progress is not None:
                progress(len(chunk))
        if not texts:
            return np.zeros((0, len(self.labels)))
        return np.stack([self._store[t] for t in texts])


class Journal:
    """Append-only JSON lines of (input, probabilities) for one model identity."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not (resume and path.is_file()):
                path.write_text("", encoding="utf-8")
        except OSError as exc:
            raise AuditError(f"Cannot write prediction checkpoints in {path.parent}: {exc.strerror}; pass another "
                             "--out.") from None

    def read(self) -> dict[Any, np.ndarray]:
        """What an earlier, interrupted run predicted; a line cut short by the kill is ignored."""
        rows: dict[Any, np.ndarray] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
                x = tuple(item["x"]) if isinstance(item["x"], list) else item["x"]
                rows[x] = np.asarray(item["p"], dtype=np.float64)
            except (ValueError, KeyError, TypeError):
                continue
        return rows

    def append(self, inputs: list, proba: np.ndarray) -> None:
        lines = "".join(json.dumps({"x": x, "p": [float(v) for v in row]}, ensure_ascii=False) + "\n"
                        for x, row in zip(inputs, proba))
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()


class PredictionCache:
    """All cached models of one audit, by model id; models with the same ``key`` (fingerprint
    and output-changing settings) share one store, so the same model given twice runs once.
    ``journal_dir``: keep each store's predictions on disk as they are made (see the module
    docstring); with ``resume`` an earlier run's journal is read back first."""

    def __init__(self, journal_dir: Path | None = None, resume: bool = False) -> None:
        self._models: dict[str, CachedModel] = {}
        self._stores: dict[str, dict[str, np.ndarray]] = {}
        self._journals: dict[str, Journal] = {}
        self.journal_dir, self.resume = journal_dir, resume
        self.resumed = 0  # predictions read back from an earlier run's journal

    def wrap(self, model: LoadedModel, key: str | None = None) -> CachedModel:
        if model.id not in self._models:
            key = key or model.fingerprint
            store = self._stores.setdefault(key, {})
            journal = self._journal(key, store)
            self._models[model.id] = CachedModel(model, _store=store, _journal=journal)
        return self._models[model.id]

    def _journal(self, key: str, store: dict) -> Journal | None:
        if self.journal_dir is None or not key:
            return None
        if key not in self._journals:
            name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20] + ".jsonl"
            journal = self._journals[key] = Journal(Path(self.journal_dir) / name, self.resume)
            if self.resume:
                earlier = journal.read()
                self.resumed += len(earlier)
                store.update(earlier)
        return self._journals[key]

    def stats(self) -> dict[str, dict[str, int]]:
        return {mid: cm.stats.as_dict() for mid, cm in self._models.items()}
