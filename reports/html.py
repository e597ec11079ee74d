"""Render a :class:`Report` as one self-contained HTML page (inline CSS and SVG, no scripts).

Jinja2 runs with autoescape on: every string from the data is escaped. The only markup that
bypasses escaping is the SVG built by ``audit.reports.svg``, which escapes on construction.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

import audit
from audit.reports.blocks import Report, cell
from audit.reports.controls import visible_controls
from audit.reports.heatmap import IDENTITY, legend_tokens, tokens
from audit.reports.scorecard import MARK_CSS

TEMPLATES = Path(__file__).parent / "templates"
EXTRA_MARKS = {IDENTITY: "mark-identity"}
WIDE_COLUMNS = 8  # a table with more columns prints on a landscape page


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(cell=cell, kind=lambda b: type(b).__name__, mark_css={**MARK_CSS, **EXTRA_MARKS},
                       heat_tokens=tokens, legend_tokens=legend_tokens, linked=linked,
                       figure_style=figure_style, breakable=breakable, WIDE_COLUMNS=WIDE_COLUMNS)
    return env


_WIDTH = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)"')


def figure_style(figures: list) -> str:
    """The CSS variables of a row of figures: its columns are at least 85% of the widest figure's own
    width (``--fig-min``), and a figure grows to fill its column up to 120% of that width (``--fig-max``);
    a lone figure keeps its own width. Numbers only, never data."""
    widths = [float(m.group(1)) for f in figures if (m := _WIDTH.search(str(f.svg)))]
    if not widths:
        return ""
    w = max(widths)
    if len(figures) == 1:
        return f"--fig-max:{w:.0f}px"
    return f"--fig-min:{0.85 * w:.0f}px;--fig-max:{1.2 * w:.0f}px"


_BREAK_AFTER = re.compile(r"(?<=[._/=])(?=[^\s\d._/=])")


def breakable(text: str) -> Markup:
    """``text`` escaped, with a ``<wbr>`` after each ``.``, ``_``, ``/`` and ``=`` that a letter follows: an
    identifier in an examples table (``negative_review_by_group``, ``sexual_orientation=queer``) wraps at its
    parts, never mid-word, and copies as it reads (``<wbr>`` adds no character)."""
    return Markup("<wbr>").join(escape(part) for part in _BREAK_AFTER.split(str(text)))


def linked(targets: list[tuple[str, str]], anchors: set[str]) -> list[tuple[str, str]]:
    """Cross-reference targets that exist in this report: a link never points nowhere."""
    return [(sid, label) for sid, label in targets if sid in anchors]


def stylesheet() -> Markup:
    """The inline stylesheet; it is ours, not data, and contains no ``</style>``."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    if "</" in css or "url(" in css:
        raise ValueError("report.css must not close its <style> element or load external resources")
    return Markup(css)


def render(report: Report, schema: str | None, source: str = "results.json") -> str:
    """The page; ``source`` names what it was rendered from (shown in the footer)."""
    template = environment().get_template("report.html.j2")
    anchors = {s.id for s in report.sections}
    return visible_controls(template.render(report=report, css=stylesheet(), version=audit.__version__,
                                            schema=schema or "—", anchors=anchors, source=source))
