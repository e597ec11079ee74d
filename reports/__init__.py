"""Rendering only: a parsed results.json -> one self-contained report.html and a report.md.

Imports no model code (torch, transformers, sklearn, ``audit.models``, ``probes``), so a saved
results file re-renders anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit.core.fileio import atomic_write_text

from audit.reports import html as _html
from audit.reports import markdown as _markdown
from audit.reports.report import build_report

__all__ = ["write_reports", "render_html", "render_markdown"]


def render_html(results: dict) -> str:
    """The report as one HTML page: inline CSS and SVG, every data string escaped."""
    return _html.render(build_report(results), results.get("schema"))


def render_markdown(results: dict, style: str = "compact") -> str:
    """The same report as GitHub-flavoured Markdown. ``compact`` (default) fits a pull-request comment: the
    verdict, findings, scorecard and gate written out, each probe's detail in a <details> block, under 60,000
    characters; ``full`` writes every section out."""
    return _markdown.render(build_report(results), style)


def write_reports(results: dict, out_dir: str | Path, markdown: str = "compact") -> dict[str, Any]:
    """Write report.html and report.md (``markdown``: "compact" or "full", see :func:`render_markdown`) into
    ``out_dir``; returns their paths.

    A run configured with a ``governance`` section also gets its governance record
    (governance.html, governance.md, and model-index.yaml, or model-index--<model id>.yaml per
    model when there are several), as `audit record` would write it: ``model_indexes`` lists
    those files, ``model_index`` is the first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"html": out / "report.html", "markdown": out / "report.md"}
    atomic_write_text(paths["html"], render_html(results))
    atomic_write_text(paths["markdown"], render_markdown(results, markdown))
    from audit.reports.governance import governance_of, write_governance

    if governance_of(results):
        paths.update(write_governance(results, out, results_dir=out))
    return paths
