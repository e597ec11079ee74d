"""A tiny document model shared by the HTML and Markdown renderers.

Sections are built once as blocks (tables, figures, callouts ...) so both output formats say
the same thing; each renderer only decides how a block looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from markupsafe import Markup


@dataclass
class Cell:
    """One table cell: plain text plus presentation hints (never raw HTML)."""

    text: str
    css: str = ""  # extra CSS classes, e.g. "num", "best", "muted"
    badge: str = ""  # a short marker shown next to the text, e.g. "best"
    strong: bool = False
    title: str = ""  # hover text in HTML
    flag: str = ""  # a unit status other than ok shown beside a value, e.g. "partial" (see reports/status.py)


CellLike = Union[Cell, str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[CellLike]]
    caption: str = ""  # a note shown under the table
    title: str = ""  # a heading shown above it
    header_groups: list[tuple[str, int]] | None = None  # (label, column span) above the headers
    css: str = ""
    empty: str = "No rows."
    markdown_rows: int | None = None  # keep a PR comment short: Markdown shows only this many rows
    headers_hidden: bool = False  # HTML keeps the header row for screen readers only (Markdown needs it)


@dataclass
class Figure:
    """An inline SVG for HTML; Markdown shows ``table`` instead (or nothing)."""

    title: str
    svg: Markup
    table: Table | None = None
    caption: str = ""


@dataclass
class FigureRow:
    """Figures shown side by side (one per model)."""

    figures: list[Figure]
    caption: str = ""


@dataclass
class Callout:
    """A status message: kind is "error", "not_applicable", "info", "warn", "pass" or "fail"."""

    kind: str
    title: str
    text: str = ""


@dataclass
class KeyValues:
    pairs: list[tuple[str, str]]
    caption: str = ""


@dataclass
class Code:
    """Preformatted text (pretty JSON, command lines); collapsible in HTML when long."""

    text: str
    caption: str = ""
    language: str = ""
    collapsed: bool = False


@dataclass
class Heading:
    text: str


@dataclass
class Legend:
    """What the marks in a table mean: (mark, explanation) pairs."""

    items: list[tuple[str, str]]


@dataclass
class HeatRow:
    """One explanation of one text: a signed score per word (positive supports the explained label)."""

    label: str
    words: list[str]
    scores: list[float | None]  # aligned with ``words``; None where the method gave no score


@dataclass
class HeatGroup:
    """The rows of one model for one text, under a header saying what that model predicted."""

    title: str
    rows: list[HeatRow]
    note: str = ""


@dataclass
class TokenHeatmap:
    """The same text explained by several models and methods, stacked so words line up by eye.

    HTML colours each word by its score scaled per row (max |score| = full colour); Markdown lists
    each row's ``top_k`` words by |score| instead.
    """

    title: str
    groups: list[HeatGroup]
    caption: str = ""
    max_words: int = 120  # HTML cuts longer texts (scaling still uses every word)
    top_k: int = 5


@dataclass
class ColorScale:
    """The legend of the token heatmaps: what the two ends of the diverging scale mean."""

    low: str
    high: str
    caption: str = ""


@dataclass
class CrossRef:
    """A sentence pointing to other sections of the report, by section id.

    Renderers link only the targets present in this report and show ``missing`` when none is.
    """

    text: str
    targets: list[tuple[str, str]]  # (section id, label)
    missing: str = ""


@dataclass
class FindingItem:
    """One finding: what is wrong, how sure we are, and where the evidence is."""

    severity: str  # "high" | "medium" | "low" | "" (unknown)
    title: str  # one plain sentence
    stats: str  # value [CI], threshold, adjusted p, as one short line
    target: str = ""  # section id of the evidence
    target_label: str = ""
    note: str = ""  # hover text: the rule and its reason


@dataclass
class ModelFindings:
    """A model's findings (ranked), and compactly what passed and what was not tested."""

    model: str
    findings: list[FindingItem]
    passed: list[tuple[str, str]] = field(default_factory=list)  # (name, hover text); one name may stand for many
    passed_count: int | None = None  # items behind ``passed`` when a name stands for many (None: one each)
    not_tested: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


@dataclass
class Findings:
    """The verdict's findings per model; ``empty`` is said instead when the results hold none."""

    groups: list[ModelFindings]
    rule: str = ""  # how findings were decided (the multiple-testing rule), printed under them
    empty: str = ""
    first: int = 3  # findings listed per model on the first screen; the rest fold away


Block = Union[Table, Figure, FigureRow, Callout, KeyValues, Code, Heading, Legend, TokenHeatmap, ColorScale, CrossRef,
              Findings]


@dataclass
class Section:
    id: str
    title: str
    subtitle: str = ""
    description: str = ""
    blocks: list[Block] = field(default_factory=list)
    badge: str = ""  # e.g. the probe family
    flags: list[tuple[str, str]] = field(default_factory=list)  # (text, css) badges beside the title, e.g. statuses
    collapsible: bool = False  # HTML folds it into <details>; compact Markdown too
    open: bool = True  # unfolded by default (when collapsible)
    nav: str = ""  # a short note beside its entry in the contents bar, e.g. "2 findings"


@dataclass
class Report:
    title: str
    subtitle: str
    notices: list[Callout]
    sections: list[Section]


def cell(value: CellLike) -> Cell:
    """Normalise a table entry to a :class:`Cell`."""
    return value if isinstance(value, Cell) else Cell(str(value))
