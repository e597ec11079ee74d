"""Blocks every probe section is made of: statuses, metrics side by side, a chart, examples,
configuration and raw details. Probe-specific renderers compose these."""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.reports.blocks import Callout, Cell, Code, Figure, Heading, KeyValues, Section, Table
from audit.reports.charts import bar_chart
from audit.core.fmt import fmt_duration, fmt_exact, fmt_value, pretty_json, truncate
from audit.core.document import as_dict, as_list, metric_names, metrics_of, model_result, status_of
from audit.reports.scorecard import headers, metric_row
from audit.reports.status import HAS_VALUES, callout_kind, status_css, status_label

MAX_EXAMPLES = 50  # per model and probe; probes already keep their own lists short
MARKDOWN_EXAMPLES = 10  # rows per examples table in report.md (a pull-request comment)
MAX_TEXT = 600  # characters of one example text cell
MAX_DETAILS = 20_000  # characters of a probe's raw details shown per model
FIRST_COLUMNS = ("id", "text", "text_pair")  # a sentence pair shows both texts, side by side
# One word-diff notation everywhere (noise flips, attack examples): the figures draw it, the tables write it.
DIFF_FIGURE = "Removed words struck through in red, inserted words bold and underlined in green."
DIFF_TEXT = "Changed words marked [-removed-] and {+inserted+}."
DIFF_MARKS = "[-removed-] {+inserted+}"


@dataclass
class SectionContext:
    models: list[str]
    colors: dict[str, str]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "probe"


def new_section(probe: dict) -> Section:
    name = str(probe.get("name") or "unnamed probe")
    version = probe.get("version")
    return Section(
        id=f"probe-{slug(name)}",
        title=name,
        subtitle=f"version {version}" if version else "",
        description=str(probe.get("description") or ""),
        badge=str(probe.get("family") or ""),
    )


def ok_models(probe: dict, ctx: SectionContext) -> list[str]:
    """Models whose unit has values to show: ok, and partial (what did run)."""
    return [m for m in ctx.models if status_of(probe, m)[0] in HAS_VALUES]


def status_blocks(probe: dict, ctx: SectionContext) -> list:
    """A per-model status table, plus a callout with the reason for each model that did not run."""
    rows, callouts = [], []
    for model in ctx.models:
        status, reason = status_of(probe, model)
        res = model_result(probe, model) or {}
        rows.append([
            Cell(model, css="model"),
            Cell(status_label(status), css=f"status {status_css(status)}", title=reason),
            Cell(fmt_duration(res.get("duration_s")), css="num"),
            Cell(str(res.get("predictions_file") or "—"), css="path"),
        ])
        if status != "ok":
            callouts.append(Callout(callout_kind(status), f"{model}: {status_label(status)}", reason or "No reason given."))
    table = Table(["Model", "Status", "Duration", "Predictions sidecar"], rows, css="status-table compact")
    return callouts + [table]


def metrics_table(probe: dict, ctx: SectionContext) -> Table | None:
    names = metric_names(probe, ctx.models)
    if not names:
        return None
    return Table(
        headers=headers("Metric", ctx.models),
        rows=[metric_row(probe, n, n, ctx.models) for n in names],
        caption="All metrics side by side; the verdict uses the same rule as the scorecard.",
        css="metrics-table",
    )


def headline_chart(probe: dict, ctx: SectionContext) -> Figure | None:
    """Bars with CI whiskers for the probe's headline metrics (nothing when it has none)."""
    names = metric_names(probe, ctx.models, headline_only=True)
    rows = [(n, {m: metrics_of(probe, m).get(n) for m in ctx.models}) for n in names]
    rows = [r for r in rows if any(v is not None for v in r[1].values())]
    if not rows:
        return None
    label = f"{probe.get('name')}: headline metrics by model, with confidence intervals"
    return Figure(title="Headline metrics", svg=bar_chart(rows, ctx.models, ctx.colors, label))


def example_columns(examples: list[dict], first: tuple[str, ...] = FIRST_COLUMNS) -> list[str]:
    cols = [key for key in first if any(key in e for e in examples)]
    for ex in examples:
        cols += [k for k in ex if k not in cols]
    return cols


def examples_table(examples: list, caption: str, first: tuple[str, ...] = FIRST_COLUMNS) -> Table:
    """One row per example; the ``first`` columns lead (texts styled as text), the rest as found."""
    rows_in = [e for e in as_list(examples) if isinstance(e, dict)]
    cols = example_columns(rows_in, first)
    rows = []
    for ex in rows_in[:MAX_EXAMPLES]:
        row = []
        for col in cols:
            text = fmt_value(ex.get(col)) if col in ex else "—"
            css = "text" if (col in first and col != "id") or len(text) > 40 else ("num" if isinstance(ex.get(col), (int, float)) else "")
            row.append(Cell(truncate(text, MAX_TEXT), css=css, title=text if len(text) > MAX_TEXT else ""))
        rows.append(row)
    if len(rows_in) > MAX_EXAMPLES:
        caption += f" (first {MAX_EXAMPLES} of {len(rows_in)})"
    return Table(cols, rows, caption=caption, css="examples", empty="No examples recorded.",
                 markdown_rows=MARKDOWN_EXAMPLES)


def examples_blocks(probe: dict, ctx: SectionContext, caption: str = "Examples") -> list:
    blocks: list = []
    for model in ctx.models:
        examples = as_list((model_result(probe, model) or {}).get("examples"))
        if examples:
            blocks += [Heading(f"{caption} — {model}"), examples_table(examples, "")]
    return blocks


def config_block(probe: dict) -> KeyValues | None:
    config = as_dict(probe.get("config"))
    if not config:
        return None
    return KeyValues([(k, fmt_exact(v)) for k, v in config.items()], caption="Probe configuration")


def details_blocks(probe: dict, ctx: SectionContext) -> list:
    """Raw per-model details as collapsed JSON: unknown probes still show everything they record."""
    blocks = []
    for model in ctx.models:
        details = (model_result(probe, model) or {}).get("details")
        if details:
            text = pretty_json(details)
            if len(text) > MAX_DETAILS:
                text = text[:MAX_DETAILS] + f"\n… ({len(text) - MAX_DETAILS} more characters in results.json)"
            blocks.append(Code(text, caption=f"Details — {model}", language="json", collapsed=True))
    return blocks


def generic_section(probe: dict, ctx: SectionContext) -> Section:
    """Any probe: statuses, metrics side by side, headline chart, examples, config, details."""
    section = new_section(probe)
    optional = [metrics_table(probe, ctx), headline_chart(probe, ctx)]
    section.blocks = status_blocks(probe, ctx) + [b for b in optional if b is not None]
    section.blocks += examples_blocks(probe, ctx)
    section.blocks += [b for b in [config_block(probe)] if b is not None]
    section.blocks += details_blocks(probe, ctx)
    return section
