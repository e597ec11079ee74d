"""Word lists behind the lexical perturbations: synonym pairs, contractions, UK/US spellings.

A synonym source is a text file of ``word1 word2`` pairs, one per line (the format of the
PPDB lists in ../shared/data/synonyms); blank lines and ``#`` comments are skipped. Pairs
work both ways. The bundled lists live in ``probes/noise/data`` (package data). Files are
read once per path and modification time, so every model of an audit shares one parse.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from audit.core.errors import AuditError

DATA = Path(__file__).with_name("data")
DEFAULT_SYNONYMS = DATA / "synonyms_en.txt"
CONTRACTIONS = DATA / "contractions_en.txt"
SPELLINGS = DATA / "spelling_uk_us.txt"

SYNONYMS_MISSING = "Synonym file not found: {path}. Give a file of 'word1 word2' pairs per line, or drop noise.synonyms to use the bundled list."
SYNONYMS_UNREADABLE = "Cannot read synonym file {path}: {reason}. Save it as UTF-8 text of 'word1 word2' pairs per line."
SYNONYMS_MALFORMED = "Malformed line {line} in synonym file {path}: {text!r}. Each line must be two words separated by a space ('word1 word2')."
SYNONYMS_EMPTY = "Synonym file {path} holds no pairs. Give 'word1 word2' pairs, one per line."


def _lines(path: Path):
    """(line number, stripped text) of the lines that are neither blank nor comments."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            text = line.strip()
            if text and not text.startswith("#"):
                yield number, text


def load_synonyms(path: str | os.PathLike | None = None) -> dict[str, tuple[str, ...]]:
    """Lower-case word -> its synonyms (sorted), from ``path`` or the bundled English list."""
    p = Path(path).expanduser() if path is not None else DEFAULT_SYNONYMS
    try:
        stat = p.stat()
    except OSError:
        raise AuditError(SYNONYMS_MISSING.format(path=p)) from None
    if not p.is_file():
        raise AuditError(SYNONYMS_MISSING.format(path=p))
    return _parse_synonyms(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _parse_synonyms(path: str, mtime_ns: int, size: int) -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    try:
        for number, text in _lines(Path(path)):
            parts = text.split()
            if len(parts) != 2:
                raise AuditError(SYNONYMS_MALFORMED.format(line=number, path=path, text=text[:80]))
            a, b = (w.lower() for w in parts)
            if a != b:
                table.setdefault(a, set()).add(b)
                table.setdefault(b, set()).add(a)
    except UnicodeDecodeError as exc:
        raise AuditError(SYNONYMS_UNREADABLE.format(path=path, reason=f"not UTF-8 ({exc.reason})")) from None
    except OSError as exc:
        raise AuditError(SYNONYMS_UNREADABLE.format(path=path, reason=exc.strerror or exc)) from None
    if not table:
        raise AuditError(SYNONYMS_EMPTY.format(path=path))
    return {w: tuple(sorted(s)) for w, s in table.items()}


@functools.lru_cache(maxsize=None)
def toggles(path: Path) -> dict[str, str]:
    """A bundled two-way table: ``short long words`` lines -> {short: long, long: short}.

    Used for contractions (``don't do not``) and spellings (``colour color``); the first token
    is one form and the rest of the line the other.
    """
    table: dict[str, str] = {}
    for _, text in _lines(path):
        first, _, rest = text.partition(" ")
        table[first.lower()] = " ".join(rest.split()).lower()
        table.setdefault(" ".join(rest.split()).lower(), first.lower())
    return table
