"""Sentence-pair pieces shared by tests (holds no tests): a word-overlap NLI classifier that reads
both texts, and a small inference dataset it mostly gets right.

The classifier is the overlap rule of tests/overlap_nli.py as a class: the share of the
hypothesis's words found in the premise decides, so character edits that break a shared word
lower it, and a changed side shows in the prediction. It also logs every pair it is asked about.
"""

from __future__ import annotations

import numpy as np

from audit.core.dataset import Dataset

NLI = ["contradiction", "entailment", "neutral"]
PREMISES = ["a man is playing a guitar on stage", "two dogs run through the snow in the park",
            "the old woman reads a long book by the window", "kids play football outside after school",
            "a chef cooks pasta in a busy kitchen", "the band plays loud music at the festival",
            "a girl rides her red bike down the hill", "workers build a new bridge over the river"]
UNRELATED = ["nobody is awake", "cats sleep indoors", "it rains heavily", "the shop closed early"]


class OverlapNLI:
    """P(entailment) grows with the share of the hypothesis's words found in the premise."""

    labels = NLI

    def __init__(self, neutral: float = 0.5, name: str = "overlap") -> None:
        self.neutral = neutral
        self.fingerprint = f"sha256:{name}-{neutral}"
        self.seen: list[tuple[str, str]] = []

    def predict_proba(self, pairs):
        out = []
        for pair in pairs:
            assert isinstance(pair, tuple), f"a pair model was given {pair!r}"
            self.seen.append(pair)
            a, b = pair
            wa, wb = set(a.lower().split()), set(b.lower().split())
            share = len(wa & wb) / max(1, len(wb))
            scores = np.array([1.0 - share, share, self.neutral]) + 1e-3
            out.append(scores / scores.sum())
        return np.array(out)


def nli_pairs() -> Dataset:
    """24 premise / hypothesis pairs: hypotheses made of premise words (entailment), of other words
    (contradiction), or half and half (neutral)."""
    texts, pairs, labels = [], [], []
    for i, premise in enumerate(PREMISES):
        words = premise.split()
        rows = [(" ".join(words[1:5]), "entailment"), (UNRELATED[i % len(UNRELATED)], "contradiction"),
                (" ".join(words[-2:] + UNRELATED[(i + 1) % len(UNRELATED)].split()[:2]), "neutral")]
        for hypothesis, label in rows:
            texts.append(premise)
            pairs.append(hypothesis)
            labels.append(label)
    return Dataset(ids=[f"p{i}" for i in range(len(texts))], texts=texts, labels=labels, source="nli-pairs",
                   text_pairs=pairs)
