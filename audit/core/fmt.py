"""Formatting of numbers, intervals, durations and hashes: one place, so every table agrees."""

from __future__ import annotations

import json
import math
from typing import Any

DASH = "—"


def is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def decimals_for(x: float) -> int:
    """Three decimals for metric-sized values, fewer for large ones, more for tiny ones."""
    ax = abs(x)
    if ax == 0 or ax >= 0.01:
        return 3 if ax < 100 else 1
    return min(6, 2 - int(math.floor(math.log10(ax))))


def fmt_num(x: Any, decimals: int | None = None) -> str:
    """A number as text; None as an em dash; other values as their text."""
    if x is None:
        return DASH
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}" if abs(x) >= 10_000 else str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        if x.is_integer() and abs(x) > 1 and decimals is None:  # counts stored as floats
            return fmt_num(int(x))
        d = decimals_for(x) if decimals is None else decimals
        return f"{x:,.{d}f}" if abs(x) >= 10_000 else f"{x:.{d}f}"
    return str(x)


def ci_of(metric: dict | None) -> tuple[float, float] | None:
    """The metric's interval as two numbers, or None when absent or malformed."""
    ci = (metric or {}).get("ci")
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(is_number(v) for v in ci):
        return float(ci[0]), float(ci[1])
    return None


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two intervals share a point: the conservative "not distinguishable" rule."""
    return min(a) <= max(b) and min(b) <= max(a)


def fmt_ci(ci: tuple[float, float] | None, decimals: int | None = None) -> str:
    if ci is None:
        return ""
    lo, hi = ci
    d = decimals if decimals is not None else max(decimals_for(lo), decimals_for(hi))
    return f"[{fmt_num(float(lo), d)}, {fmt_num(float(hi), d)}]"


def fmt_metric(metric: dict | None) -> str:
    """``0.912 [0.893, 0.931]``; the value alone without a CI; an em dash without a value."""
    value = (metric or {}).get("value")
    if not is_number(value):
        return DASH if value is None else str(value)
    ci = ci_of(metric)
    if ci is None:
        return fmt_num(value)
    d = decimals_for(float(value)) if isinstance(value, float) else 3
    return f"{fmt_num(float(value), d)} {fmt_ci(ci, d)}"


def fmt_pct(x: Any) -> str:
    return DASH if not is_number(x) else f"{100 * x:.1f}%"


def fmt_duration(seconds: Any) -> str:
    if not is_number(seconds):
        return DASH
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def short_hash(value: Any, keep: int = 12) -> str:
    """``sha256:3f9a1c0b2d4e…``: enough to compare by eye; the full hash is in the appendix."""
    if not value:
        return DASH
    text = str(value)
    algo, sep, digest = text.partition(":")
    if not sep:
        algo, digest = "", text
    if len(digest) <= keep:
        return text
    return f"{algo}{sep}{digest[:keep]}…"


def fmt_value(x: Any) -> str:
    """Any JSON value compactly (numbers formatted, structures as one-line JSON)."""
    if x is None or is_number(x) or isinstance(x, bool):
        return fmt_num(x)
    if isinstance(x, str):
        return x
    return json.dumps(x, ensure_ascii=False, sort_keys=True, default=str)


def fmt_exact(x: Any) -> str:
    """A value as the user wrote it (configs, thresholds): no rounding that could mislead."""
    if isinstance(x, float) and math.isfinite(x):
        return format(x, ".6g")
    return fmt_value(x)


def pretty_json(x: Any) -> str:
    """Indented JSON in the document's own key order (the order a config was written in)."""
    return json.dumps(x, ensure_ascii=False, indent=2, default=str)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
