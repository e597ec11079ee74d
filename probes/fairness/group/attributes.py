"""Which groups each text belongs to: sensitive columns, their intersections, or (with no
column) groups inferred from the identity terms a text mentions.

A sentence pair is one example with one group per axis, read from both texts: it belongs to a
group when either text mentions it and neither names another group of the axis. A pair whose
texts name different groups ("a man ..." / "a woman ...") is mixed, like a single text naming
both, and is left out of that axis; the summary counts those apart (``mixed_between_texts``),
since they may be what a pair task is about."""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.errors import AuditError
from audit.probes.fairness.swap import Matcher
from audit.probes.fairness.terms import Axis, load_axes

MISSING_COLUMN = ("{probe}.attributes names {column!r}, which is not a sensitive column of the data "
                  "(given: {given}); pass it with --sensitive {column} or data.sensitive.")
EMPTY_COLUMN = "Sensitive column {column!r} of {source} has no values; fill it in, or drop it from --sensitive."
ONE_GROUP = ("Sensitive column {column!r} of {source} holds a single group ({group!r}); fairness compares two or "
             "more groups, so drop it from --sensitive or use data with more groups.")
BAD_INTERSECTION = ("{probe}.intersections entry {entry!r} must join two or more different sensitive columns "
                    "with '&', e.g. 'gender&religion'.")
INFERRED_NOTE = ("No sensitive column was given, so group membership was inferred from identity terms in the text: "
                 "a text belongs to a group of an axis when it mentions that group's terms and no other group's; "
                 "texts mentioning no group or several groups of an axis are left out of that axis.")
PAIRS_NOTE = (" Sentence pairs: a pair belongs to a group when either of its texts mentions that group and neither "
              "names another group of the axis; a pair whose two texts name different groups counts as mixed and is "
              "left out of that axis.")
JOIN = "&"
NOTHING = ("The data has no sensitive column (give one with --sensitive) and its texts mention identity terms of "
           "fewer than two groups on every axis, so there are no groups to compare.")
NO_COLUMN = "The data has no sensitive column; give one with --sensitive, or set {probe}.infer_from_text: true."


@dataclass
class Attribute:
    name: str
    values: list[str | None]  # one group per text; None: no value (left out)
    source: str  # "column" | "intersection" | "inferred"


def _checked(name: str, values: list, source: str) -> Attribute:
    present = sorted({str(v) for v in values if v is not None and str(v).strip()})
    if not present:
        raise AuditError(EMPTY_COLUMN.format(column=name, source=source))
    if len(present) == 1:
        raise AuditError(ONE_GROUP.format(column=name, source=source, group=present[0]))
    clean = [str(v) if v is not None and str(v).strip() else None for v in values]
    return Attribute(name, clean, "column")


def from_columns(data, names: tuple[str, ...], intersections: tuple[str, ...],
                 probe: str = "group-fairness") -> list[Attribute]:
    """The chosen sensitive columns (all when ``names`` is empty) and their intersections; errors name the
    ``probe`` whose config keys they are."""
    given = list(data.attributes)
    for name in names:
        if name not in data.attributes:
            raise AuditError(MISSING_COLUMN.format(probe=probe, column=name, given=", ".join(given) or "none"))
    source = f"'{data.source}'"
    out = [_checked(n, data.attributes[n], source) for n in (names or tuple(given))]
    for entry in intersections:
        parts = entry.split(JOIN)
        if len(parts) < 2 or len(set(parts)) != len(parts) or not all(parts):
            raise AuditError(BAD_INTERSECTION.format(probe=probe, entry=entry))
        for part in parts:
            if part not in data.attributes:
                raise AuditError(MISSING_COLUMN.format(probe=probe, column=part, given=", ".join(given) or "none"))
        columns = [data.attributes[p] for p in parts]
        values = [None if any(v is None or not str(v).strip() for v in row) else JOIN.join(map(str, row))
                  for row in zip(*columns)]
        out.append(Attribute(entry, values, "intersection"))
    return out


def inferred(texts: list[str], axes: dict[str, Axis], text_pairs: list[str] | None = None) -> tuple[list[Attribute], dict]:
    """One attribute per axis whose terms name two or more groups across ``texts`` (with
    ``text_pairs``: across both texts of each pair), and a summary per axis (examples mentioning
    one group, several groups, and the group counts)."""
    out, summary = [], {}
    for name, axis in axes.items():
        matcher = Matcher(axis)
        values: list[str | None] = []
        mixed = between = 0
        for i, text in enumerate(texts):
            groups = matcher.groups(text)
            if text_pairs is not None:
                second = matcher.groups(text_pairs[i])
                between += len(groups) <= 1 and len(second) <= 1 and len(groups | second) > 1
                groups = groups | second
            values.append(next(iter(groups)) if len(groups) == 1 else None)
            mixed += len(groups) > 1
        counts: dict[str, int] = {}
        for v in values:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        summary[name] = {"texts": sum(counts.values()), "mixed": mixed, "groups": dict(sorted(counts.items())),
                         "used": len(counts) >= 2}
        if text_pairs is not None:
            summary[name]["mixed_between_texts"] = between
        if len(counts) >= 2:
            out.append(Attribute(name, values, "inferred"))
    return out, summary


def resolve(data, cfg, probe: str) -> tuple[list[Attribute], dict | None, str | None]:
    """The groups a fairness probe compares, as its config (attributes, intersections, infer_from_text, terms,
    axes) asks: ``(attributes, inference summary or None, why none can be compared or None)``."""
    if data.attributes or cfg.attributes or cfg.intersections:
        return from_columns(data, cfg.attributes, cfg.intersections, probe=probe), None, None
    if not cfg.infer_from_text:
        return [], None, NO_COLUMN.format(probe=probe)
    attributes, summary = inferred(data.texts, load_axes(cfg.terms, cfg.axes), data.text_pairs)
    inference = {"note": INFERRED_NOTE + (PAIRS_NOTE if data.is_pair else ""), "axes": summary}
    return attributes, inference, None if attributes else NOTHING
