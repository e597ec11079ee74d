"""What every perturbation shares: how much a severity buys, picking positions, word tokens.

Severity is the share of a text's units (characters, words, or the units a perturbation names
in its docstring) that get touched: ``ceil(severity * n)`` of them, so any severity above 0
touches at least one unit and severity 0 touches none. Keeping that rule in one place is what
lets the tests check every perturbation against the same bound.
"""

from __future__ import annotations

import math
import re

import numpy as np

from audit.core.errors import AuditError

BAD_SEVERITY = "Noise severity must be a number between 0 and 1 (a share of the text touched), got {value!r}."

_WS_SPLIT = re.compile(r"(\s+)")
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def check_severity(severity: object) -> float:
    """``severity`` as a float in [0, 1], else an AuditError."""
    if isinstance(severity, bool) or not isinstance(severity, (int, float)) or not 0 <= severity <= 1:
        raise AuditError(BAD_SEVERITY.format(value=severity))
    return float(severity)


def budget(n: int, severity: float) -> int:
    """Units to touch out of ``n``: ``ceil(severity * n)`` (rounded first, so 0.1 * 30 is 3)."""
    severity = check_severity(severity)
    if n <= 0 or severity == 0:
        return 0
    return min(n, math.ceil(round(severity * n, 9)))


def pick(rng: np.random.Generator, n: int, k: int) -> list[int]:
    """``k`` distinct indices out of ``range(n)``, in increasing order."""
    if k <= 0 or n <= 0:
        return []
    if k >= n:
        return list(range(n))
    return sorted(rng.permutation(n)[:k].tolist())


def choose(rng: np.random.Generator, options) -> object:
    """One element of a non-empty sequence."""
    return options[int(rng.integers(len(options)))]


def nth(options, u: float) -> object:
    """The element of ``options`` that a uniform draw ``u`` in [0, 1) lands on (draws are made
    in bulk with ``rng.random(k)``: one numpy call per text instead of one per edit)."""
    return options[int(u * len(options))]


def tokens(text: str) -> list[str]:
    """``text`` split into words (even positions, maybe empty at the ends) and whitespace runs
    (odd positions), so that ``"".join(tokens(text)) == text``."""
    return _WS_SPLIT.split(text)


def word_slots(toks: list[str]) -> list[int]:
    """Positions in ``toks`` that hold a word."""
    return [i for i in range(0, len(toks), 2) if toks[i]]


def split_core(word: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation): ``"(great!"`` -> ``("(", "great", "!")``."""
    if word.isalnum():
        return "", word, ""
    m = _CORE.match(word)
    return m.group(1), m.group(2), m.group(3)


def match_case(template: str, word: str) -> str:
    """``word`` cased like ``template``: UPPER, Capitalised or as given."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def swap_words(text: str, rng: np.random.Generator, severity: float, replacement) -> str:
    """Replace ``ceil(s * n_words)`` of the words for which ``replacement(lower_core)`` returns a
    chooser; the chooser gives the new word. Case and surrounding punctuation are kept."""
    toks = tokens(text)
    slots = word_slots(toks)
    k = budget(len(slots), severity)
    found = []
    for i in slots if k else ():
        pre, core, post = split_core(toks[i])
        new = replacement(core.lower())
        if new:
            found.append((i, pre, core, post, new))
    if not found:
        return text
    for j in pick(rng, len(found), k):
        i, pre, core, post, new = found[j]
        toks[i] = pre + match_case(core, new()) + post
    return "".join(toks)
