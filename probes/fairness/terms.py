"""Identity term lists: one CSV per axis, group -> terms for each word form (slot).

The project's lists live in ``probes/fairness/data/terms_<axis>.csv`` (format in the README
there); a user adds their own with a ``terms:`` path (a CSV file or a folder of them). A user
file for an existing axis is merged into it: new groups become new columns, new slots new
rows, and a cell the user fills replaces the project's. Every problem in a file is a one-line
AuditError naming the file and line, found when the probe config is read.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from audit.core.errors import AuditError, did_you_mean

DATA = Path(__file__).with_name("data")
CONTEXTS = ("any", "before_word", "standalone", "noun", "before_person", "object", "possessive", "name", "reflexive")
NAME = re.compile(r"[a-z][a-z0-9_]*")
TERM = re.compile(r"[^\W\d_](?:[\w'.\- ]*[\w.])?")

TERMS_MISSING = "Term list '{path}' not found. Give a CSV file or a folder of CSV files (format: probes/fairness/data/README.md)."
TERMS_EMPTY = "Term list folder '{path}' holds no .csv files; add one CSV per axis (format: probes/fairness/data/README.md)."
BAD_HEADER = "{where}: the header must be 'slot,context,<group>,<group>...' with at least one group; got {got!r}."
BAD_NAME = "{where}: {what} {name!r} must be lower-case letters, digits and '_' (starting with a letter)."
REPEATED = "{where}: {what} {name!r} appears twice; give each once."
BAD_CELLS = ("{where}: {got} cells, but the header has {want}; every row needs one cell per column "
             "(use an empty cell for a group without this form).")
BAD_CONTEXT = "{where}: context {context!r} is not one of {contexts}."
NO_TERMS = "{where}: slot {slot!r} lists no term for any group; fill at least one cell or drop the row."
BAD_TERM = "{where}: term {term!r} must start with a letter and hold only letters, digits, spaces, '-', \"'\" and '.'."
TERM_TWICE = "{where}: term {term!r} is listed for groups {a!r} and {b!r} of axis {axis!r}; a term may belong to one group only."
FEW_GROUPS = "Axis {axis!r} from {path} has only one group ({group!r}); an axis needs two or more groups to compare."
NOT_UTF8 = "Term list '{path}' is not UTF-8 text; save it as UTF-8."
UNKNOWN_AXIS = "{where}: {message}"


@dataclass(frozen=True)
class Slot:
    """One word form: its name, when a match counts (context) and each group's terms."""

    name: str
    context: str
    terms: dict[str, tuple[str, ...]]  # group -> terms; the first is written by swaps


@dataclass(frozen=True)
class Axis:
    name: str
    groups: tuple[str, ...]
    slots: tuple[Slot, ...]
    sources: tuple[str, ...] = field(default=())

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)


def _rows(path: Path):
    """(line number, cells) of the non-comment, non-blank lines of a CSV file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise AuditError(NOT_UTF8.format(path=path)) from None
    lines = text.splitlines()
    for lineno, cells in zip(range(1, len(lines) + 1), csv.reader(lines)):
        if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        yield lineno, [c.strip() for c in cells]


def parse_axis_file(path: Path) -> Axis:
    """One axis from ``path``; the axis is the file name without ``terms_`` and ``.csv``."""
    axis = path.stem.removeprefix("terms_")
    if not NAME.fullmatch(axis):
        raise AuditError(BAD_NAME.format(where=str(path), what="axis (file name)", name=axis))
    rows = list(_rows(path))
    if not rows:
        raise AuditError(BAD_HEADER.format(where=f"{path}:1", got=""))
    lineno, header = rows[0]
    where = f"{path}:{lineno}"
    if len(header) < 3 or [h.lower() for h in header[:2]] != ["slot", "context"]:
        raise AuditError(BAD_HEADER.format(where=where, got=",".join(header)))
    groups = header[2:]
    for i, g in enumerate(groups):
        if not NAME.fullmatch(g):
            raise AuditError(BAD_NAME.format(where=where, what="group", name=g))
        if g in groups[:i]:
            raise AuditError(REPEATED.format(where=where, what="group", name=g))
    slots: list[Slot] = []
    for lineno, cells in rows[1:]:
        where = f"{path}:{lineno}"
        if len(cells) != len(header):
            raise AuditError(BAD_CELLS.format(where=where, got=len(cells), want=len(header)))
        name, context = cells[0], cells[1]
        if not NAME.fullmatch(name):
            raise AuditError(BAD_NAME.format(where=where, what="slot", name=name))
        if any(s.name == name for s in slots):
            raise AuditError(REPEATED.format(where=where, what="slot", name=name))
        if context not in CONTEXTS:
            raise AuditError(BAD_CONTEXT.format(where=where, context=context, contexts=", ".join(CONTEXTS)))
        terms = {}
        for group, cell in zip(groups, cells[2:]):
            found = tuple(t.strip() for t in cell.split("|") if t.strip()) if cell else ()
            for term in found:
                if not TERM.fullmatch(term):
                    raise AuditError(BAD_TERM.format(where=where, term=term))
            if found:
                terms[group] = found
        if not terms:
            raise AuditError(NO_TERMS.format(where=where, slot=name))
        slots.append(Slot(name, context, terms))
        _check_unique_terms(axis, slots, where)
    return Axis(axis, tuple(groups), tuple(slots), (str(path),))


def _check_unique_terms(axis: str, slots: list[Slot], where: str) -> None:
    owner: dict[str, str] = {}
    for slot in slots:
        for group, terms in slot.terms.items():
            for term in terms:
                key = normalize(term)
                if owner.setdefault(key, group) != group:
                    raise AuditError(TERM_TWICE.format(where=where, term=term, a=owner[key], b=group, axis=axis))


def normalize(term: str) -> str:
    """The lookup key of a term or a matched span: lower case, single spaces."""
    return " ".join(term.lower().split())


def merge(base: Axis, extra: Axis) -> Axis:
    """``base`` with ``extra``'s groups and slots added; a cell ``extra`` fills wins."""
    groups = base.groups + tuple(g for g in extra.groups if g not in base.groups)
    slots = list(base.slots)
    for slot in extra.slots:
        i = next((k for k, s in enumerate(slots) if s.name == slot.name), None)
        if i is None:
            slots.append(slot)
        else:
            slots[i] = Slot(slot.name, slot.context, {**slots[i].terms, **slot.terms})
    _check_unique_terms(base.name, slots, ", ".join(extra.sources))
    return Axis(base.name, groups, tuple(slots), base.sources + extra.sources)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise AuditError(TERMS_EMPTY.format(path=path))
        return files
    if not path.is_file():
        raise AuditError(TERMS_MISSING.format(path=path))
    return [path]


@functools.lru_cache(maxsize=16)
def _load(user: str | None, stamp: tuple) -> dict[str, Axis]:
    axes = {a.name: a for a in map(parse_axis_file, sorted(DATA.glob("terms_*.csv")))}
    if user:
        for file in _files(Path(user).expanduser()):
            extra = parse_axis_file(file)
            axes[extra.name] = merge(axes[extra.name], extra) if extra.name in axes else extra
    for axis in axes.values():
        if len(axis.groups) < 2:
            raise AuditError(FEW_GROUPS.format(axis=axis.name, path=", ".join(axis.sources), group=axis.groups[0]))
    return axes


def load_axes(user: str | None = None, only: tuple[str, ...] = (), where: str = "terms") -> dict[str, Axis]:
    """The project's axes plus the user's (``user``: a CSV file or folder), optionally only ``only``."""
    stamp: tuple = ()
    if user:
        p = Path(user).expanduser()
        stamp = tuple((str(f), f.stat().st_mtime_ns) for f in _files(p))
    axes = _load(user, stamp)
    for name in only:
        if name not in axes:
            raise AuditError(UNKNOWN_AXIS.format(where=where, message=did_you_mean("axis", name, axes)))
    return {k: v for k, v in axes.items() if not only or k in only}
