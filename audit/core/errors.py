"""User-facing errors.

An :class:`AuditError` is a problem with the user's input (a path, a column, a config key,
a model that does not load). The CLI prints its one-line message to stderr and exits with
code 2, without a traceback unless ``--debug`` is given. Anything else is a bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class AuditError(Exception):
    """A problem with the user's input; the message says what is wrong and how to fix it."""

    exit_code = 2


# Typed subclasses, so Python callers (``audit.run``) can catch one kind of problem; the CLI treats
# them all as an AuditError (one line, exit 2). Raise the most specific one that fits.

class UnsupportedInputError(AuditError, TypeError):
    """A model or data object of a type audit cannot use; the message lists the types it accepts."""


class DataError(AuditError, ValueError):
    """The data cannot be audited as given: a missing column, key, label or text."""


class ModelError(AuditError, ValueError):
    """A model cannot be loaded or used: no ``predict_proba``, labels that do not fit, a broken file."""


def did_you_mean(kind: str, name: str, known: Iterable[str]) -> str:
    """Message for an unknown name: ``Unknown probe 'x'. Did you mean 'y'? Known: a, b.``"""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown {kind} '{name}'.{hint} Known: {', '.join(known)}."
