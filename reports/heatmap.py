"""Token heatmaps, format-neutral: the diverging colour scale, per-row scaling, top words.

Blue supports the explained label and orange speaks against it (the confusion matrix's right /
wrong colours, distinguishable with the common colour-vision deficiencies); white is zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from audit.reports.blocks import HeatRow
from audit.core.fmt import is_number
from audit.reports.svg import mix

POSITIVE, NEGATIVE, ZERO = "#2166ac", "#b35806", "#ffffff"
DARK_FROM = 0.6  # from this share of the row's max |score| on, the word is written in white
LEGEND_STEPS = (-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0)
IDENTITY = "identity term"  # the mark on an influential word that names a social group


@dataclass
class Token:
    text: str
    color: str  # background, #rrggbb
    title: str  # the raw score, as hover text
    dark: bool  # background dark enough for white text


def finite(x) -> float | None:
    return float(x) if is_number(x) and math.isfinite(x) else None


def heat_color(t: float) -> str:
    """The background for a score scaled to [-1, 1]."""
    t = max(-1.0, min(1.0, t))
    return mix(ZERO, POSITIVE if t >= 0 else NEGATIVE, abs(t))


def signed(x: float) -> str:
    """``+0.41`` / ``-0.22``; tiny scores (gradients) in scientific form so they do not read as zero."""
    return f"{x:+.2f}" if x == 0 or abs(x) >= 0.005 else f"{x:+.1e}"


def scale_of(row: HeatRow) -> float:
    """The row's max |score| over every word (also the ones cut from display); 0 when none."""
    return max((abs(v) for v in map(finite, row.scores) if v is not None), default=0.0)


def tokens(row: HeatRow, max_words: int) -> list[Token]:
    """The first ``max_words`` words with their colours, scaled by this row's max |score|."""
    scale = scale_of(row)
    out = []
    for i, word in enumerate(row.words[:max_words]):
        v = finite(row.scores[i]) if i < len(row.scores) else None
        if v is None:
            out.append(Token(str(word), ZERO, "no score", False))
            continue
        t = v / scale if scale else 0.0
        out.append(Token(str(word), heat_color(t), signed(v), abs(t) >= DARK_FROM))
    return out


def legend_tokens() -> list[Token]:
    return [Token(f"{t:+g}" if t else "0", heat_color(t), f"{t:+g} × the row's max |score|", abs(t) >= DARK_FROM)
            for t in LEGEND_STEPS]


def top_words(row: HeatRow, k: int) -> list[tuple[str, float]]:
    """The ``k`` words with the largest non-zero |score|, strongest first (earlier word on ties)."""
    scored = [(i, str(w), finite(row.scores[i])) for i, w in enumerate(row.words) if i < len(row.scores)]
    ranked = sorted(((i, w, v) for i, w, v in scored if v), key=lambda x: (-abs(x[2]), x[0]))
    return [(w, v) for _, w, v in ranked[:k]]


def top_words_text(row: HeatRow, k: int) -> str:
    """``great (+0.41), not (-0.22)``: what Markdown shows instead of colours."""
    if not any(finite(v) is not None for v in row.scores):
        return "no scores"
    return ", ".join(f"{w} ({signed(v)})" for w, v in top_words(row, k)) or "every score is 0"
