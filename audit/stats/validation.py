"""Input checks shared by the statistics modules.

A bad argument raises :class:`StatsInputError`: an :class:`~audit.core.errors.AuditError` (so the
CLI prints its one line and exits 2) that is also a ``ValueError`` (so numeric callers that catch
``ValueError`` keep working).
"""

from __future__ import annotations

import numpy as np

from audit.core.errors import AuditError


class StatsInputError(AuditError, ValueError):
    """A statistics function got input it cannot use; the message names the argument and the fix."""


def paired_arrays(a, b, dtype, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as arrays of ``dtype``, refused unless they have one shape (one value per example each)."""
    x, y = np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)
    if x.shape != y.shape:
        raise StatsInputError(f"{what}: paired arrays differ in length: {x.shape} vs {y.shape}; pass one value per "
                              "example for both sides, in the same example order.")
    return x, y


def confidence_level(confidence: float, what: str) -> float:
    """``confidence`` as a float strictly between 0 and 1."""
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise StatsInputError(f"{what}: confidence must lie strictly between 0 and 1, got {confidence!r}; "
                              "e.g. 0.95.")
    return c
