"""The config keys every robustness probe's group breakdown shares, checked alike."""

from __future__ import annotations

from audit.core.errors import AuditError


def check_group_keys(probe: str, min_support: int, tolerance: float) -> None:
    """``group_min_support`` >= 1 and ``group_tolerance`` in [0, 1], each error naming the probe's key."""
    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 1:
        raise AuditError(f"{probe}.group_min_support must be a whole number >= 1, got {min_support!r}.")
    if not 0 <= tolerance <= 1:
        raise AuditError(f"{probe}.group_tolerance must be between 0 and 1, got {tolerance!r}.")
