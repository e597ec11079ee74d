"""One prediction cache per audit, in front of every model.

Keyed by (model fingerprint, text): a text goes through a model once per audit, whichever probes ask
for it. The store keeps a 16-byte digest of each input, not the input, and the probabilities in one
growing array: an audit of 50k texts under noise asks for millions of inputs, and keeping each as a
string (and its row as an array object) would hold them all. The counts of model calls and texts
sent are performance figures and go into the results file. With a journal directory (the runner's
``OUT/work/predictions``) every predicted chunk is also appended to a per-model JSON-lines file as
it finishes, so a run killed in the middle of a long probe (noise on a transformer: minutes) loses
at most one chunk: with ``--resume`` the journal is read back and those texts are not predicted
again. Probabilities round-trip exactly through JSON (float64), so resumed results equal
uninterrupted ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audit.core.dataset import ModelInput
from audit.core.errors import AuditError
from audit.models.base import LoadedModel, check_probabilities

DIGEST_BYTES = 16  # blake2b-128: a collision among billions of inputs is still out of reach


def input_digest(x: ModelInput) -> bytes:
    """A fixed-size name for one model input. A text and a (text, text_pair) tuple are tagged apart and
    a pair's parts length-prefixed, so ``"a b c"``, ``("a b", "c")`` and ``("a", "b c")`` never share one."""
    if isinstance(x, str):
        return hashlib.blake2b(b"s" + x.encode("utf-8", "surrogatepass"), digest_size=DIGEST_BYTES).digest()
    if isinstance(x, tuple) and all(isinstance(part, str) for part in x):
        parts = [part.encode("utf-8", "surrogatepass") for part in x]
        body = b"".join(len(part).to_bytes(8, "little") + part for part in parts)
        return hashlib.blake2b(b"t" + body, digest_size=DIGEST_BYTES).digest()
    raise TypeError(f"A model input is a text or a tuple of texts, not {type(x).__name__}.")


class ProbabilityStore:
    """Probability rows by input digest: one float64 array that grows by doubling, and a dict from
    digest to row, so a stored prediction costs a 16-byte key and a row of floats."""

    def __init__(self) -> None:
        self._row: dict[bytes, int] = {}
        self._proba = np.zeros((0, 0))

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, digest: bytes) -> bool:
        return digest in self._row

    def add(self, digests: list[bytes], proba: np.ndarray) -> None:
        """Store the rows of ``proba`` under ``digests``; a digest already stored keeps its row."""
        first: dict[bytes, int] = {}
        for j, d in enumerate(digests):
            if d not in self._row and d not in first:
                first[d] = j
        if not first:
            return
        proba = np.asarray(proba, dtype=np.float64)
        if not self._row:
            self._proba = np.zeros((0, proba.shape[1]))
        if proba.shape[1] != self._proba.shape[1]:
            raise ValueError(f"Rows of {proba.shape[1]} probabilities do not fit a store of {self._proba.shape[1]}.")
        start, end = len(self._row), len(self._row) + len(first)
        if end > len(self._proba):
            grown = np.zeros((max(end, 2 * len(self._proba), 1024), self._proba.shape[1]))
            grown[:start] = self._proba[:start]
            self._proba = grown
        self._proba[start:end] = proba[list(first.values())]
        self._row.update(zip(first, range(start, end)))

    def take(self, digests: list[bytes]) -> np.ndarray:
        """The stored rows of ``digests``, in order (a copy)."""
        return self._proba[[self._row[d] for d in digests]]


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
    """A :class:`LoadedModel` whose predictions are memoised by text (by its digest).

    ``predict_proba`` de-duplicates its input, sends only the unseen texts to the model in calls
    of ``chunk_size`` (the adapter batches internally) and returns rows in the order asked.
    """

    model: LoadedModel
    chunk_size: int = 1024  # bounds memory, lets progress advance, and is what a kill can lose
    stats: CacheStats = field(default_factory=CacheStats)
    _store: ProbabilityStore = field(default_factory=ProbabilityStore, repr=False)
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

    @property
    def store(self) -> ProbabilityStore:
        """Where its predictions are kept: shared by the models with the same cache key."""
        return self._store

    def predict_proba(self, texts: list[str], progress=None) -> np.ndarray:
        """Probabilities for ``texts`` (n, k); ``progress(n_done)`` is called as chunks finish."""
        texts = list(texts)
        self.stats.texts_requested += len(texts)
        keys = [input_digest(t) for t in texts]
        missing: dict[bytes, str] = {}  # or (text, text_pair) tuples, as the classifier takes them
        for key, text in zip(keys, texts):
            if key not in self._store and key not in missing:
                missing[key] = text
        todo = list(missing.items())
        for start in range(0, len(todo), self.chunk_size):
            part = todo[start : start + self.chunk_size]
            chunk = [text for _, text in part]
            raw = self.model.classifier.predict_proba(chunk)
            proba = check_probabilities(raw, len(chunk), len(self.labels), self.model.id)
            self.stats.model_calls += 1
            self.stats.texts_predicted += len(chunk)
            self._store.add([key for key, _ in part], proba)
            if self._journal is not None:
                self._journal.append(chunk, proba)
            if progress is not None:
                progress(len(chunk))
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self._store.take(keys)


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

    def read(self, store: ProbabilityStore, batch: int = 4096) -> int:
        """Put what an earlier, interrupted run predicted into ``store`` (a line cut short by the kill is
        ignored), line by line so the inputs are never all in memory; returns how many inputs it added."""
        before = len(store)
        keys: list[bytes] = []
        rows: list[list[float]] = []
        with self.path.open(encoding="utf-8") as fh:  # lines end at "\n" only (JSON escapes it in a text)
            for line in fh:
                try:
                    item = json.loads(line)
                    x = tuple(item["x"]) if isinstance(item["x"], list) else item["x"]
                    key, row = input_digest(x), [float(v) for v in item["p"]]
                except (ValueError, KeyError, TypeError):
                    continue
                keys.append(key)
                rows.append(row)
                if len(keys) >= batch:
                    store.add(keys, np.array(rows, dtype=np.float64))
                    keys, rows = [], []
        if keys:
            store.add(keys, np.array(rows, dtype=np.float64))
        return len(store) - before

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
        self._stores: dict[str, ProbabilityStore] = {}
        self._journals: dict[str, Journal] = {}
        self.journal_dir, self.resume = journal_dir, resume
        self.resumed = 0  # predictions read back from an earlier run's journal

    def wrap(self, model: LoadedModel, key: str | None = None) -> CachedModel:
        if model.id not in self._models:
            key = key or model.fingerprint
            store = self._stores.setdefault(key, ProbabilityStore())
            journal = self._journal(key, store)
            self._models[model.id] = CachedModel(model, _store=store, _journal=journal)
        return self._models[model.id]

    def _journal(self, key: str, store: ProbabilityStore) -> Journal | None:
        if self.journal_dir is None or not key:
            return None
        if key not in self._journals:
            name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20] + ".jsonl"
            journal = self._journals[key] = Journal(Path(self.journal_dir) / name, self.resume)
            if self.resume:
                self.resumed += journal.read(store)
        return self._journals[key]

    def stats(self) -> dict[str, dict[str, int]]:
        return {mid: cm.stats.as_dict() for mid, cm in self._models.items()}
