"""Render a :class:`Report` as GitHub-flavoured Markdown, fit for a pull-request comment.

Texts from the data are neutralised: HTML special characters become entities, Markdown
punctuation is backslash-escaped, ``|`` and newlines cannot break a table row, and ``@`` cannot
mention anyone.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markupsafe import Markup

from audit.reports.controls import visible_controls
from audit.reports.blocks import (
    Callout, Code, ColorScale, CrossRef, Figure, FigureRow, Findings, Heading, KeyValues, Legend, Report, Section, Table,
    TokenHeatmap, cell,
)
from audit.reports.heatmap import top_words_text

MAX_CODE = 4000  # characters of one code block; the full text is in results.json / report.html
ICONS = {"pass": "✅", "fail": "❌", "error": "⛔", "not_applicable": "➖", "info": "ℹ️", "warn": "⚠️"}
_MD_PUNCT = re.compile(r"([\\`*_\[\]~#|])")
_MENTION = re.compile(r"(?<![0-9A-Za-z.+_\\-])@")  # an @ not preceded by an e-mail local part's last character


def md_text(text: object) -> str:
    """Inline text with no HTML and no Markdown formatting left in it.

    Markup (an HTML-only link, escaped on construction) becomes its plain text. An ``@`` that
    could start a GitHub mention (at the start or after a space or punctuation) gets a zero-width
    space after it; one inside an e-mail address (after a letter or digit) is left alone, so a
    copied address works.
    """
    if isinstance(text, Markup):
        text = text.striptags()
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_PUNCT.sub(r"\\\1", s)
    return _MENTION.sub("@\u200b", s)


def md_cell(text: object) -> str:
    """``md_text`` that also keeps a table row on one line."""
    return re.sub(r"\r\n|\r|\n", "<br>", md_text(text)).strip() or " "


def _cell(value) -> str:
    c = cell(value)
    text = md_cell(c.text)
    if c.strong:
        text = f"**{text}**"
    if c.badge:
        text += f" _({md_cell(c.badge)})_"
    if c.flag:
        text += f" _\\[{md_cell(c.flag)}\\]_"
    return text


def table(t: Table) -> list[str]:
    headers = list(t.headers)
    if t.header_groups:
        groups = [g for g, span in t.header_groups for _ in range(span)]
        headers = [f"{g}: {h}" if g else h for g, h in zip(groups + [""] * len(headers), headers)]
    out = [f"**{md_text(t.title)}**", ""] if t.title else []
    if t.caption:
        out += [f"_{md_text(t.caption)}_", ""]
    if not t.rows:
        return out + [f"_{md_text(t.empty)}_", ""]
    n = len(headers)
    out.append("| " + " | ".join(md_cell(h) for h in headers) + " |")
    out.append("|" + "|".join("---" for _ in headers) + "|")
    rows = t.rows if t.markdown_rows is None else t.rows[: t.markdown_rows]
    for row in rows:
        cells = [_cell(v) for v in list(row)[:n]] + [" "] * max(0, n - len(row))
        out.append("| " + " | ".join(cells) + " |")
    if len(rows) < len(t.rows):
        out += ["", f"_First {len(rows)} of {len(t.rows)} rows; all of them are in report.html._"]
    return out + [""]


def key_values(kv: KeyValues) -> list[str]:
    return table(Table([kv.caption or "Field", "Value"], [[k, v] for k, v in kv.pairs]))


def code(c: Code) -> list[str]:
    text = c.text if len(c.text) <= MAX_CODE else c.text[:MAX_CODE] + "\n… (truncated; see results.json)"
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    body = [f"{fence}{c.language}", text, fence, ""]
    if c.collapsed:
        return [f"<details><summary>{md_text(c.caption or 'Details')}</summary>", ""] + body + ["</details>", ""]
    return ([f"**{md_text(c.caption)}**", ""] if c.caption else []) + body


def callout(c: Callout) -> list[str]:
    line = f"> {ICONS.get(c.kind, '')} **{md_cell(c.title)}**"
    if c.text:
        line += f" — {md_cell(c.text)}"
    return [line, ""]


def figure(f: Figure, level: str = "####") -> list[str]:
    """Markdown cannot show the SVG: the figure's table stands in, or nothing at all. A table with a caption
    of its own is read by it (the figure's caption describes the picture, e.g. its colours)."""
    if f.table is None:
        return []
    out = [f"{level} {md_text(f.title)}", ""]
    if f.caption and not f.table.caption:
        out += [f"_{md_text(f.caption)}_", ""]
    return out + table(f.table)


def heatmap(h: TokenHeatmap) -> list[str]:
    """No colours in a PR comment: each row's strongest words with their signed scores."""
    rows = []
    for g in h.groups:
        for i, r in enumerate(g.rows):
            who = f"{g.title} — {g.note}" if g.note and i == 0 else g.title
            rows.append([who, r.label, top_words_text(r, h.top_k)])
    t = Table(["Model", "Method", f"Top {h.top_k} words (score)"], rows, caption=h.caption)
    return [f"**{md_text(h.title)}**", ""] + table(t)


SEVERITY_ICONS = {"high": "🔴", "medium": "🟠", "low": "🟡"}


def findings(f: Findings) -> list[str]:
    """Per model a numbered list of its findings (all of them: a comment is where they are read), then what
    passed and what was not tested, one line each; the multiple-testing rule last."""
    if not f.groups:
        return [f"_{md_text(f.empty)}_", ""]
    out: list[str] = []
    for g in f.groups:
        n = len(g.findings)
        out += [f"**{md_text(g.model)}** · {n} finding{'s' if n != 1 else ''}", ""]
        for i, item in enumerate(g.findings, 1):
            sev = f"{SEVERITY_ICONS.get(item.severity, '')} **{item.severity}** · " if item.severity else ""
            line = f"{i}. {sev}{md_cell(item.title)}"
            line += f" — {md_cell(item.stats)}" if item.stats else ""
            line += f" (evidence: {md_cell(item.target_label)})" if item.target else ""
            out.append(line)
        if not g.findings:
            out.append("No findings.")
        out.append("")
        if g.passed:
            count = len(g.passed) if g.passed_count is None else g.passed_count
            out += [f"passed ({count}): " + ", ".join(md_cell(name) for name, _ in g.passed), ""]
        if g.not_tested:
            out += [f"not tested ({len(g.not_tested)}): " + "; ".join(f"{md_cell(name)} ({md_cell(why)})"
                                                                      for name, why in g.not_tested), ""]
    if f.rule:
        out += [f"_{md_text(f.rule)}_", ""]
    return out


def cross_ref(c: CrossRef, anchors: frozenset[str]) -> list[str]:
    """Plain section names: GitHub derives heading anchors its own way, so no links here."""
    names = [f"**{md_text(label)}**" for sid, label in c.targets if sid in anchors]
    if not names:
        return [md_text(c.missing or c.text), ""]
    return [f"{md_text(c.text)} {', '.join(names)}.", ""]


def block(b, anchors: frozenset[str] = frozenset()) -> list[str]:
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, KeyValues):
        return key_values(b)
    if isinstance(b, Code):
        return code(b)
    if isinstance(b, Callout):
        return callout(b)
    if isinstance(b, Legend):
        return [f"- **{md_text(mark)}**: {md_text(text)}" for mark, text in b.items] + [""]
    if isinstance(b, Heading):
        return [f"### {md_text(b.text)}", ""]
    if isinstance(b, Figure):
        return figure(b)
    if isinstance(b, TokenHeatmap):
        return heatmap(b)
    if isinstance(b, ColorScale):
        text = f"Word scores: negative = {md_text(b.low)}, positive = {md_text(b.high)}. {md_text(b.caption)}"
        return [f"_{text.strip()}_", ""]
    if isinstance(b, CrossRef):
        return cross_ref(b, anchors)
    if isinstance(b, Findings):
        return findings(b)
    if isinstance(b, FigureRow):
        out = [f"_{md_text(b.caption)}_", ""] if b.caption else []
        for f in b.figures:
            out += figure(f)
        return out
    raise TypeError(f"Unknown report block {type(b).__name__}")


def section(s: Section, anchors: frozenset[str] = frozenset()) -> list[str]:
    out = [f"## {section_title(s)}", ""]
    if s.subtitle or s.description:
        out += [" — ".join(md_text(x) for x in (s.subtitle, s.description) if x), ""]
    for b in s.blocks:
        out += block(b, anchors)
    return out


def section_title(s: Section, escape=md_text) -> str:
    parts = [s.title] + ([s.badge] if s.badge else []) + [text for text, _ in s.flags] + ([s.nav] if s.nav else [])
    return " · ".join(escape(p) for p in parts)


def html_text(text: object) -> str:
    """Text inside raw HTML (a <summary> line, which GitHub does not read as Markdown): HTML-escaped, no
    backslashes, and an ``@`` that cannot mention anyone."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\u200b", re.sub(r"\r\n|\r|\n", " ", s))


STYLES = ("compact", "full")
COMPACT_LIMIT = 60_000  # characters; GitHub refuses a comment over 65,536
COMPACT_ROWS = 5  # rows per table inside a folded section of the compact report
COMPACT_EXAMPLES = 3  # rows per examples table there (long texts)
COMPACT_HEATMAPS = 3  # explained texts there
LEFT_OUT = ("_Left out to keep this report under GitHub's comment limit: see report.html, or write the full "
            "Markdown with `audit report --markdown full`._")


def compact_block(b):
    """A folded section's block as the compact report shows it: tables cut to their first rows, raw JSON and
    long code left out (results.json and report.html hold them)."""
    if isinstance(b, Table):
        limit = COMPACT_EXAMPLES if "examples" in b.css.split() else COMPACT_ROWS
        limit = min(limit, b.markdown_rows) if b.markdown_rows is not None else limit
        return b if len(b.rows) <= limit + 2 else replace(b, markdown_rows=limit)  # cut only what saves space
    if isinstance(b, Figure):
        return replace(b, table=None if b.table is None else compact_block(b.table))
    if isinstance(b, FigureRow):
        return replace(b, figures=[compact_block(f) for f in b.figures])
    if isinstance(b, Code) and (b.collapsed or len(b.text) > COMPACT_CODE):
        return None
    return b


COMPACT_CODE = 600  # longer code (a resolved configuration) stays in report.html


def folded(s: Section, anchors: frozenset[str], body: bool = True) -> list[str]:
    """A section inside <details> (GitHub shows the summary line and opens it on a click)."""
    out = [f"<details><summary>{section_title(s, html_text)}</summary>", ""]
    if not body:
        return out + [LEFT_OUT, "", "</details>", ""]
    if s.subtitle or s.description:
        out += [" — ".join(md_text(x) for x in (s.subtitle, s.description) if x), ""]
    heatmaps = [b for b in s.blocks if isinstance(b, TokenHeatmap)]
    captions: set[str] = set()
    for b in s.blocks:
        c = compact_block(b)
        if isinstance(c, Table) and c.caption:  # a caption repeated per model is said once
            caption = c.caption
            c = replace(c, caption="") if caption in captions else c
            captions.add(caption)
        if isinstance(b, TokenHeatmap) and heatmaps.index(b) >= COMPACT_HEATMAPS:
            continue
        out += block(c, anchors) if c is not None else []
        if isinstance(b, TokenHeatmap) and heatmaps.index(b) == COMPACT_HEATMAPS - 1 and len(heatmaps) > COMPACT_HEATMAPS:
            out += [f"_{len(heatmaps) - COMPACT_HEATMAPS} more explained texts in report.html._", ""]
    return out + ["</details>", ""]


def render(report: Report, style: str = "compact") -> str:
    """The report as Markdown. ``full``: every section written out. ``compact`` (the default, for a pull-request
    comment): the sections that fold in HTML (the probes, the appendix) go into <details> blocks with their
    tables cut short, and if the whole still exceeds ``COMPACT_LIMIT`` characters the folded sections lose their
    bodies, last first, until it fits; the verdict, scorecard and gate are always written out."""
    if style not in STYLES:
        raise ValueError(f"Unknown Markdown style '{style}'; use one of: {', '.join(STYLES)}")
    head = [f"# {md_text(report.title)}", "", md_text(report.subtitle), ""]
    for n in report.notices:
        head += callout(n)
    anchors = frozenset(s.id for s in report.sections)
    if style == "full":
        parts = [section(s, anchors) for s in report.sections]
        return _finish(head + [line for p in parts for line in p])
    sections = report.sections
    parts = [folded(s, anchors) if s.collapsible else section(s, anchors) for s in sections]
    size = lambda: sum(len(line) + 1 for p in [head, *parts] for line in p)  # noqa: E731
    for i in cut_order(sections):
        if size() <= COMPACT_LIMIT:
            break
        parts[i] = folded(sections[i], anchors, body=False)
    return _finish(head + [line for p in parts for line in p])


def cut_order(sections: list[Section]) -> list[int]:
    """Which folded sections lose their body first when the compact report is too long: those without a
    finding (folded in HTML too) from the last, then the open ones (findings, the appendix) from the last."""
    folds = [i for i in reversed(range(len(sections))) if sections[i].collapsible]
    return [i for i in folds if not sections[i].open] + [i for i in folds if sections[i].open]


def _finish(lines: list[str]) -> str:
    return visible_controls("\n".join(lines).rstrip() + "\n")
