"""Fill a suite's templates into test cases.

Each template's filler combinations ("bases") are enumerated in a fixed order, or, beyond
``max_sets``, a seeded sample of them (seeded by the run seed, test and template, so it does
not depend on other tests). Every base is then filled with every combination of groups of the
identity axes the template uses; two placeholders of one axis always get the same group, so
"{gender.subject} ... {gender.possessive}" stays consistent. A base with all its group
variants is a matched set: the cases differ only in identity terms. In a pair suite both texts
of a case (all four of a DIR pair: base and perturbed) are filled from the same fillers and
groups, so a swap changes both texts alike.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from audit.core.seeding import rng_for
from audit.probes.fairness.templates.suite import PLACEHOLDER, Suite, placeholders
from audit.probes.fairness.terms import Axis
from audit.probes.fairness.word_context import fix_article, starts_sentence


@dataclass
class Cases:
    """Columns of test cases; a *unit* is what passes or fails (MFT case, INV set, DIR pair)."""

    texts: list[str] = field(default_factory=list)
    test: list[int] = field(default_factory=list)  # index into suite.tests
    expected: list[str | None] = field(default_factory=list)  # suite label (MFT)
    unit: list[int] = field(default_factory=list)
    role: list[str] = field(default_factory=list)  # case | base | perturbed
    groups: list[dict] = field(default_factory=list)  # axis -> group
    match: list[dict] = field(default_factory=list)  # axis -> key of the matched set for that axis
    units: int = 0
    pairs: list[str] | None = None  # pair suites: each case's second text

    def add(self, text, test, expected, unit, role, groups, match, pair: str | None = None) -> None:
        if pair is not None:
            if self.pairs is None:
                self.pairs = []
            self.pairs.append(pair)
        self.texts.append(text)
        self.test.append(test)
        self.expected.append(expected)
        self.unit.append(unit)
        self.role.append(role)
        self.groups.append(groups)
        self.match.append(match)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def inputs(self) -> list:
        """What a model is asked about: the texts, or (text, text_pair) tuples."""
        return self.texts if self.pairs is None else list(zip(self.texts, self.pairs))


def fill(template: str, value_of) -> str:
    """``template`` with each placeholder replaced by ``value_of(body)``, articles made to agree
    and sentence starts capitalised."""
    out, pos = "", 0
    for m in PLACEHOLDER.finditer(template):
        word = value_of(m.group(1))
        before = template[pos:m.start()]
        if starts_sentence(out + before, len(out + before)):
            word = word[:1].upper() + word[1:]
        out = fix_article(out + before, word) + word
        pos = m.end()
    out += template[pos:]
    return out[:1].upper() + out[1:]


def _bases(suite: Suite, names: list[str], max_sets: int, seed: int, test: str, k: int) -> list[dict]:
    sizes = [len(suite.fillers[n]) for n in names]
    total = math.prod(sizes)
    chosen = range(total)
    if total > max_sets:
        chosen = sorted(rng_for(seed, "templates", test, k).choice(total, size=max_sets, replace=False).tolist())
    out = []
    for c in chosen:
        values = {}
        for name, size in zip(reversed(names), reversed(sizes)):
            c, r = divmod(c, size)
            values[name] = suite.fillers[name][r]
        out.append(values)
    return out


def expand(suite: Suite, axes: dict[str, Axis], *, max_sets: int, seed: int) -> Cases:
    cases = Cases()
    base_id = 0
    for ti, test in enumerate(suite.tests):
        for k, template in enumerate(test.templates):
            texts = template if isinstance(template, tuple) else (template,)
            second = suite.pair  # pair suites: (template, template_pair), + (perturbed, perturbed_pair) for DIR
            found = [p for t in texts for p in placeholders(t)]
            id_axes = list(dict.fromkeys(name for name, slot in found if slot))
            fillers = list(dict.fromkeys(name for name, slot in found if not slot))
            slots = {a: {slot for name, slot in found if name == a and slot} for a in id_axes}
            eligible = [[g for g in axes[a].groups if all(axes[a].slot(s).terms.get(g) for s in slots[a])]
                        for a in id_axes]
            combos = list(itertools.product(*eligible))
            if not combos or (test.type == "INV" and len(combos) < 2):
                continue  # no group has every form the template needs, or nothing would vary
            for values in _bases(suite, fillers, max_sets, seed, test.name, k):
                base_id += 1
                inv_unit = cases.units
                if test.type == "INV":
                    cases.units += 1
                for combo in combos:
                    groups = dict(zip(id_axes, combo))

                    def value_of(body: str, groups=groups, values=values) -> str:
                        name, _, slot = body.partition(".")
                        return axes[name].slot(slot).terms[groups[name]][0] if slot else values[name]

                    match = {a: (base_id,) + tuple(groups[b] for b in id_axes if b != a) for a in id_axes}
                    filled = [fill(t, value_of) for t in texts]
                    pair = filled[1] if second else None
                    if test.type == "INV":
                        cases.add(filled[0], ti, None, inv_unit, "case", groups, match, pair)
                        continue
                    unit = cases.units
                    cases.units += 1
                    if test.type == "MFT":
                        cases.add(filled[0], ti, test.label, unit, "case", groups, match, pair)
                    else:  # DIR: the base text(s), then the perturbed text(s)
                        half = len(filled) // 2
                        cases.add(filled[0], ti, None, unit, "base", groups, match, pair)
                        cases.add(filled[half], ti, None, unit, "perturbed", groups, match,
                                  filled[half + 1] if second else None)
    return cases


def codes(keys: list) -> np.ndarray:
    """Integer codes 0..k-1 for hashable ``keys`` (first-seen order)."""
    index: dict = {}
    return np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)
