"""Control characters from the data (NUL, escape, backspace ...) shown as visible symbols.

A browser drops or mangles them and a Markdown viewer may cut a line at a NUL, so a text
holding one would be shown as something it is not. Each C0 control other than tab, newline
and carriage return, and DEL, becomes its Unicode "control picture" (U+2400 block: NUL is ␀),
in every page the reports write; the Data table counts the texts that held any.
"""

from __future__ import annotations

import re

from audit.core.textchars import CONTROLS


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def visible_controls(text: str) -> str:
    """``text`` with every control character replaced by its visible picture."""
    return CONTROLS.sub(_picture, text)
