"""Per-group tables and charts of the `group-fairness` section, for binary and multi-class models.

A binary model (or one given a ``positive_label``) has one scored class: one table of its
selection rate, TPR and FPR per group, as always. A model with three or more classes is scored
one-vs-rest for every class, so its rates come as one table per rate with a column per class
(captions say so), a selection-rate chart per class, and a table of the gaps per class with the
worst one marked, since the attribute's gaps report only the worst class.
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.core.fmt import fmt_metric, fmt_num, is_number
from audit.reports.blocks import Cell, CellLike, Figure, Table
from audit.reports.charts import bar_chart
from audit.reports.sections.fairness_charts import metric_of

SMALL = "small: not in gaps"
WORST = "worst class"
RATES = {"selection_rate": "Selection rate", "tpr": "TPR", "fpr": "FPR"}
MEANING = {"selection_rate": "the share of the group's texts predicted as that class",
           "tpr": "of the group's texts whose gold label is that class, the share predicted as it",
           "fpr": "of the group's texts whose gold label is another class, the share predicted as that class"}
CLASS_GAPS = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
              "equal_opportunity_difference")
SMALL_NOTE = "Groups below min_support are shown but left out of the gaps."


def mark(cell: Cell, text: str) -> Cell:
    cell.badge = f"{cell.badge}, {text}" if cell.badge else text
    return cell


def classes_of(entry: dict) -> list[str]:
    """The classes an attribute entry scores, in the probe's order (keys of a group's rates)."""
    for g in as_list(as_dict(entry).get("groups")):
        rates = as_dict(as_dict(g).get("rates"))
        if rates:
            return [str(c) for c in rates]
    return []


def is_multiclass(per_model: dict[str, dict]) -> bool:
    """Whether any model scores more than one class one-vs-rest for this attribute."""
    return any(len(classes_of(e)) > 1 for e in per_model.values())


def groups_by_model(per_model: dict[str, dict], models: list[str]) -> dict[str, dict[str, dict]]:
    """{group: {model: group entry}} in the order the models list them."""
    groups: dict[str, dict[str, dict]] = {}
    for m in models:
        for g in as_list(as_dict(per_model.get(m)).get("groups")):
            if isinstance(g, dict):
                groups.setdefault(str(g.get("group")), {})[m] = g
    return groups


def _all_classes(per_model: dict[str, dict], models: list[str]) -> list[str]:
    out: list[str] = []
    for m in models:
        out += [c for c in classes_of(as_dict(per_model.get(m))) if c not in out]
    return out


def _support_cells(g: dict) -> list[Cell]:
    support = Cell(fmt_num(g.get("support")), css="num")
    return [mark(support, SMALL) if g.get("small") else support, Cell(fmt_metric(g.get("accuracy")), css="num")]


def binary_table(attr: str, per_model: dict[str, dict], models: list[str]) -> Table:
    """One scored class per model: n, accuracy and the class's rates per group."""
    cols = ("n", "accuracy", "selection rate", "TPR", "FPR")
    rows: list[list[CellLike]] = []
    for name, by_model in groups_by_model(per_model, models).items():
        row: list[CellLike] = [Cell(name, css="label")]
        for m in models:
            g = by_model.get(m) or {}
            rates: dict = next(iter(as_dict(g.get("rates")).values()), {}) if len(as_dict(g.get("rates"))) == 1 else {}
            row += _support_cells(g)
            row += [Cell(fmt_metric(as_dict(as_dict(rates).get(k))), css="num") for k in RATES]
        rows.append(row)
    scored = _all_classes(per_model, models)
    which = f" ({', '.join(repr(c) for c in scored)})" if scored else ""
    return Table(["Group"] + [c for _ in models for c in cols], rows,
                 header_groups=[("", 1)] + [(m, len(cols)) for m in models], title=f"Groups of {attr}",
                 css="fairness-groups compact",
                 caption=f"Rates of the scored (positive) class{which}, one-vs-rest; value [CI]. {SMALL_NOTE}")


def multiclass_tables(attr: str, per_model: dict[str, dict], models: list[str]) -> list[Table]:
    """n and accuracy per group, then one table per rate with a column per class (one-vs-rest)."""
    groups = groups_by_model(per_model, models)
    classes = _all_classes(per_model, models)
    span = [("", 1)] + [(m, len(classes)) for m in models]
    support: list[list[CellLike]] = [[Cell(name, css="label"), *(c for m in models for c in _support_cells(by_model.get(m) or {}))]
                                     for name, by_model in groups.items()]
    tables = [Table(["Group"] + [c for _ in models for c in ("n", "accuracy")], support,
                    header_groups=[("", 1)] + [(m, 2) for m in models], title=f"Groups of {attr}",
                    css="fairness-groups compact",
                    caption=f"Support and accuracy per group; value [CI]. The model has {len(classes)} classes, so "
                            f"its rates are per class, one-vs-rest, in the tables below. {SMALL_NOTE}")]
    listed = ", ".join(repr(c) for c in classes)
    for rate, title in RATES.items():
        rows: list[list[CellLike]] = []
        for name, by_model in groups.items():
            row: list[CellLike] = [Cell(name, css="label")]
            for m in models:
                rates = as_dict(as_dict(by_model.get(m)).get("rates"))
                row += [Cell(fmt_metric(as_dict(as_dict(rates.get(c)).get(rate))), css="num") for c in classes]
            rows.append(row)
        tables.append(Table(
            ["Group"] + [c for _ in models for c in classes], rows, header_groups=span,
            title=f"{title} by group of {attr}, per class (one-vs-rest)", css="fairness-groups compact",
            caption=f"{title}, one-vs-rest: each column is the class named in its header ({listed}), scored "
                    f"against all the other classes together; {MEANING[rate]}. Value [CI]."))
    return tables


def class_gap_table(attr: str, per_model: dict[str, dict], models: list[str]) -> Table:
    """The gaps of each class, one-vs-rest, with the class the attribute's gaps report marked."""
    classes = _all_classes(per_model, models)
    rows: list[list[CellLike]] = []
    for name in CLASS_GAPS:
        row: list[CellLike] = [Cell(name, css="metric-name")]
        for m in models:
            gap = as_dict(as_dict(as_dict(per_model.get(m)).get("disparities")).get(name))
            per_class, worst = as_dict(gap.get("per_class")), gap.get("worst_class")
            for c in classes:
                cell = Cell(fmt_num(per_class.get(c)), css="num")
                row.append(mark(cell, WORST) if worst is not None and c == worst else cell)
        rows.append(row)
    return Table(["Gap"] + [c for _ in models for c in classes], rows,
                 header_groups=[("", 1)] + [(m, len(classes)) for m in models],
                 title=f"Gaps by class for {attr} (one-vs-rest)", css="metrics-table compact",
                 caption=f"Each gap between groups computed for one class against all the others. The gaps above "
                         f"report the worst class (largest difference, smallest ratio), marked '{WORST}'.")


def worst_class_of(entry: dict, metric: str) -> str | None:
    """The class behind an attribute's multi-class gap ``metric`` (``name/attribute``), if recorded."""
    worst = as_dict(as_dict(as_dict(entry).get("disparities")).get(metric.split("/")[0])).get("worst_class")
    return None if worst is None else str(worst)


def class_rate_charts(attr: str, per_model: dict[str, dict], models: list[str], colors: dict[str, str]) -> list[Figure]:
    """A selection-rate chart per class (one-vs-rest), drawn from the per-group details."""
    groups = groups_by_model(per_model, models)
    figures = []
    for c in _all_classes(per_model, models):
        rows = []
        for name, by_model in groups.items():
            cells = {}
            for m in models:
                rate = as_dict(as_dict(as_dict(as_dict(by_model.get(m)).get("rates")).get(c)).get("selection_rate"))
                cells[m] = metric_of(rate.get("value"), rate.get("ci")) if rate else None
            rows.append((name, cells))
        figures.append(Figure(title=f"selection rate of {c} by group (one-vs-rest)",
                              svg=bar_chart(rows, models, colors, f"{attr}: selection rate of {c} by group")))
    return figures


def fmt_p(p) -> str:
    """A p-value: scientific when tiny, so 3e-27 does not read as 0.000000."""
    return f"{p:.1e}" if is_number(p) and 0 < p < 1e-4 else fmt_num(p, 4) if is_number(p) else "—"
