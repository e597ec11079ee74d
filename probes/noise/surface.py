"""Surface noise: casing, punctuation, whitespace and social-media clutter.

Casing never changes a letter other than its case (characters whose other case is longer,
like "ß" -> "SS", are left alone), and whitespace noise never changes a non-space character.
"""

from __future__ import annotations

import string
from typing import Callable

import numpy as np

from audit.probes.noise.common import budget, choose, pick, split_core, tokens, word_slots

PUNCTUATION = frozenset(string.punctuation + "\u2018\u2019\u201c\u201d\u2026\u2013\u2014")
ADDED_PUNCTUATION = (",", ".", "!", "?", ";", ":", "...", "!!", "-")
WHITESPACE_NOISE = (" ", "\t", "\n")
EMOJI = ("\U0001F602", "\u2764\ufe0f", "\U0001F60D", "\U0001F525", "\U0001F44D", "\U0001F644", "\U0001F62D", "\u2728",
         "\U0001F4AF", "\U0001F914", "\U0001F64F", "\U0001F60A")
MENTIONS = ("@user", "@jess_92", "@filmfan", "@mike", "@the_critic", "@anna.k")
HASHTAGS = ("#movie", "#film", "#review", "#tbt", "#mustwatch", "#nofilter", "#cinema")
_LINK_CHARS = string.ascii_letters + string.digits


def _one(c: str, fn: Callable[[str], str]) -> str:
    out = fn(c)
    return out if len(out) == 1 else c


def _recase(word: str, fn: Callable[[str], str]) -> str:
    """``fn`` applied letter by letter, skipping letters whose other case is longer ("ß")."""
    out = fn(word)
    if len(out) == len(word):  # no letter grew, so each one mapped to exactly one letter
        return out
    return "".join(_one(c, fn) for c in word)


def _title(word: str) -> str:
    pre, core, post = split_core(word)
    return pre + _one(core[:1], str.upper) + _recase(core[1:], str.lower) + post if core else word


def _word_case(name: str, fn: Callable[[str], str]):
    def perturb(text: str, rng: np.random.Generator, severity: float) -> str:
        toks = tokens(text)
        slots = word_slots(toks)
        k = budget(len(slots), severity)
        changed = [(i, new) for i in (slots if k else ()) if (new := fn(toks[i])) != toks[i]]
        for j in pick(rng, len(changed), k):
            i, new = changed[j]
            toks[i] = new
        return "".join(toks) if changed else text

    perturb.__name__ = name
    return perturb


upper = _word_case("upper", lambda w: _recase(w, str.upper))
upper.__doc__ = "Shouting: ``ceil(s * n_words)`` of the words not yet in upper case are upper-cased."
lower = _word_case("lower", lambda w: _recase(w, str.lower))
lower.__doc__ = "Lost capitals: ``ceil(s * n_words)`` of the words with capitals are lower-cased."
title = _word_case("title", _title)
title.__doc__ = "Title Case: ``ceil(s * n_words)`` of the words not yet in title case get it."


def random_case(text: str, rng: np.random.Generator, severity: float) -> str:
    """rAnDoM cAsE: ``ceil(s * n_letters)`` letters (of those with a one-letter other case) flip case."""
    slots = [i for i, c in enumerate(text) if c.isalpha() and len(sc := c.swapcase()) == 1 and sc != c]
    k = budget(len(slots), severity)
    if not k:
        return text
    chars = list(text)
    for j in pick(rng, len(slots), k):
        chars[slots[j]] = chars[slots[j]].swapcase()
    return "".join(chars)


def punct_remove(text: str, rng: np.random.Generator, severity: float) -> str:
    """Missing punctuation: ``ceil(s * n_marks)`` of the text's punctuation marks are deleted
    (severity is a share of the marks here, since most texts have only a few)."""
    slots = [i for i, c in enumerate(text) if c in PUNCTUATION]
    k = budget(len(slots), severity)
    if not k:
        return text
    gone = {slots[j] for j in pick(rng, len(slots), k)}
    return "".join(c for i, c in enumerate(text) if i not in gone)


def punct_add(text: str, rng: np.random.Generator, severity: float) -> str:
    """Stray punctuation: a mark (",", "!", "..." ...) is appended to ``ceil(s * n_words)`` words."""
    toks = tokens(text)
    slots = word_slots(toks)
    k = budget(len(slots), severity)
    for j in pick(rng, len(slots), k):
        toks[slots[j]] += choose(rng, ADDED_PUNCTUATION)
    return "".join(toks) if k else text


def whitespace(text: str, rng: np.random.Generator, severity: float) -> str:
    """Whitespace noise: ``ceil(s * n_chars)`` single-character edits, each doubling a space,
    turning it into another space character (space, tab, newline), deleting it (joining two
    words) or adding a space inside a word. Non-space characters stay exactly as they were."""
    k = budget(len(text), severity)
    if not k:
        return text
    chars = list(text)
    for i in pick(rng, len(text), k):
        c = chars[i]
        if c.isspace():  # each option is one edit: doubled, swapped for another space character, or gone
            chars[i] = choose(rng, (c + c, *(w for w in WHITESPACE_NOISE if w != c), ""))
        else:
            chars[i] = c + " " if i + 1 < len(text) else " " + c
    return "".join(chars)


def _link(rng: np.random.Generator) -> str:
    """A short link without a scheme, so that reports never carry a clickable URL."""
    return "t.co/" + "".join(_LINK_CHARS[i] for i in rng.integers(0, len(_LINK_CHARS), size=8).tolist())


def social(text: str, rng: np.random.Generator, severity: float) -> str:
    """Social-media clutter: after each of ``ceil(s * n_words)`` words comes an emoji, an @mention,
    a #hashtag or a short link, or the word itself becomes a hashtag; no word is lost."""
    toks = tokens(text)
    slots = word_slots(toks)
    k = budget(len(slots), severity)
    for j in pick(rng, len(slots), k):
        i = slots[j]
        kind = int(rng.integers(5))
        pre, core, post = split_core(toks[i])
        if kind == 0 and core.isalpha() and not pre:
            toks[i] = "#" + toks[i]
            continue
        if kind == 1:
            extra = choose(rng, MENTIONS)
        elif kind == 2:
            extra = choose(rng, HASHTAGS)
        elif kind == 3:
            extra = _link(rng)
        else:
            extra = choose(rng, EMOJI)
        toks[i] = f"{toks[i]} {extra}"
    return "".join(toks) if k else text
