"""Characters a reader cannot see: control characters (NUL, escape ...) and zero-width format
characters. A text made only of them (and spaces) is empty; control characters are counted on
loading and shown as visible symbols in the reports (audit.reports.controls)."""

from __future__ import annotations

import re
import unicodedata

CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab, newline, CR; and DEL


def invisible_only(text: str) -> bool:
    """True when ``text`` holds nothing visible: only whitespace, controls (Cc) and format
    characters (Cf: zero-width space and joiners, word joiner, byte-order mark, soft hyphen)."""
    return all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text)


def has_controls(text: str) -> bool:
    return CONTROLS.search(text) is not None
