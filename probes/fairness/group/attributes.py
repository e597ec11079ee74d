"""Which groups each text belongs to: sensitive columns, their intersections, or (with no
column) groups inferred from the identity terms a text mentions."""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.errors import AuditError
from audit.probes.fairness.swap import Matcher
from audit.probes.fairness.terms import Axis

MISSING_COLUMN = ("group-fairness.attributes names {column!r}, which is not a sensitive column of the data "
                  "(given: {given}); pass it with --sensitive {column} or data.sensitive.")
EMPTY_COLUMN = "Sensitive column {column!r} of {source} has no values; fill it in, or drop it from --sensitive."
ONE_GROUP = ("Sensitive column {column!r} of {source} holds a single group ({group!r}); fairness compares two or "
             "more groups, so drop it from --sensitive or use data with more groups.")
BAD_INTERSECTION = ("group-fairness.intersections entry {entry!r} must join two or more different sensitive columns "
                    "with '&', e.g. 'gender&religion'.")
INFERRED_NOTE = ("No sensitive column was given, so group membership was inferred from identity terms in the text: "
                 "a text belongs to a group of an axis when it mentions that group's terms and no other group's; "
                 "texts mentioning no group or several groups of an axis are left out of that axis.")
JOIN = "&"


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


def from_columns(data, names: tuple[str, ...], intersections: tuple[str, ...]) -> list[Attribute]:
    """The chosen sensitive columns (all when ``names`` is empty) and their intersections."""
    given = list(data.attributes)
    for name in names:
        if name not in data.attributes:
            raise AuditError(MISSING_COLUMN.format(column=name, given=", ".join(given) or "none"))
    source = f"'{data.source}'"
    out = [_checked(n, data.attributes[n], source) for n in (names or tuple(given))]
    for entry in intersections:
        parts = entry.split(JOIN)
        if len(parts) < 2 or len(set(parts)) != len(parts) or not all(parts):
            raise AuditError(BAD_INTERSECTION.format(entry=entry))
        for part in parts:
            if part not in data.attributes:
                raise AuditError(MISSING_COLUMN.format(column=part, given=", ".join(given) or "none"))
        columns = [data.attributes[p] for p in parts]
        values = [None if any(v is None or not str(v).strip() for v in row) else JOIN.join(map(str, row))
                  for row in zip(*columns)]
        out.append(Attribute(entry, values, "intersection"))
    return out


def inferred(texts: list[str], axes: dict[str, Axis]) -> tuple[list[Attribute], dict]:
    """One attribute per axis whose terms name two or more groups across ``texts``, and a
    summary per axis (texts mentioning one group, several groups, and the group counts)."""
    out, summary = [], {}
    for name, axis in axes.items():
        matcher = Matcher(axis)
        values: list[str | None] = []
        mixed = 0
        for text in texts:
            groups = matcher.groups(text)
            values.append(next(iter(groups)) if len(groups) == 1 else None)
            mixed += len(groups) > 1
        counts: dict[str, int] = {}
        for v in values:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        summary[name] = {"texts": sum(counts.values()), "mixed": mixed, "groups": dict(sorted(counts.items())),
                         "used": len(counts) >= 2}
        if len(counts) >= 2:
            out.append(Attribute(name, values, "inferred"))
    return out, summary
