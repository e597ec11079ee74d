"""A table of test cases (CSV) as a suite of MFT tests, e.g. HateCheck or the bias-madlibs set.

Columns are mapped to roles with ``columns`` (``text``, ``text_pair``, ``label``, ``test``,
``group``, ``template``) or found by name; a ``text_pair`` column makes a pair suite (each case
two texts; groups are inferred from both). Each row is one case with its expected label; ``test`` names
the test it belongs to (HateCheck's functionality); ``group`` the group it targets. Without a
group column, groups are inferred from the identity terms in the text, and cases that differ
only in that term form a matched set; with a ``template`` column, the rows of a template do.
"""

from __future__ import annotations

import csv
from pathlib import Path

from audit.core.errors import AuditError
from audit.probes.fairness.templates.expand import Cases
from audit.probes.fairness.templates.suite import Suite, Test
from audit.probes.fairness.swap import Matcher
from audit.probes.fairness.terms import Axis

ROLES = ("text", "text_pair", "label", "test", "group", "template")
FOUND_BY_NAME = {"text": ("test_case", "text", "sentence", "case", "premise", "sentence1"),
                 "text_pair": ("text_pair", "test_case_pair", "hypothesis", "sentence2"), "label": ("label_gold", "label", "gold", "expected"),
                 "test": ("functionality", "test", "template"), "group": ("target_ident", "group", "target", "identity"),
                 "template": ("case_templ", "templ")}
BAD_ROLE = "templates.columns has unknown role(s) {roles}; use {allowed}."
NO_COLUMN = ("{path}: no column for {role} (looked for {looked}; columns: {columns}); map it with templates.columns, "
             "e.g. {{{role}: NAME}}.")
MISSING_COLUMN = "{path}: column {column!r} (templates.columns {role}) not found; columns: {columns}."
EMPTY_CELL = "{path}:{line}: empty {role} in column {column!r}; fill it in or drop the row."
EMPTY_FILE = "{path} has no rows of cases; give a CSV with a header and at least one row."
NOT_UTF8 = "{path} is not UTF-8 text; save it as UTF-8."


def check_roles(columns: dict | None) -> None:
    unknown = sorted(set(columns or {}) - set(ROLES))
    if unknown:
        raise AuditError(BAD_ROLE.format(roles=", ".join(unknown), allowed=", ".join(ROLES)))


def _mapping(path: Path, header: list[str], columns: dict) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    lowered = {h.lower(): h for h in header}
    for role in ROLES:
        if role in columns:
            if columns[role] not in header:
                raise AuditError(MISSING_COLUMN.format(path=path, column=columns[role], role=role, columns=", ".join(header)))
            out[role] = columns[role]
            continue
        taken = set(out.values())
        out[role] = next((lowered[n] for n in FOUND_BY_NAME[role] if n in lowered and lowered[n] not in taken), None)
        if out[role] is None and role in ("text", "label"):
            raise AuditError(NO_COLUMN.format(path=path, role=role, looked=", ".join(FOUND_BY_NAME[role]),
                                              columns=", ".join(header)))
    return out


def _masked(text: str, mentions, axis: str) -> str:
    for m in reversed(mentions):
        text = text[:m.start] + "{" + axis + "}" + text[m.end:]
    return text


def _load(path: Path, columns: dict, axes: tuple[Axis, ...]) -> Suite:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise AuditError(NOT_UTF8.format(path=path)) from None
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    col = _mapping(path, header, columns)
    matchers = [Matcher(a) for a in axes] if col["group"] is None else []
    cases, tests, labels = Cases(), {}, set()
    for row in reader:
        line = reader.line_num
        text, label = (row.get(col[r]) or "" for r in ("text", "label"))
        pair = (row.get(col["text_pair"]) or "") if col["text_pair"] else None
        for role, value in (("text", text), ("label", label), ("text_pair", pair)):
            if value is not None and not value.strip():
                raise AuditError(EMPTY_CELL.format(path=path, line=line, role=role, column=col[role]))
        text, label = text.strip(), label.strip()
        pair = pair.strip() if pair is not None else None
        test = (row.get(col["test"]) or "").strip() or "all" if col["test"] else "all"
        ti = tests.setdefault(test, len(tests))
        groups: dict[str, str] = {}
        match: dict[str, tuple] = {}
        if col["group"]:
            group = (row.get(col["group"]) or "").strip()
            if group:
                groups[col["group"]] = group
                key = (row.get(col["template"]) or "").strip() if col["template"] else "all"
                match[col["group"]] = (test, key)
        both = (text,) if pair is None else (text, pair)
        for matcher in matchers:
            mentions = [matcher.mentions(t) for t in both]
            found = {m.group for ms in mentions for m in ms}
            if len(found) == 1:  # one group named, in either text or both
                name = matcher.axis.name
                groups[name] = found.pop()
                match[name] = (test,) + tuple(_masked(t, ms, name) for t, ms in zip(both, mentions))
        labels.add(label)
        cases.add(text, ti, label, cases.units, "case", groups, match, pair)
        cases.units += 1
    if not len(cases):
        raise AuditError(EMPTY_FILE.format(path=path))
    kind = "group column" if col["group"] else "inferred from identity terms"
    return Suite(path.stem, str(path), "csv", tuple(sorted(labels)), None,
                 f"{len(cases)} cases from {path.name}; groups {kind}; columns {col}.",
                 {}, tuple(Test(name, "MFT") for name in tests), cases, pair=col["text_pair"] is not None)


def load_csv_suite(path: Path, columns: dict | None, axes: dict[str, Axis]) -> Suite:
    """The cases of ``path``, cached by path, modification time, columns and term lists (a
    large table is read once per audit, not once per model)."""
    check_roles(columns)
    ordered = tuple(axes.values())
    key = (str(path.resolve()), path.stat().st_mtime_ns, tuple(sorted((columns or {}).items())),
           tuple(id(a) for a in ordered))
    if key not in _CACHE:
        _CACHE.clear()  # one table at a time: they can be large
        _CACHE[key] = (_load(path, dict(columns or {}), ordered), ordered)  # axes kept: their ids stay valid
    return _CACHE[key][0]


_CACHE: dict[tuple, tuple] = {}
