"""The "by group" part of the noise, attack and counterfactual sections: is the damage shared fairly?

Per attribute, one bar per group and model (the probe's gap rate: changed-text flip rate, attack success
rate, swap flip rate) with its interval, and a table of every group's numbers side by side with the gap
between the highest and lowest group, its simultaneous interval and the test's p-value; a gap above the
probe's group tolerance is marked. Built from each model's ``details.by_group`` only.
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list, model_result
from audit.core.fmt import fmt_exact, fmt_metric, is_number
from audit.reports.blocks import Callout, Cell, Figure, Heading, Table
from audit.reports.sections.fairness_charts import gap_chart
from audit.reports.sections.fairness_groups import fmt_p, groups_by_model

LABELS = {"flip_rate": "flip rate (changed texts)", "accuracy": "accuracy under noise",
          "accuracy_drop": "accuracy drop (changed texts)", "success_rate": "attack success rate",
          "queries_per_success": "queries per success"}


def _block(probe: dict, model: str) -> dict:
    return as_dict(as_dict((model_result(probe, model) or {}).get("details")).get("by_group"))


def _attributes(probe: dict, models: list[str]) -> dict[str, dict[str, dict]]:
    """attribute -> model -> its entry, attributes in first-seen order."""
    out: dict[str, dict[str, dict]] = {}
    for model in models:
        for entry in map(as_dict, as_list(_block(probe, model).get("attributes"))):
            out.setdefault(str(entry.get("name")), {})[model] = entry
    return out


def _gap_cell(entry: dict | None, tolerance) -> Cell:
    gap = as_dict((entry or {}).get("gap"))
    if not is_number(gap.get("value")):
        return Cell(f"— ({gap.get('groups_compared', 0)} group(s) large enough)", css="muted")
    cell = Cell(f"{fmt_metric(gap)}, p {fmt_p(gap.get('p_value'))}", css="num",
                title=f"{gap.get('highest')} highest, {gap.get('lowest')} lowest")
    if gap.get("flagged"):
        cell.badge, cell.css = "over tolerance", "num status-fail"
    return cell


def _table(attr: str, per_model: dict[str, dict], models: list[str], measures: list[str], tolerance) -> Table:
    rows: list[list] = []
    for group, by_model in groups_by_model(per_model, list(per_model)).items():
        small = any(r.get("small") for r in by_model.values())
        examples = max((int(r.get("examples") or 0) for r in by_model.values()), default=0)
        for measure in measures:
            row: list = [Cell(group if measure == measures[0] else "", strong=measure == measures[0]),
                         Cell(LABELS.get(measure, measure)),
                         Cell(f"{examples}{' (small)' if small else ''}" if measure == measures[0] else "",
                              css="num muted" if small else "num")]
            row += [Cell(fmt_metric(as_dict(by_model.get(m, {}).get(measure))), css="num") for m in models]
            rows.append(row)
    gap_measure = LABELS.get(measures[0], measures[0])
    rows.append([Cell("gap", strong=True), Cell(f"highest − lowest {gap_measure}"), Cell("")]
                + [_gap_cell(per_model.get(m), tolerance) for m in models])
    return Table(["Group", "Measure", "Examples"] + models, rows, css="metrics-table",
                 caption=(f"{attr}: each group's numbers pool its examples' trials, the example as the cluster "
                          "(Korn-Graubard intervals; drops: Newcombe's paired interval at the effective sample size). "
                          "The gap compares groups with at least min_support examples; its interval holds for every "
                          "pair of groups at once, p tests that they share one rate (Rao-Scott). 'over tolerance' "
                          f"marks a gap above {fmt_exact(tolerance)}."))


def by_group_blocks(probe: dict, models: list[str], colors: dict[str, str]) -> list:
    """Heading, notes, and per attribute a chart and a table; nothing when no model has a breakdown."""
    with_block = [m for m in models if _block(probe, m)]
    if not with_block:
        return []
    first = _block(probe, with_block[0])
    measure = str(first.get("gap_measure") or "")
    tolerance = first.get("tolerance")
    blocks: list = [Heading("By group: is the damage shared fairly?")]
    source = as_dict(first.get("groups_from"))
    attrs = _attributes(probe, with_block)
    if not attrs:
        why = ("its texts name fewer than two groups on every axis" if source.get("inferred")
               else "no sensitive column has two groups")
        return blocks + [Callout("info", "No groups to compare", f"The data has no groups to break robustness down "
                                 f"by: {why}. Give a sensitive column with --sensitive.")]
    if source.get("inferred") and source.get("note"):
        blocks.append(Callout("info", "Groups inferred from identity terms in the text", str(source["note"])))
    measures = [measure] + [k for k in LABELS if k != measure and any(
        k in as_dict(r) for e in attrs.values() for entry in e.values() for r in as_list(entry.get("groups")))]
    for attr, per_model in attrs.items():
        rows: list[tuple[str, dict[str, dict | None]]] = [
            (f"{group}{' (small)' if any(r.get('small') for r in by_model.values()) else ''}",
             {m: as_dict(r.get(measure)) for m, r in by_model.items()})
            for group, by_model in groups_by_model(per_model, list(per_model)).items()]
        blocks.append(Figure(title=f"{attr}: {LABELS.get(measure, measure)} by group",
                             svg=gap_chart(rows, with_block, colors, None, f"{probe.get('name')}: {attr} by group")))
        blocks.append(_table(attr, per_model, with_block, measures, tolerance))
    return blocks
