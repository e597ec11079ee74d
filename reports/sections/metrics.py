"""The ``metrics`` probe: confusion matrices and reliability diagrams per model side by side,
a per-class table and the most confident mistakes (keys as in docs/results-schema.md)."""

from __future__ import annotations

from audit.reports.blocks import Cell, Figure, FigureRow, Heading, Section, Table
from audit.reports.charts import confusion_heatmap, reliability_diagram
from audit.core.fmt import fmt_num
from audit.core.document import as_dict, as_list, model_result
from audit.reports.sections.common import (
    SectionContext, config_block, examples_blocks, generic_section, headline_chart, metrics_table,
    new_section, ok_models, status_blocks,
)


def _details(probe: dict, model: str) -> dict:
    return as_dict((model_result(probe, model) or {}).get("details"))


def _matrix_ok(labels: list, matrix: list) -> bool:
    return bool(labels) and len(matrix) == len(labels) and all(
        isinstance(r, list) and len(r) == len(labels) for r in matrix)


def confusion_figures(probe: dict, models: list[str]) -> FigureRow | None:
    figures = []
    for model in models:
        d = _details(probe, model)
        labels, matrix = [str(x) for x in as_list(d.get("labels"))], as_list(d.get("confusion_matrix"))
        if not _matrix_ok(labels, matrix):
            continue
        table = Table(["gold \\ predicted"] + labels,
                      [[Cell(g, css="label")] + [Cell(fmt_num(c), css="num") for c in row]
                       for g, row in zip(labels, matrix)], css="confusion compact")
        n = d.get("n")
        figures.append(Figure(title=model, svg=confusion_heatmap(labels, matrix, f"Confusion matrix — {model}"),
                              table=table, caption=f"n = {fmt_num(n)}" if n is not None else ""))
    if not figures:
        return None
    return FigureRow(figures, caption="Confusion matrices (rows: gold label, columns: predicted). "
                                      "Colour shows the share of the gold row; orange cells are mistakes.")


def reliability_figures(probe: dict, models: list[str]) -> FigureRow | None:
    figures = []
    for model in models:
        bins = [b for b in as_list(as_dict(_details(probe, model).get("reliability")).get("bins")) if isinstance(b, dict)]
        if not bins:
            continue
        table = Table(["confidence bin", "count", "mean confidence", "accuracy"],
                      [[Cell(f"{fmt_num(b.get('lower'), 2)}–{fmt_num(b.get('upper'), 2)}"),
                        Cell(fmt_num(b.get("count")), css="num"), Cell(fmt_num(b.get("mean_confidence")), css="num"),
                        Cell(fmt_num(b.get("accuracy")), css="num")] for b in bins if b.get("count")],
                      css="reliability compact", empty="All bins are empty.")
        figures.append(Figure(title=model, svg=reliability_diagram(bins, f"Reliability diagram — {model}"),
                              table=table))
    if not figures:
        return None
    return FigureRow(figures, caption="Reliability diagrams: each dot is one confidence bin (accuracy against "
                                      "mean confidence); the orange line is its gap to the dashed diagonal of "
                                      "perfect calibration; grey bars show how many examples fall in each bin.")


PER_CLASS_MODELS = 3  # models per per-class table, so the table fits a printed page


def per_class_tables(probe: dict, models: list[str]) -> list[Table]:
    """Per-class tables, a few models each (one table when there are up to three)."""
    with_data = [m for m in models if as_dict(_details(probe, m).get("per_class"))]
    chunks = [with_data[i:i + PER_CLASS_MODELS] for i in range(0, len(with_data), PER_CLASS_MODELS)]
    return [t for t in (per_class_table(probe, chunk) for chunk in chunks) if t is not None]


def per_class_table(probe: dict, models: list[str]) -> Table | None:
    per_model = {m: as_dict(_details(probe, m).get("per_class")) for m in models}
    models = [m for m in models if per_model[m]]
    if not models:
        return None
    labels: list[str] = []
    for m in models:
        labels += [str(k) for k in per_model[m] if str(k) not in labels]
    keys = ("precision", "recall", "f1")
    rows = []
    for label in labels:
        stats = {m: as_dict(per_model[m].get(label)) for m in models}
        supports = {fmt_num(s.get("support")) for s in stats.values() if s.get("support") is not None}
        row = [Cell(label, css="label"), Cell(" / ".join(sorted(supports)) or "—", css="num")]
        for m in models:
            row += [Cell(fmt_num(stats[m].get(k)), css="num") for k in keys]
        rows.append(row)
    return Table(
        headers=["Class", "Support"] + [k for _ in models for k in keys],
        rows=rows,
        header_groups=[("", 2)] + [(m, len(keys)) for m in models],
        caption="Per-class precision, recall and F1.",
        css="per-class",
    )


def metrics_section(probe: dict, ctx: SectionContext) -> Section:
    """Falls back to the generic layout if the details do not carry what this layout needs."""
    models = ok_models(probe, ctx)
    confusion = confusion_figures(probe, models)
    reliability = reliability_figures(probe, models)
    per_class = per_class_tables(probe, models)
    if confusion is None and reliability is None and not per_class:
        return generic_section(probe, ctx)
    section = new_section(probe)
    blocks: list = status_blocks(probe, ctx) + [metrics_table(probe, ctx), headline_chart(probe, ctx)]
    if confusion is not None:
        blocks += [Heading("Confusion matrices"), confusion]
    if reliability is not None:
        blocks += [Heading("Calibration"), reliability]
    if per_class:
        blocks += [Heading("Per class")] + per_class
    blocks += examples_blocks(probe, ctx, caption="Misclassified examples, most confident first")
    blocks.append(config_block(probe))
    section.blocks = [b for b in blocks if b is not None]
    return section
