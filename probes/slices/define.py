"""The slices of a dataset, from the data alone: every slice and pair of slices that is tested is fixed before any
model's errors are seen, which is what makes one Benjamini-Hochberg procedure over them valid.

A slice is a boolean mask over the examples with a stable, readable name: ``length:q4[31-62 words]``,
``negation``, ``axis:religion``, ``axis:religion=muslim``, ``names``, ``column:source=twitter``. Slices of one
*feature* (the length bins, one axis and its groups, one column's values) are never paired with each other. A
slice is tested when it holds at least ``min_size`` examples and leaves as many outside it; a pair of slices of
different features is their intersection, tested under the same rule. A slice whose examples are exactly those of
an earlier one is not tested twice (it is listed as an alias). When more pairs qualify than ``max_pairs``, the
largest intersections are kept (ties by slice order): a choice by size, made before any error is seen.

Sentence pairs: an example is in a text slice when either of its texts is (negation in the premise or the
hypothesis), its length is the words of both, and it mentions a group when either text does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audit.probes.fairness.terms import Axis
from audit.probes.slices import features
from audit.probes.slices.identity import mentions

PAIR_JOIN = " & "


@dataclass(frozen=True)
class Slice:
    name: str
    feature: str  # slices of one feature are never paired
    mask: np.ndarray  # bool, one per example
    parts: tuple[str, ...]  # the single slices it intersects (its own name for a single slice)
    description: str


@dataclass(frozen=True)
class Settings:
    min_size: int = 30
    max_pairs: int = 1000
    length_bins: int = 4
    non_ascii: float = 0.1
    max_values: int = 50


@dataclass
class SliceSet:
    """The slices tested (single ones first, then pairs), each example's single slices, and how they were chosen."""

    tested: list[Slice]
    members: list[list[str]]  # per example: the single slices (of at least min_size examples) it belongs to
    summary: dict = field(default_factory=dict)

    @property
    def masks(self) -> np.ndarray:
        return np.array([s.mask for s in self.tested], dtype=bool).reshape(len(self.tested), len(self.members))


def length_slices(counts: np.ndarray, bins: int) -> list[Slice]:
    """Word-count quantile bins (quartiles for ``bins`` 4), cut at observed counts so no bin is empty; fewer bins
    when counts tie at a cut, none when every text has one length."""
    if bins < 2 or counts.size == 0 or counts.min() == counts.max():
        return []
    edges = np.unique(np.quantile(counts, np.arange(1, bins) / bins, method="lower"))
    edges = edges[edges < counts.max()]
    which = np.searchsorted(edges, counts, side="left")  # bin i: edges[i-1] < count <= edges[i]
    out = []
    for i in range(len(edges) + 1):
        mask = which == i
        if mask.any():
            low, high = int(counts[mask].min()), int(counts[mask].max())
            out.append(Slice(f"length:q{i + 1}[{low}-{high} words]", "length", mask, (), f"{low} to {high} words"))
    return out


def text_slices(texts: list[str], pairs: list[str] | None, non_ascii: float) -> list[Slice]:
    sides = [texts] if pairs is None else [texts, pairs]
    out = []
    for name, detect in features.DETECTORS.items():
        mask = np.array([any(detect(side[i]) for side in sides) for i in range(len(texts))], dtype=bool)
        out.append(Slice(name, name, mask, (), f"holds {features.DESCRIPTIONS[name]}"))
    joined = texts if pairs is None else [f"{a} {b}" for a, b in zip(texts, pairs)]
    mask = np.array([features.non_ascii_share(t) > non_ascii for t in joined], dtype=bool)
    out.append(Slice("non_ascii", "non_ascii", mask, (), f"over {100 * non_ascii:g}% non-ASCII characters"))
    return out


def identity_slices(texts: list[str], pairs: list[str] | None, axes: dict[str, Axis]) -> list[Slice]:
    groups, names = mentions(texts, axes)
    if pairs is not None:
        second, second_names = mentions(pairs, axes)
        groups = {a: [g | h for g, h in zip(groups[a], second[a])] for a in groups}
        names = [x or y for x, y in zip(names, second_names)]
    out = []
    for axis, found in groups.items():
        feature = f"axis:{axis}"
        out.append(Slice(feature, feature, np.array([bool(g) for g in found]), (), f"mentions {axis} terms"))
        for group in axes[axis].groups:
            mask = np.array([group in g for g in found], dtype=bool)
            out.append(Slice(f"{feature}={group}", feature, mask, (), f"mentions {group} ({axis})"))
    out.append(Slice("names", "names", np.array(names, dtype=bool), (), "holds a first name from the term lists"))
    return out


def column_slices(columns: dict[str, list[str | None]], max_values: int) -> tuple[list[Slice], list[str]]:
    """One slice per value of each column (missing values are in no slice); a column with more distinct values than
    ``max_values`` is not categorical and is left out, with a note."""
    out, notes = [], []
    for column, values in columns.items():
        distinct = sorted({v for v in values if v is not None})
        if len(distinct) > max_values:
            notes.append(f"column {column!r} has {len(distinct)} distinct values (more than slices.max_values = "
                         f"{max_values}), so it is not sliced")
            continue
        feature = f"column:{column}"
        for value in distinct:
            mask = np.array([v == value for v in values], dtype=bool)
            out.append(Slice(f"{feature}={value}", feature, mask, (), f"{column} is {value!r}"))
    return out, notes


def _pairs(singles: list[Slice], n: int, s: Settings, seen: set[bytes]) -> tuple[list[Slice], dict]:
    """Intersections of two slices of different features reaching ``min_size`` in and out, none equal to a slice
    already tested; the ``max_pairs`` largest."""
    found = []
    considered = 0
    for i, a in enumerate(singles):
        for j in range(i + 1, len(singles)):
            b = singles[j]
            if a.feature == b.feature:
                continue
            considered += 1
            mask = a.mask & b.mask
            size = int(mask.sum())
            if size < s.min_size or n - size < s.min_size:
                continue
            key = np.packbits(mask).tobytes()
            if key in seen:  # equal to one of its parts, or to another slice: nothing new to test
                continue
            seen.add(key)
            found.append((-size, i, j, Slice(f"{a.name}{PAIR_JOIN}{b.name}", f"{a.feature}{PAIR_JOIN}{b.feature}",
                                             mask, (a.name, b.name), f"{a.description} and {b.description}")))
    found.sort(key=lambda x: x[:3])
    kept = [x[3] for x in found[: s.max_pairs]]
    return kept, {"considered": considered, "reaching_min_size": len(found), "tested": len(kept),
                  "left_out_by_max_pairs": len(found) - len(kept)}


def define(texts: list[str], pairs: list[str] | None, axes: dict[str, Axis], columns: dict[str, list[str | None]],
           s: Settings) -> SliceSet:
    """Every slice of the data, which are tested, and each example's memberships."""
    n = len(texts)
    counts = np.array([len(features.words(t)) + (len(features.words(pairs[i])) if pairs is not None else 0)
                       for i, t in enumerate(texts)])
    by_column, notes = column_slices(columns, s.max_values)
    singles = (length_slices(counts, s.length_bins) + text_slices(texts, pairs, s.non_ascii)
               + identity_slices(texts, pairs, axes) + by_column)
    seen: dict[bytes, str] = {}
    aliases: dict[str, list[str]] = {}
    big: list[Slice] = []  # distinct slices with min_size examples: tested alone when as many lie outside, paired
    defined, empty = [], []
    for sl in singles:
        size = int(sl.mask.sum())
        if size == 0:  # most identity groups on most data: named, not listed one by one
            empty.append(sl.name)
            continue
        entry = {"slice": sl.name, "feature": sl.feature, "description": sl.description, "n": size}
        key = np.packbits(sl.mask).tobytes()
        if size < s.min_size:
            entry["tested"], entry["why"] = False, f"fewer than {s.min_size} examples"
        elif key in seen:
            entry["tested"], entry["why"] = False, f"the same examples as {seen[key]}"
            aliases.setdefault(seen[key], []).append(sl.name)
        else:
            seen[key] = sl.name
            big.append(sl)
            alone = n - size >= s.min_size
            entry["tested"] = alone
            if not alone:
                entry["why"] = f"fewer than {s.min_size} examples outside it (paired with others only)"
        defined.append(entry)
    tested = [Slice(sl.name, sl.feature, sl.mask, (sl.name,), sl.description) for sl in big
              if n - int(sl.mask.sum()) >= s.min_size]
    pair_slices, pair_counts = _pairs(big, n, s, set(seen)) if s.max_pairs > 0 else ([], {"considered": 0,
                                                                                          "tested": 0})
    members = [[sl.name for sl in big if sl.mask[i]] for i in range(n)]
    summary = {"singles": defined, "empty": empty, "aliases": aliases, "pairs": pair_counts, "notes": notes}
    return SliceSet(tested + pair_slices, members, summary)
