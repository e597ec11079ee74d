"""Character noise: typing slips, OCR confusions, homoglyphs and invisible characters.

Each function is ``perturb(text, rng, severity) -> str`` and touches at most
``ceil(severity * len(text))`` characters (see :func:`audit.probes.noise.common.budget`), so the
edit distance to the input is bounded by that number. A text with nothing to touch comes
back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import re

import numpy as np

from audit.probes.noise.common import budget, nth, pick

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _neighbours() -> dict[str, str]:
    """QWERTY keys next to each letter (same row and the rows above and below)."""
    pos = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}
    out = {}
    for c, (r, i) in pos.items():
        near = [d for d, (r2, j) in pos.items() if d != c and abs(r2 - r) <= 1 and abs(j + 0.5 * r2 - i - 0.5 * r) < 1.2]
        out[c] = "".join(sorted(near))
    return out


KEY_NEIGHBOURS = _neighbours()

# Look-alikes after optical character recognition; some are two characters (m <-> rn).
OCR_CONFUSIONS = {
    "rn": ("m",), "m": ("rn",), "cl": ("d",), "d": ("cl",), "vv": ("w",), "w": ("vv",), "li": ("h",),
    "0": ("O", "o"), "O": ("0",), "o": ("0",), "1": ("l", "I"), "l": ("1", "I"), "I": ("l", "1"),
    "5": ("S",), "S": ("5",), "8": ("B",), "B": ("8",), "e": ("c",), "c": ("e",), "u": ("v",),
    "v": ("u",), "g": ("q", "9"), "q": ("g",), "h": ("b",), "b": ("h", "6"), "Z": ("2",), "2": ("Z",),
}
_OCR_SINGLE = frozenset(s for s in OCR_CONFUSIONS if len(s) == 1)
# Where a two-letter source starts (a lookahead, so "rnn" yields both "rn" and "nn" sites).
_OCR_PAIRS = re.compile("(?=(" + "|".join(re.escape(s) for s in OCR_CONFUSIONS if len(s) > 1) + "))")

# Latin letters and the Cyrillic / Greek / IPA characters that render (nearly) the same.
HOMOGLYPHS = {
    "a": "\u0430", "c": "\u0441", "d": "\u0501", "e": "\u0435", "g": "\u0261", "h": "\u04bb", "i": "\u0456",
    "j": "\u0458", "l": "\u04cf", "o": "\u043e\u03bf", "p": "\u0440", "s": "\u0455", "v": "\u03bd", "x": "\u0445",
    "y": "\u0443", "A": "\u0410\u0391", "B": "\u0412\u0392", "C": "\u0421", "E": "\u0415\u0395", "H": "\u041d\u0397",
    "I": "\u0406\u0399", "J": "\u0408", "K": "\u041a\u039a", "M": "\u041c\u039c", "N": "\u039d", "O": "\u041e\u039f",
    "P": "\u0420\u03a1", "S": "\u0405", "T": "\u0422\u03a4", "X": "\u0425\u03a7", "Y": "\u04ae\u03a5", "Z": "\u0396",
}

# Zero-width and other default-ignorable characters: invisible when rendered, not to tokenizers.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


def _fat_finger(c: str, u: float) -> str | None:
    """The neighbouring key a uniform draw ``u`` lands on, in the case of ``c``."""
    near = KEY_NEIGHBOURS.get(c.lower())
    if not near:
        return None
    d = nth(near, u)
    return d.upper() if c.isupper() else d


def _insert(text: str, where: list[int], extra: list[str]) -> str:
    """``text`` with ``extra[j]`` inserted before position ``where[j]`` (``len(text)``: at the end)."""
    inserts: dict[int, list[str]] = {}
    for i, e in zip(where, extra):
        inserts.setdefault(i, []).append(e)
    pieces, last = [], 0
    for i in sorted(inserts):
        pieces += [text[last:i], *inserts[i]]
        last = i
    pieces.append(text[last:])
    return "".join(pieces)


def _replace_chars(text: str, rng: np.random.Generator, severity: float,
                   eligible: Callable[[str], bool], replace: Callable[[str, float], str]) -> str:
    """Replace ``ceil(s * n_chars)`` eligible characters, each by ``replace(char, u)`` with u ~ U[0, 1)."""
    k = budget(len(text), severity)
    slots = [i for i, c in enumerate(text) if eligible(c)] if k else []
    if not slots:
        return text
    chars = list(text)
    chosen = pick(rng, len(slots), k)
    for j, u in zip(chosen, rng.random(len(chosen)).tolist()):
        chars[slots[j]] = replace(chars[slots[j]], u)
    return "".join(chars)


def typo(text: str, rng: np.random.Generator, severity: float) -> str:
    """Keyboard slips: ``ceil(s * n_chars)`` letters become a neighbouring QWERTY key (case kept)."""
    return _replace_chars(text, rng, severity, lambda c: c.lower() in KEY_NEIGHBOURS, _fat_finger)


def char_swap(text: str, rng: np.random.Generator, severity: float) -> str:
    """Transpositions: ``ceil(s * n_chars) // 2`` disjoint pairs of adjacent, different,
    non-space characters swap places (each swap touches two characters)."""
    k = budget(len(text), severity) // 2
    if not k:
        return text
    pairs = [i for i in range(len(text) - 1) if text[i] != text[i + 1] and not (text[i].isspace() or text[i + 1].isspace())]
    chars = list(text)
    used: set[int] = set()
    done = 0
    for j in rng.permutation(len(pairs)).tolist():
        i = pairs[j]
        if i in used or i + 1 in used:
            continue
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
        used.update((i, i + 1))
        done += 1
        if done == k:
            break
    return "".join(chars)


def char_insert(text: str, rng: np.random.Generator, severity: float) -> str:
    """Extra keystrokes: ``ceil(s * n_chars)`` characters inserted, each a key next to the letter
    before it (a random letter after a non-letter)."""
    k = budget(len(text), severity)
    if not k:
        return text
    where = rng.integers(0, len(text) + 1, size=k).tolist()
    extra = [_fat_finger(text[i - 1] if i else "", u) or nth(LETTERS, u) for i, u in zip(where, rng.random(k).tolist())]
    return _insert(text, where, extra)


def char_delete(text: str, rng: np.random.Generator, severity: float) -> str:
    """Dropped keystrokes: ``ceil(s * n_chars)`` non-space characters deleted."""
    k = budget(len(text), severity)
    slots = [i for i, c in enumerate(text) if not c.isspace()] if k else []
    if not slots:
        return text
    gone = {slots[j] for j in pick(rng, len(slots), k)}
    return "".join(c for i, c in enumerate(text) if i not in gone)


def ocr(text: str, rng: np.random.Generator, severity: float) -> str:
    """OCR confusions (rn/m, cl/d, 0/O, l/1, 5/S ...): non-overlapping look-alike replacements
    until ``ceil(s * n_chars)`` characters are used up, where one replacement uses
    ``max(len(source), len(replacement))`` of them."""
    k = budget(len(text), severity)
    sites = [(i, c) for i, c in enumerate(text) if c in _OCR_SINGLE] if k else []
    sites += [(m.start(), m.group(1)) for m in _OCR_PAIRS.finditer(text)] if k else []
    if not sites:
        return text
    chosen: dict[int, tuple[str, str]] = {}
    taken: set[int] = set()
    left = k
    for j, u in zip(rng.permutation(len(sites)).tolist(), rng.random(len(sites)).tolist()):
        i, src = sites[j]
        dst = nth(OCR_CONFUSIONS[src], u)
        cost = max(len(src), len(dst))
        span = set(range(i, i + len(src)))
        if cost > left or span & taken:
            continue
        chosen[i] = (src, dst)
        taken |= span
        left -= cost
        if not left:
            break
    pieces, last = [], 0
    for i in sorted(chosen):
        src, dst = chosen[i]
        pieces += [text[last:i], dst]
        last = i + len(src)
    pieces.append(text[last:])
    return "".join(pieces)


def homoglyph(text: str, rng: np.random.Generator, severity: float) -> str:
    """Confusable Unicode: ``ceil(s * n_chars)`` Latin letters replaced by Cyrillic, Greek or IPA
    letters that look the same (a -> U+0430 ...)."""
    return _replace_chars(text, rng, severity, lambda c: c in HOMOGLYPHS, lambda c, u: nth(HOMOGLYPHS[c], u))


def invisible(text: str, rng: np.random.Generator, severity: float) -> str:
    """Zero-width characters (ZWSP, ZWJ, word joiner, soft hyphen ...): ``ceil(s * n_chars)``
    inserted at random positions; removing them gives back the input."""
    k = budget(len(text), severity)
    if not k:
        return text
    where = rng.integers(0, len(text) + 1, size=k).tolist()
    return _insert(text, where, [nth(INVISIBLE, u) for u in rng.random(k).tolist()])
