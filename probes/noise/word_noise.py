"""Word noise: drops, repeats, local shuffles and synonym swaps.

Each perturbation touches at most ``ceil(severity * n_words)`` words, where a word is a
whitespace-separated token; whitespace between untouched words is kept as it was.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from audit.probes.noise.common import budget, choose, pick, swap_words, tokens, word_slots


def word_drop(text: str, rng: np.random.Generator, severity: float) -> str:
    """Deletes ``ceil(s * n_words)`` words (with the whitespace before them), always keeping one."""
    toks = tokens(text)
    slots = word_slots(toks)
    k = min(budget(len(slots), severity), len(slots) - 1)
    if k <= 0:
        return text
    for j in pick(rng, len(slots), k):
        i = slots[j]
        toks[i] = ""
        if i > 0:
            toks[i - 1] = ""
        elif i + 1 < len(toks):
            toks[i + 1] = ""
    return "".join(toks)


def word_repeat(text: str, rng: np.random.Generator, severity: float) -> str:
    """Stutters: ``ceil(s * n_words)`` words are written twice ("the the")."""
    toks = tokens(text)
    slots = word_slots(toks)
    k = budget(len(slots), severity)
    for j in pick(rng, len(slots), k):
        i = slots[j]
        toks[i] = f"{toks[i]} {toks[i]}"
    return "".join(toks) if k else text


def word_shuffle(text: str, rng: np.random.Generator, severity: float) -> str:
    """Local shuffle: the words inside one window of ``ceil(s * n_words)`` consecutive words are
    reordered (at least two words are needed, so tiny budgets leave the text as it is)."""
    toks = tokens(text)
    slots = word_slots(toks)
    w = budget(len(slots), severity)
    if w < 2:
        return text
    start = int(rng.integers(0, len(slots) - w + 1))
    window = slots[start : start + w]
    words = [toks[i] for i in window]
    order = rng.permutation(w).tolist()
    if [words[o] for o in order] == words:  # drew the identity (or equal words): rotate instead
        order = order[1:] + order[:1]
    for i, o in zip(window, order):
        toks[i] = words[o]
    return "".join(toks)


def synonym_swap(synonyms: Mapping[str, tuple[str, ...]]) -> Callable[[str, np.random.Generator, float], str]:
    """``perturb`` swapping words for synonyms from ``synonyms`` (lower-case word -> options)."""

    def synonym(text: str, rng: np.random.Generator, severity: float) -> str:
        """Synonym swap: ``ceil(s * n_words)`` of the words that have an entry in the synonym
        source are replaced by one of their synonyms (case and surrounding punctuation kept)."""
        def replacement(word: str):
            options = synonyms.get(word)
            return (lambda: choose(rng, options)) if options else None

        return swap_words(text, rng, severity, replacement)

    return synonym
