"""Every perturbation the `noise` probe knows, by the stable name used in metric names.

A :class:`Perturbation` is a frozen description (name, family, what severity counts) plus the
function; ``describe()`` is what the results file stores, so a report says exactly what ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from audit.core.errors import AuditError, did_you_mean
from audit.probes.noise import chars, lexical, surface, words

PerturbFn = Callable[[str, np.random.Generator, float], str]


@dataclass(frozen=True)
class Perturbation:
    name: str
    family: str  # character | word | surface
    unit: str  # what severity is a share of
    fn: PerturbFn

    @property
    def summary(self) -> str:
        """The function's docstring on one line: what it does and what severity counts."""
        return " ".join((self.fn.__doc__ or self.name).split())

    def __call__(self, text: str, rng: np.random.Generator, severity: float) -> str:
        return self.fn(text, rng, severity)

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "family": self.family, "unit": self.unit, "summary": self.summary}


_STATIC: tuple[tuple[str, str, str, PerturbFn | None], ...] = (
    ("typo", "character", "characters", chars.typo),
    ("char_swap", "character", "characters", chars.char_swap),
    ("char_insert", "character", "characters", chars.char_insert),
    ("char_delete", "character", "characters", chars.char_delete),
    ("ocr", "character", "characters", chars.ocr),
    ("homoglyph", "character", "characters", chars.homoglyph),
    ("invisible", "character", "characters", chars.invisible),
    ("word_drop", "word", "words", words.word_drop),
    ("word_repeat", "word", "words", words.word_repeat),
    ("word_shuffle", "word", "words", words.word_shuffle),
    ("synonym", "word", "words", None),  # bound to the configured synonym source
    ("contraction", "word", "words", lexical.contraction),
    ("spelling", "word", "words", lexical.spelling),
    ("upper", "surface", "words", surface.upper),
    ("lower", "surface", "words", surface.lower),
    ("title", "surface", "words", surface.title),
    ("random_case", "surface", "letters", surface.random_case),
    ("punct_remove", "surface", "punctuation marks", surface.punct_remove),
    ("punct_add", "surface", "words", surface.punct_add),
    ("whitespace", "surface", "characters", surface.whitespace),
    ("social", "surface", "words", surface.social),
)

NAMES: tuple[str, ...] = tuple(row[0] for row in _STATIC)


def check_names(names) -> tuple[str, ...]:
    """``names`` as a tuple of known perturbation names, else a one-line AuditError."""
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise AuditError(f"noise.perturbations must be a non-empty list of perturbation names, not {names!r}. Known: {', '.join(NAMES)}.")
    out = tuple(str(n) for n in names)
    for name in out:
        if name not in NAMES:
            raise AuditError(did_you_mean("perturbation", name, NAMES))
    repeated = sorted({n for n in out if out.count(n) > 1})
    if repeated:
        raise AuditError(f"noise.perturbations lists {', '.join(repeated)} more than once; list each perturbation once.")
    return out


def build(names: tuple[str, ...], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, Perturbation]:
    """The perturbations ``names`` (in that order), the synonym swap drawing from ``synonyms``."""
    table = {}
    for name, family, unit, fn in _STATIC:
        if name in names:
            table[name] = Perturbation(name, family, unit, fn or words.synonym_swap(synonyms))
    return {name: table[name] for name in check_names(names)}
