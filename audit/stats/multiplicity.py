"""Adjusted p-values for many tests at once: Holm (family-wise error) and Benjamini-Hochberg (false discovery rate),
and the Benjamini-Hochberg decision at a given q.

One audit tests many things (group pairs, models against a baseline), so a single p below 0.05 among
them may be chance. Both adjustments take p-values in any order and return them adjusted in the same
order; an entry that is not a number (None, a missing test) stays None and is not counted in the family.
"""

from __future__ import annotations

import numpy as np

from audit.stats.validation import StatsInputError


def _family(p_values, what: str) -> tuple[list[int], np.ndarray]:
    """Positions of the numeric p-values and those values, refused unless each lies in [0, 1]."""
    where = [i for i, p in enumerate(p_values)
             if isinstance(p, (int, float, np.integer, np.floating)) and not isinstance(p, (bool, np.bool_))]
    p = np.array([float(p_values[i]) for i in where], dtype=float)
    if not ((p >= 0.0) & (p <= 1.0)).all():  # NaN fails too
        bad = next(float(x) for x in p if not 0.0 <= x <= 1.0)
        raise StatsInputError(f"{what}: p-values must lie between 0 and 1, got {bad!r}; pass the tests' p-values "
                              "(None for a test that was not made).")
    return where, p


def _scatter(n: int, where: list[int], adjusted: np.ndarray) -> list[float | None]:
    out: list[float | None] = [None] * n
    for i, value in zip(where, adjusted.tolist()):
        out[i] = value
    return out


def holm(p_values) -> list[float | None]:
    """Holm's (1979) step-down adjusted p-values, in the input order: the i-th smallest of m is multiplied by
    m - i + 1, made non-decreasing, capped at 1. Controls the chance of any false rejection."""
    where, p = _family(p_values, "holm")
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return _scatter(len(p_values), where, adjusted)


def benjamini_hochberg(p_values) -> list[float | None]:
    """Benjamini-Hochberg (1995) step-up adjusted p-values (q-values), in the input order: the i-th smallest
    of m is multiplied by m / i, made non-decreasing from the largest down, capped at 1. Controls the
    expected share of false discoveries among the rejections (independent or positively dependent tests)."""
    where, p = _family(p_values, "benjamini_hochberg")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return _scatter(len(p_values), where, adjusted)


def benjamini_hochberg_rejects(p_values, q: float) -> list[bool | None]:
    """Which hypotheses the Benjamini-Hochberg step-up procedure rejects at false discovery rate ``q``, in the
    input order: with the m p-values sorted, the largest k whose k-th smallest is at most k q / m, and every
    hypothesis up to it. Non-numbers stay None, as in :func:`benjamini_hochberg` (a hypothesis is rejected
    exactly when its adjusted p is at most q)."""
    if not 0.0 < q < 1.0:
        raise StatsInputError(f"benjamini_hochberg_rejects: q must lie strictly between 0 and 1, got {q!r}; e.g. 0.05.")
    where, p = _family(p_values, "benjamini_hochberg_rejects")
    m = p.size
    order = np.argsort(p, kind="stable")
    below = np.nonzero(p[order] <= q * np.arange(1, m + 1) / m)[0]
    keep = np.zeros(m, dtype=bool)
    if below.size:
        keep[order[: below[-1] + 1]] = True
    out: list[bool | None] = [None] * len(p_values)
    for i, k in zip(where, keep.tolist()):
        out[i] = bool(k)
    return out
