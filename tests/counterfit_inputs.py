"""Tiny inputs for counter-fitting (imported by tests; holds no tests): GloVe-style vectors in which
the sentiment words of tiny_bert form one cluster, as "good" and "bad" do in GloVe, and constraint
files that call words of one polarity synonyms and words of opposite polarity antonyms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tiny_bert import NEGATIVE, POSITIVE

NEUTRAL = ["movie", "film", "plot", "story", "the", "was", "thought", "really"]


def write_glove(path: Path) -> str:
    rng = np.random.default_rng(0)
    centre = rng.normal(size=8)
    rows = [f"{w} " + " ".join(f"{v:.5f}" for v in centre + 0.7 * rng.normal(size=8)) for w in POSITIVE + NEGATIVE]
    rows += [f"{w} " + " ".join(f"{v:.5f}" for v in rng.normal(size=8)) for w in NEUTRAL]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def write_constraints(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    same = [(a, b) for words in (POSITIVE, NEGATIVE) for a, b in zip(words, words[1:])]
    opposite = [(p, n) for p in POSITIVE for n in NEGATIVE]
    (folder / "ppdb_synonyms.txt").write_text("".join(f"{a} {b}\n" for a, b in same), encoding="utf-8")
    (folder / "ppdb_antonyms.txt").write_text("".join(f"{a} {b} \n" for a, b in opposite[::2]), encoding="utf-8")
    (folder / "wordnet_antonyms.txt").write_text("".join(f"{a} {b}\n" for a, b in opposite[1::2]), encoding="utf-8")
    return folder
