"""Render a :class:`Report` as one self-contained HTML page (inline CSS and SVG, no scripts).

Jinja2 runs with autoescape on: every string from the data is escaped. The only markup that
bypasses escaping is the SVG built by ``audit.reports.svg``, which escapes on construction.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

import audit
from audit.reports.blocks import Report, cell
from audit.reports.controls import visible_controls
from audit.reports.heatmap import IDENTITY, legend_tokens, tokens
from audit.reports.scorecard import MARK_CSS

TEMPLATES = Path(__file__).parent / "templates"
EXTRA_MARKS = {IDENTITY: "mark-identity"}


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
                       heat_tokens=tokens, legend_tokens=legend_tokens, linked=linked)
    return env


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
