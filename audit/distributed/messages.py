"""Ray's errors, in the one line a user needs."""

from __future__ import annotations


def ray_message(exc: BaseException) -> str:
    """The line that says what went wrong: Ray's errors end with the worker's exception."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[-1].strip().rstrip(".") if lines else type(exc).__name__
