"""The `bias-auc` section: overall and worst-group AUCs, the generalized means per attribute, and per
attribute a table of groups x (subgroup, BPSN, BNSP AUC [CI], n) with the models side by side and bar
charts by group. Groups more than the probe's tolerance below the overall AUC are marked. Built from the
probe's details alone (keys as the probe writes them); falls back to the generic layout without them."""

from __future__ import annotations

from audit.core.document import as_dict, as_list, model_result
from audit.core.fmt import fmt_exact, fmt_metric, fmt_num
from audit.reports.blocks import Callout, Cell, CellLike, Figure, FigureRow, Heading, Section, Table
from audit.reports.charts import bar_chart
from audit.reports.scorecard import headers, metric_row
from audit.reports.sections.common import (
    SectionContext, config_block, examples_table, generic_section, new_section, ok_models, status_blocks,
)
from audit.reports.sections.fairness_charts import metric_of
from audit.reports.sections.fairness_groups import groups_by_model

FAMILIES = {"subgroup": "Subgroup AUC", "bpsn": "BPSN AUC", "bnsp": "BNSP AUC"}
BELOW, SMALL = "below overall", "small: not in summaries"
MEANING = ("Subgroup AUC ranks the group's own examples. BPSN (background positive, subgroup negative) is low when "
           "the model scores the group's negatives above other positives: false positives on texts mentioning the "
           "group. BNSP (background negative, subgroup positive) is low when the group's positives score below "
           "other negatives: misses on texts mentioning the group.")


def _details(probe: dict, model: str) -> dict:
    return as_dict((model_result(probe, model) or {}).get("details"))


def _first(probe: dict, models: list[str], key: str):
    return next((_details(probe, m)[key] for m in models if _details(probe, m).get(key) is not None), None)


def _mark(cell: Cell, text: str, fail: bool = False) -> Cell:
    cell.badge = f"{cell.badge}, {text}" if cell.badge else text
    if fail:
        cell.css = f"{cell.css} status-fail".strip()
    return cell


def _attributes(probe: dict, models: list[str]) -> dict[str, dict[str, dict]]:
    """{attribute: {model: entry}} in the order the models list them."""
    out: dict[str, dict[str, dict]] = {}
    for m in models:
        for entry in as_list(_details(probe, m).get("attributes")):
            if isinstance(entry, dict):
                out.setdefault(str(entry.get("name")), {})[m] = entry
    return out


def _classes(per_model: dict[str, dict]) -> list[str]:
    out: list[str] = []
    for entry in per_model.values():
        for g in as_list(entry.get("groups")):
            out += [str(c) for c in as_dict(as_dict(g).get("classes")) if str(c) not in out]
    return out


def _record(g: dict | None, label: str, family: str) -> dict:
    return as_dict(as_dict(as_dict(as_dict(g).get("classes")).get(label)).get(family))


def group_table(attr: str, label: str, per_model: dict[str, dict], models: list[str], multi: bool) -> Table:
    """Groups x (n, subgroup, BPSN, BNSP) per model; a value the probe flags is marked, a small group too."""
    cols = ("n", *(FAMILIES[f] for f in FAMILIES))
    rows: list[list[CellLike]] = []
    for name, by_model in groups_by_model(per_model, models).items():
        row: list[CellLike] = [Cell(name, css="label")]
        for m in models:
            g = by_model.get(m)
            n = Cell(fmt_num(as_dict(g).get("support")), css="num")
            row.append(_mark(n, SMALL) if as_dict(g).get("small") else n)
            for f in FAMILIES:
                rec = _record(g, label, f)
                cell = Cell(fmt_metric(rec), css="num", title=str(rec.get("reason") or ""))
                row.append(_mark(cell, BELOW, fail=True) if rec.get("flagged") else cell)
        rows.append(row)
    scored = f" of class {label!r} against the rest" if multi else f" (scored class {label!r})"
    return Table(["Group"] + [c for _ in models for c in cols], rows,
                 header_groups=[("", 1)] + [(m, len(cols)) for m in models],
                 title=f"Groups of {attr}" + (f" — {label}" if multi else ""), css="fairness-groups compact",
                 caption=f"AUC [CI]{scored}; '{BELOW}' marks an AUC more than the tolerance below the model's overall "
                         f"AUC; a dash is an undefined AUC (its set lacks positives or negatives; hover for why). "
                         f"Groups below min_support are shown but left out of the summaries.", markdown_rows=30)


def group_charts(attr: str, label: str, per_model: dict[str, dict], models: list[str], ctx: SectionContext,
                 multi: bool) -> FigureRow:
    groups = groups_by_model(per_model, models)
    figures = []
    for f, title in FAMILIES.items():
        rows: list[tuple[str, dict[str, dict | None]]] = [
            (name, {m: metric_of(_record(by_model.get(m), label, f).get("value"), _record(by_model.get(m), label, f).get("ci"))
                    for m in models}) for name, by_model in groups.items()]
        suffix = f" ({label})" if multi else ""
        figures.append(Figure(title=f"{title} by group{suffix}",
                              svg=bar_chart(rows, models, ctx.colors, f"{attr}: {title} by group{suffix}")))
    return FigureRow(figures, caption="Whiskers are percentile bootstrap intervals over the examples.")


def _headline_rows(probe: dict, ctx: SectionContext, models: list[str]) -> list[list[CellLike]]:
    rows: list[list[CellLike]] = []
    for name in ("overall_auc", "min_subgroup_auc", "min_bpsn_auc", "min_bnsp_auc"):
        cells = metric_row(probe, name, name, ctx.models)
        for i, m in enumerate(ctx.models):
            where = as_dict(as_dict(_details(probe, m).get("headline")).get(name))
            if where.get("group") is not None:
                multi = len(as_list(_details(probe, m).get("scored_classes"))) > 1
                _mark(cells[2 + i], f"{where['attribute']}: {where['group']}" + (f" ({where['class']})" if multi else ""))
            worst = as_dict(_details(probe, m).get("overall")).get("worst_class")
            if name == "overall_auc" and worst is not None:
                _mark(cells[2 + i], f"worst class: {worst}")
        rows.append(list[CellLike](cells))
    return rows


def _mean_rows(probe: dict, ctx: SectionContext, attrs: list[str]) -> list[list[CellLike]]:
    names = [f"generalized_mean_{f}_auc" for f in FAMILIES] + ["jigsaw_score"]
    return [list(metric_row(probe, f"{n}/{a}", f"{a}: {n.replace('generalized_mean_', 'mean ')}", ctx.models))
            for a in attrs for n in names]


def bias_auc_section(probe: dict, ctx: SectionContext) -> Section:
    models = [m for m in ok_models(probe, ctx) if as_list(_details(probe, m).get("attributes"))]
    if not models:
        return generic_section(probe, ctx)
    section = new_section(probe)
    blocks: list = status_blocks(probe, ctx)
    inference = _first(probe, models, "inference")
    if inference:
        blocks.append(Callout("info", "Groups inferred from identity terms in the text", str(inference.get("note", ""))))
    blocks.append(Callout("info", "What the AUCs say", f"{MEANING} {_first(probe, models, 'background') or ''}"))
    tolerance, power = _first(probe, models, "tolerance"), _first(probe, models, "power")
    ci_note = as_dict(_first(probe, models, "bootstrap")).get("note") or ""
    blocks.append(Table(headers("Metric", ctx.models), _headline_rows(probe, ctx, models), css="metrics-table",
                        caption=f"Worst group over the attributes (groups with min_support examples), named beside "
                                f"each value. {ci_note}"))
    attrs = _attributes(probe, models)
    blocks.append(Table(headers("Summary", ctx.models), _mean_rows(probe, ctx, list(attrs)), css="metrics-table",
                        title="Generalized means by attribute",
                        caption=f"Generalized mean (power {fmt_exact(power)}) of the groups' AUCs, which leans towards "
                                "the worst groups; the Jigsaw score is the benchmark's weighting, 0.25 x overall AUC + "
                                "0.75 x the mean of the three generalized means. Multi-class: the worst class."))
    for attr, per_model in attrs.items():
        classes = _classes(per_model)
        multi = len(classes) > 1
        blocks.append(Heading(f"Attribute: {attr}"))
        for label in classes:
            blocks += [group_table(attr, label, per_model, models, multi),
                       group_charts(attr, label, per_model, models, ctx, multi)]
        blocks += [Callout("info", f"{attr}: no summary", n) for n in {str(e.get("note")) for e in per_model.values()
                                                                      if e.get("note")}]
    for m in models:
        examples = as_list((model_result(probe, m) or {}).get("examples"))
        if examples:
            blocks += [Heading(f"Texts behind the worst BPSN and BNSP groups — {m}"), examples_table(
                examples, f"The worst BPSN group's negatives scored highest and the worst BNSP group's positives "
                          f"scored lowest (tolerance for '{BELOW}': {fmt_exact(tolerance)}).")]
    blocks.append(config_block(probe))
    section.blocks = [b for b in blocks if b is not None]
    return section
