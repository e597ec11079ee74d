"""Every perturbation the `noise` probe knows, by the stable name used in metric names.

A :class:`Perturbation` is a frozen description (name, family, what severity counts) plus the
function; ``describe()`` is what the results file stores, so a report says exactly what ran.
Plug-ins add perturbations through the entry-point group ``audit.perturbations``; they run when a
config names them (the default list is the built-ins, so installing a plug-in changes no audit).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from audit.core.errors import AuditError
from audit.core.registry import Registry
from audit.probes.noise import chars, lexical, surface, word_noise

PerturbFn = Callable[[str, np.random.Generator, float], str]


FAMILIES = ("character", "word", "surface")


@dataclass(frozen=True)
class Perturbation:
    name: str
    family: str  # character | word | surface (explain's stability check takes character-level ones)
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
    ("word_drop", "word", "words", word_noise.word_drop),
    ("word_repeat", "word", "words", word_noise.word_repeat),
    ("word_shuffle", "word", "words", word_noise.word_shuffle),
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



def _check(p: Perturbation) -> None:
    if not isinstance(p, Perturbation):
        raise AuditError(f"{p!r} is not a perturbation; describe one with audit.probes.noise.catalog.Perturbation.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", p.name):
        raise AuditError(f"Perturbation name '{p.name}' may use only lower-case letters, digits, '_' and '-' "
                         "(it is part of metric names); rename it.")
    if p.family not in FAMILIES or not callable(p.fn):
        raise AuditError(f"Perturbation '{p.name}' needs a family among {', '.join(FAMILIES)} and a function "
                         "fn(text, rng, severity) -> text.")


PERTURBATIONS: Registry[Perturbation] = Registry("perturbation", "audit.perturbations", (__name__,),
                                                 name_of=lambda p: p.name, check=_check)
for _name, _family, _unit, _fn in _STATIC:  # the synonym swap's table is bound in build()
    PERTURBATIONS.register(_name, Perturbation(_name, _family, _unit, _fn or word_noise.synonym_swap({})), origin=__name__)

NAMES: tuple[str, ...] = tuple(row[0] for row in _STATIC)  # the built-ins: what the noise probe runs by default


def names() -> list[str]:
    """Every perturbation a config may name: the built-ins, then installed plug-ins'."""
    return PERTURBATIONS.names()


def check_names(names) -> tuple[str, ...]:
    """``names`` as a tuple of known perturbation names, else a one-line AuditError."""
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise AuditError(f"noise.perturbations must be a non-empty list of perturbation names, not {names!r}. "
                         f"Known: {', '.join(PERTURBATIONS.names())}.")
    out = tuple(str(n) for n in names)
    for name in out:
        PERTURBATIONS.get(name)  # unknown: "Unknown perturbation 'x'. Did you mean 'y'? Known: ..."
    repeated = sorted({n for n in out if out.count(n) > 1})
    if repeated:
        raise AuditError(f"noise.perturbations lists {', '.join(repeated)} more than once; list each perturbation once.")
    return out


def build(names: tuple[str, ...], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, Perturbation]:
    """The perturbations ``names`` (in that order), the synonym swap drawing from ``synonyms``."""
    table = {name: PERTURBATIONS.get(name) for name in check_names(names)}
    if "synonym" in table:
        table["synonym"] = dataclasses.replace(table["synonym"], fn=word_noise.synonym_swap(synonyms))
    return table
