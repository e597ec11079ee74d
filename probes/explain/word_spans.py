"""Words: the unit every explanation is reported and scored in.

A word is a maximal run of non-whitespace characters (``str.split``), so every model kind, the
erasure texts and the noisy versions of a text agree on what the i-th word is. Sub-word
scores are summed into the word holding the token's first non-whitespace character (byte-level
BPE and SentencePiece tokens such as ``Ġwas`` / ``▁was`` start at the space before their word, so
the raw start would miss the word): attributions
are additive (occlusion of a word removes all its pieces at once, integrated gradients'
completeness is a sum over tokens, attention mass to a word is the mass to its pieces), so a
sum keeps a word's total, while a mean would shrink words the tokenizer happens to split.
Special tokens ([CLS], [SEP], padding) carry no word and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\S+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character span of each whitespace-separated word."""
    return [m.span() for m in _WORD.finditer(text)]


def split_words(text: str) -> list[str]:
    return text.split()


def token_to_word(offsets: Sequence[tuple[int, int]], special: Sequence[bool], spans: list[tuple[int, int]],
                  text: str | None = None) -> np.ndarray:
    """For each token, the index of its word, or -1 for special tokens and tokens outside any word.

    With ``text``, a token belongs to the word holding the first non-whitespace character at or
    after its start: its own first letter, or for a whitespace-only token ("Ġ" before "great")
    the word after it, as byte-level and SentencePiece tokenizers attach spaces to the next word.
    """
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e in spans], dtype=np.int64)
    out = np.full(len(offsets), -1, dtype=np.int64)
    for t, ((a, b), sp) in enumerate(zip(offsets, special)):
        if sp or b <= a:
            continue
        if text is not None:  # first non-whitespace character at or after the token's start
            found = _WORD.search(text, a)
            if found is None:
                continue  # trailing whitespace: no word
            a = found.start()
        j = int(np.searchsorted(starts, a, side="right")) - 1
        if j >= 0 and a < ends[j]:
            out[t] = j
    return out


def aggregate(token_scores: np.ndarray, offsets, special, text: str) -> np.ndarray:
    """Per-word sums of per-token scores (words the model never saw, e.g. truncated ones, get 0)."""
    spans = word_spans(text)
    owner = token_to_word(offsets, special, spans, text)
    out = np.zeros(len(spans), dtype=np.float64)
    mask = owner >= 0
    np.add.at(out, owner[mask], np.asarray(token_scores, dtype=np.float64)[mask])
    return out


def without(words: list[str], drop: np.ndarray) -> str:
    """The text of ``words`` with the words at indices ``drop`` removed (single spaces between the rest)."""
    gone = set(int(i) for i in drop)
    return " ".join(w for i, w in enumerate(words) if i not in gone)


def only(words: list[str], keep: np.ndarray) -> str:
    """The text of just the words at indices ``keep``, in their original order."""
    kept = set(int(i) for i in keep)
    return " ".join(w for i, w in enumerate(words) if i in kept)


def n_top(n_words: int, share: float) -> int:
    """Words in the top ``share`` of a text: ceil(share * n), at least 1 (ERASER's top-k%)."""
    return min(n_words, max(1, int(np.ceil(share * n_words - 1e-9))))


def top_order(scores: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Word indices from highest to lowest score.

    Ties are broken by a random draw from ``rng`` (seeded per example by the caller, so results
    stay reproducible): breaking them by position would favour early words, which a method
    giving many words the same score (e.g. 0 beyond a truncation) did not choose.
    Without ``rng``, ties keep the earlier word first.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if rng is None:
        return np.argsort(-scores, kind="stable")
    return np.lexsort((rng.random(len(scores)), -scores))


def visible_prefix(text: str, seen_chars: int | None) -> list[str]:
    """The words of ``text`` the model saw whole: all of them, or those ending by ``seen_chars``
    (the end of the last token kept by truncation)."""
    words = split_words(text)
    if seen_chars is None:
        return words
    return [w for w, (_, end) in zip(words, word_spans(text)) if end <= seen_chars]


# Sentence pairs. An explained input is a text or a (text, text_pair) tuple; its words are
# numbered across both sides (the first text's words, then the second's), so one attribution
# vector covers the pair. Erasing or keeping words acts within each side: a side is rebuilt
# from its own remaining words, never merged with the other, and no separator is ever a word.

def sides(x) -> list[list[str]]:
    """The words of each side: one list for a text, two for a pair."""
    return [split_words(s) for s in x] if isinstance(x, tuple) else [split_words(x)]


def words_of(x) -> list[str]:
    """All words of ``x``, the first text's then the second's."""
    return [w for side in sides(x) for w in side]


def first_count(x) -> int:
    """How many of ``words_of(x)`` belong to the first text (all of them for a single text)."""
    return len(sides(x)[0])


def _rebuild(x, keep) -> str | tuple[str, str]:
    parts, at = [], 0
    for side in sides(x):
        parts.append(" ".join(w for i, w in enumerate(side, start=at) if keep(i)))
        at += len(side)
    return (parts[0], parts[1]) if isinstance(x, tuple) else parts[0]


def joined(x) -> str | tuple[str, str]:
    """``x`` with each side re-joined by single spaces (the format of every erased input)."""
    return _rebuild(x, lambda i: True)


def erase(x, drop: np.ndarray) -> str | tuple[str, str]:
    """``x`` without the words at indices ``drop`` (numbered across sides); for a text, ``without``."""
    gone = set(int(i) for i in drop)
    return _rebuild(x, lambda i: i not in gone)


def keep_only(x, keep: np.ndarray) -> str | tuple[str, str]:
    """``x`` with only the words at indices ``keep`` (each side keeps its own); for a text, ``only``."""
    kept = set(int(i) for i in keep)
    return _rebuild(x, lambda i: i in kept)
