"""Inline SVG building blocks: an escaping element builder, colours and axis scales.

Every attribute value and text node goes through markupsafe, so untrusted labels and texts
cannot break out of an SVG ``<title>`` or attribute. Charts live in ``reports/charts.py``.
"""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#6B6B6B", "#F0E442")


def model_colors(models: list[str]) -> dict[str, str]:
    """One colour per model, stable across every chart of a report."""
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(models)}


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


def el(tag: str, attrs: dict[str, Any] | None = None, *children: Any) -> Markup:
    """``<tag attr="...">children</tag>`` with every attribute and plain-text child escaped."""
    parts = [f"<{tag}"]
    for key, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        text = _num(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        parts.append(f' {key.rstrip("_").replace("_", "-")}="{escape(text)}"')
    body = "".join(str(c) if isinstance(c, Markup) else str(escape(c)) for c in children if c is not None)
    if not body and tag not in ("text", "title", "svg", "g"):
        return Markup("".join(parts) + "/>")
    return Markup("".join(parts) + ">" + body + f"</{tag}>")


def title(text: str) -> Markup:
    """A tooltip (and accessible name) for the enclosing SVG element."""
    return el("title", None, text)


def svg(width: float, height: float, label: str, *children: Any, css: str = "chart") -> Markup:
    """An inline ``<svg>`` (HTML5 needs no xmlns, so the page names no URL at all)."""
    return el(
        "svg",
        {
            "viewBox": f"0 0 {_num(float(width))} {_num(float(height))}",
            "width": width,
            "height": height,
            "role": "img",
            "aria-label": label,
            "class": css,
        },
        title(label),
        *children,
    )


def clip_label(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_range(values: list[float]) -> tuple[float, float, list[float]]:
    """An axis range covering ``values`` (0..1 when they fit) and round tick positions."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    lo, hi = min(finite + [0.0]), max(finite + [0.0])
    if lo >= 0 and hi <= 1:
        return 0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    return lo, hi, ticks


def tick_text(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.2f}".rstrip("0")


def mix(color_a: str, color_b: str, t: float) -> str:
    """Linear mix of two ``#rrggbb`` colours (t=0 gives a, t=1 gives b)."""
    t = max(0.0, min(1.0, t))
    a = [int(color_a[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(color_b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))
