"""The fairness sections: `group-fairness`, `counterfactual` and `templates`, models side by side.

Disparity tables per attribute, per-group rates and bar charts with CIs, gaps beyond the
probe's tolerance flagged (and drawn against it), the worst counterfactual group pairs with
example texts, and template failure rates per test and per group. Each renderer falls back to
the generic layout when the details it needs are missing (keys as the probes document them).
"""

from __future__ import annotations

from audit.reports.blocks import Callout, Cell, Figure, FigureRow, Heading, KeyValues, Section, Table
from audit.reports.charts import bar_chart
from audit.core.axis_text import axis_notes, per_axis
from audit.reports.sections.fairness_axes import coverage_blocks
from audit.reports.sections.fairness_charts import gap_chart, metric_of
from audit.reports.sections.fairness_groups import (
    WORST, binary_table, class_gap_table, class_rate_charts, fmt_p, is_multiclass, mark, multiclass_tables,
    worst_class_of,
)
from audit.core.fmt import fmt_exact, fmt_metric, fmt_num, fmt_pct, is_number
from audit.core.document import as_dict, as_list, metrics_of, model_result
from audit.reports.sections.robustness_groups import by_group_blocks
from audit.reports.sections.common import (
    SectionContext, config_block, examples_table, generic_section, new_section, ok_models, status_blocks,
)
from audit.reports.scorecard import headers, metric_row

OVER, SIGNIFICANT = "over tolerance", "significant"
DISPARITIES = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
               "equal_opportunity_difference", "accuracy_difference")
WORST_PAIRS = 12
FAILING_COLUMNS = ("text", "text_pair", "perturbed", "perturbed_pair")  # a DIR case: base, then perturbed texts
MULTI = " Multi-class models: each gap is that of the worst class, scored one-vs-rest."
MULTI_GAPS = ("Multi-class: each gap is that of the worst class, scored one-vs-rest (largest difference, smallest "
              "ratio); '{worst}: C' names it, and the gaps of every class are in the table below the rates.")


def _details(probe: dict, model: str) -> dict:
    return as_dict((model_result(probe, model) or {}).get("details"))


def _first(probe: dict, models: list[str], key: str):
    return next((_details(probe, m)[key] for m in models if _details(probe, m).get(key) is not None), None)


def _mark(cell: Cell, mark: str) -> Cell:
    cell.badge = f"{cell.badge}, {mark}" if cell.badge else mark
    cell.css = f"{cell.css} status-fail".strip() if mark == OVER else cell.css
    return cell


def flagged_rows(probe: dict, ctx: SectionContext, rows: list[tuple[str, str]], flags) -> list[list[Cell]]:
    """metric_row for each (metric, label), each model's cell marked when ``flags(model, metric)``."""
    out = []
    for name, label in rows:
        cells = metric_row(probe, name, label, ctx.models)
        for i, model in enumerate(ctx.models):
            if flags(model, name):
                _mark(cells[2 + i], OVER)
        out.append(cells)
    return out


def _chart_rows(probe: dict, models: list[str], names: list[tuple[str, str]]) -> list:
    return [(label, {m: metrics_of(probe, m).get(name) for m in models}) for name, label in names]


def _entries(probe: dict, models: list[str], key: str, ident: str) -> dict[str, dict[str, dict]]:
    """{identifier: {model: entry}} over the models' ``details[key]`` lists."""
    out: dict[str, dict[str, dict]] = {}
    for m in models:
        for entry in as_list(_details(probe, m).get(key)):
            if isinstance(entry, dict):
                out.setdefault(str(entry.get(ident)), {})[m] = entry
    return out


def _disparity_flag(per_model: dict[str, dict]):
    """(model, metric) -> whether the attribute's details flag that gap as over the tolerance."""
    def flag(model: str, metric: str) -> bool:
        disparities = as_dict(as_dict(per_model.get(model)).get("disparities"))
        return bool(as_dict(disparities.get(metric.split("/")[0])).get("flagged"))
    return flag


def _attribute_blocks(probe: dict, ctx: SectionContext, attr: str, per_model: dict[str, dict],
                      models: list[str]) -> list:
    """One attribute's gaps, per-group tables and charts; per class (one-vs-rest) for multi-class models."""
    multi = is_multiclass(per_model)
    gaps = flagged_rows(probe, ctx, [(f"{d}/{attr}", d) for d in DISPARITIES], _disparity_flag(per_model))
    if multi:
        for name, row in zip(DISPARITIES, gaps):
            for i, m in enumerate(ctx.models):
                worst = worst_class_of(per_model.get(m) or {}, name)
                if worst is not None:
                    mark(row[2 + i], f"{WORST}: {worst}")
    blocks: list = [Table(headers("Gap", ctx.models), gaps, css="metrics-table",
                          caption=MULTI_GAPS.format(worst=WORST) if multi else "")]
    if multi:
        blocks += multiclass_tables(attr, per_model, models) + [class_gap_table(attr, per_model, models)]
    else:
        blocks.append(binary_table(attr, per_model, models))
    groups = list(dict.fromkeys(str(g.get("group")) for e in per_model.values() for g in as_list(e.get("groups"))))
    charts = class_rate_charts(attr, per_model, models, ctx.colors) if multi else []
    charts += [Figure(title=f"{kind.replace('_', ' ')} by group", svg=bar_chart(
        _chart_rows(probe, models, [(f"{kind}/{attr}/{g}", g) for g in groups]), models, ctx.colors,
        f"{attr}: {kind} by group")) for kind in (("accuracy",) if multi else ("selection_rate", "accuracy"))
        if any(f"{kind}/{attr}/{g}" in metrics_of(probe, m) for g in groups for m in models)]
    if charts:
        blocks.append(FigureRow(charts, caption="Whiskers are exact (Clopper-Pearson) intervals."))
    return blocks


def _between_note(axes: dict) -> str:
    """For sentence pairs: how many pairs each axis left out because their two texts name different groups."""
    counts = [(a, as_dict(v).get("mixed_between_texts")) for a, v in axes.items()]
    shown = [f"{a} {fmt_num(n)}" for a, n in counts if isinstance(n, int) and n > 0]
    return f" Pairs whose two texts name different groups: {', '.join(shown)}." if shown else ""


def group_fairness_section(probe: dict, ctx: SectionContext) -> Section:
    models = [m for m in ok_models(probe, ctx) if as_list(_details(probe, m).get("attributes"))]
    if not models:
        return generic_section(probe, ctx)
    section, tolerance = new_section(probe), _first(probe, models, "tolerance")
    blocks: list = status_blocks(probe, ctx)
    inference = _first(probe, models, "inference")
    if inference:
        blocks.append(Callout("info", "Groups inferred from identity terms in the text",
                              str(inference.get("note", "")) + _between_note(as_dict(inference.get("axes")))))
    attrs = _entries(probe, models, "attributes", "name")
    heads = ("max_demographic_parity_difference", "max_equalized_odds_difference", "max_equal_opportunity_difference",
             "max_accuracy_difference", "min_demographic_parity_ratio")
    multi = any(is_multiclass(per_model) for per_model in attrs.values())
    head_flag = lambda m, n: as_dict(as_dict(_details(probe, m).get("headline")).get(n)).get("flagged")  # noqa: E731
    blocks.append(Table(headers("Metric", ctx.models), flagged_rows(probe, ctx, [(n, n) for n in heads], head_flag),
                        caption=f"Worst gap over the attributes; '{OVER}' marks gaps above the tolerance "
                                f"({fmt_exact(tolerance)}; ratios below 1 - tolerance). Gap CIs come from "
                                "Newcombe (pairs of groups) and Wilson (ratios) score intervals that hold jointly, "
                                "not from the bootstrap, which overstates a largest gap." + (MULTI if multi else ""),
                        css="metrics-table"))
    rows = [(f"{d}/{a}", f"{a}: {d.split('_difference')[0].replace('_', ' ')}") for a in attrs
            for d in ("demographic_parity_difference", "equalized_odds_difference")]
    blocks.append(Figure(title="Gaps between groups against the tolerance" + (" (multi-class: the worst class)" if multi else ""),
                         svg=gap_chart(_chart_rows(probe, models, rows), models, ctx.colors, tolerance,
                                       f"{probe.get('name')}: gaps by attribute")))
    for attr, per_model in attrs.items():
        blocks += [Heading(f"Attribute: {attr}")] + _attribute_blocks(probe, ctx, attr, per_model, models)
        notes = {str(e.get("note")) for e in per_model.values() if e.get("note")}
        blocks += [Callout("info", f"{attr}: too few large groups", n) for n in notes]
    blocks.append(config_block(probe))
    section.blocks = [b for b in blocks if b is not None]
    return section


def _pair_name(p: dict) -> str:
    return f"{p.get('axis')}: {p.get('source')} → {p.get('target')}"


def pairs_table(probe: dict, models: list[str]) -> Table:
    """The worst group pairs over the models (highest flip rate first), each model side by side."""
    pairs: dict[str, dict[str, dict]] = {}
    for m in models:
        for p in as_list(_details(probe, m).get("pairs"))[:WORST_PAIRS]:
            pairs.setdefault(_pair_name(p), {})
    for m in models:
        for p in as_list(_details(probe, m).get("pairs")):
            if _pair_name(p) in pairs:
                pairs[_pair_name(p)][m] = p
    order = sorted(pairs, key=lambda k: -max(as_dict(p.get("flip_rate")).get("value") or 0 for p in pairs[k].values()))
    cols = ("texts", "flip rate", "mean change", "p (Holm)")
    rows = []
    for name in order[:WORST_PAIRS]:
        row = [Cell(name, css="label")]
        for m in models:
            p = pairs[name].get(m) or {}
            flip = Cell(fmt_metric(p.get("flip_rate")), css="num")
            flip = _mark(flip, OVER) if p.get("flagged") else flip
            pval = Cell(fmt_p(p.get("p_adjusted")), css="num")
            row += [Cell(fmt_num(p.get("texts")), css="num"), flip, Cell(fmt_num(p.get("mean_change")), css="num"),
                    _mark(pval, SIGNIFICANT) if p.get("significant") else pval]
        rows.append(row)
    test = _first(probe, models, "test") or ""
    return Table(["Group pair"] + [c for _ in models for c in cols], rows, title="Worst group pairs",
                 header_groups=[("", 1)] + [(m, len(cols)) for m in models], css="fairness-pairs",
                 caption=f"Mean change: signed change of the scored class probability. Test: {test}.", markdown_rows=10)


def _cf_examples(probe: dict, models: list[str]) -> list:
    blocks = []
    for m in models:
        examples = [e for e in as_list((model_result(probe, m) or {}).get("examples")) if isinstance(e, dict)]
        if examples:  # sentence pairs: both texts, original and swapped
            shown = [{"id": e.get("id"), "pair": _pair_name(e), "text": e.get("text"),
                      **({"text_pair": e.get("text_pair")} if "text_pair" in e else {}),
                      "counterfactual": e.get("counterfactual"),
                      **({"counterfactual_pair": e.get("counterfactual_pair")} if "counterfactual_pair" in e else {}),
                      "prediction": f"{e.get('predicted')} → {e.get('counterfactual_predicted')}",
                      "change": e.get("change")} for e in examples]
            blocks += [Heading(f"Largest changes — {m}"), examples_table(shown, "Flips first, then the largest changes.")]
    return blocks


def counterfactual_section(probe: dict, ctx: SectionContext) -> Section:
    models = [m for m in ok_models(probe, ctx) if as_list(_details(probe, m).get("axes"))]
    if not models:
        return generic_section(probe, ctx)
    section, tolerance = new_section(probe), _first(probe, models, "tolerance")
    axes = list(_entries(probe, models, "axes", "axis"))
    heads = [(n, n) for n in ("flip_rate", "mean_abs_change", "max_abs_change", "worst_pair_flip_rate")]
    by_axis = [(f"{k}/{a}", f"{a}: {k.replace('_', ' ')}") for a in axes for k in ("flip_rate", "mean_abs_change")]
    pairs_note = _first(probe, models, "sentence_pairs")
    blocks: list = status_blocks(probe, ctx) + [
        Callout("info", "Sentence pairs", str(pairs_note)) if pairs_note else None,
        *coverage_blocks(probe, models),
        Table(headers("Metric", ctx.models), flagged_rows(probe, ctx, heads + by_axis, lambda m, n: False),
              caption="Flip rate: share of counterfactuals whose prediction differs from the original's. Change: "
                      "largest absolute change of a class probability. CIs: cluster bootstrap over original texts.",
              css="metrics-table"),
        Figure(title="Flip rate by axis against the tolerance",
               svg=gap_chart(_chart_rows(probe, models, [(f"flip_rate/{a}", a) for a in axes]), models, ctx.colors,
                             tolerance, f"{probe.get('name')}: flip rate by axis")),
        pairs_table(probe, models)]
    blocks += _cf_examples(probe, models) + by_group_blocks(probe, models, ctx.colors) + [config_block(probe)]
    section.blocks = [b for b in blocks if b is not None]
    return section


def _suite_block(probe: dict, models: list[str]) -> KeyValues | None:
    suite = as_dict(_first(probe, models, "suite"))
    keys = ("name", "description", "kind", "source", "pair", "tests", "cases", "unique_texts")  # pair: two texts a case
    pairs = [(k, fmt_exact(suite.get(k))) for k in keys if k in suite]
    pairs += [(f"label map — {m}", fmt_exact(_details(probe, m).get("label_map"))) for m in models]
    pairs.append(("score label", fmt_exact(_first(probe, models, "score_label"))))
    return KeyValues(pairs, caption="Template suite")


def _group_failures(probe: dict, models: list[str]) -> Table:
    keys: list[tuple[str, str]] = []
    for m in models:
        for axis, groups in as_dict(_details(probe, m).get("group_failures")).items():
            keys += [(axis, g) for g in as_dict(groups) if (axis, g) not in keys]
    rows = []
    for axis, group in keys:
        row = [Cell(axis, css="label"), Cell(group, css="label")]
        for m in models:
            cell = as_dict(as_dict(as_dict(_details(probe, m).get("group_failures")).get(axis)).get(group))
            row.append(Cell(f"{fmt_pct(cell.get('rate'))} ({fmt_num(cell.get('failures'))}/{fmt_num(cell.get('n'))})"
                            if cell else "—", css="num"))
        rows.append(row)
    return Table(["Axis", "Group"] + models, rows, title="Failure rate by group", css="fairness-group-failures compact",
                 caption="Cases naming the group that fail (an INV case fails when it differs from its set's majority).",
                 markdown_rows=20)


def _score_chart(axis: str, per_model: dict[str, dict], models: list[str], ctx: SectionContext) -> Figure:
    by_group: dict[str, dict[str, dict]] = {}
    for m in models:
        for g in as_list(as_dict(per_model.get(m)).get("groups")):
            score = as_dict(g.get("mean_score"))
            by_group.setdefault(str(g.get("group")), {})[m] = metric_of(score.get("value"), score.get("ci"))
    return Figure(title=f"Mean score by group — {axis}",
                  svg=bar_chart(list(by_group.items()), models, ctx.colors, f"{axis}: mean score by group"))


def templates_section(probe: dict, ctx: SectionContext) -> Section:
    models = [m for m in ok_models(probe, ctx) if as_list(_details(probe, m).get("tests"))]
    if not models:
        return generic_section(probe, ctx)
    section, tolerance = new_section(probe), _first(probe, models, "tolerance")
    tests = _entries(probe, models, "tests", "name")
    axes = _entries(probe, models, "group_scores", "axis")
    heads = [(n, n) for n in ("failure_rate", "mft_failure_rate", "inv_failure_rate", "dir_failure_rate", "max_group_gap")]
    test_rows = [(f"failure_rate/{t}", f"{t} ({next(iter(e.values())).get('type')})") for t, e in tests.items()]
    gap_flag = lambda m, n: as_dict(axes.get(n.split("/", 1)[-1], {}).get(m)).get("flagged")  # noqa: E731
    coverage = [Callout("warn", "Axis coverage", note) for note in axis_notes(per_axis(probe, models))]
    blocks: list = status_blocks(probe, ctx) + coverage + [_suite_block(probe, models), Table(
        headers("Metric", ctx.models), flagged_rows(probe, ctx, heads + test_rows, lambda m, n: False),
        caption="Failure rates per test (MFT: wrong label; INV: a set with differing predictions; DIR: a move the "
                "wrong way); the overall rate is the mean over tests.", css="metrics-table")]
    if axes:
        gap_rows = flagged_rows(probe, ctx, [(f"group_gap/{a}", a) for a in axes], gap_flag)
        for row, per_model in zip(gap_rows, axes.values()):
            for i, m in enumerate(ctx.models):
                entry = per_model.get(m)
                if entry and is_number(entry.get("p_value")):
                    row[2 + i].text += f" p={fmt_p(entry['p_value'])}"
                    if entry.get("significant"):
                        _mark(row[2 + i], SIGNIFICANT)
        blocks += [Heading("Score gaps between groups"),
                   Table(headers("Axis", ctx.models), gap_rows, css="metrics-table",
                         caption=f"Largest minus smallest group mean score [CI], p from {_first(probe, models, 'gap_test')}."),
                   Figure(title="Score gap by axis against the tolerance", svg=gap_chart(
                       _chart_rows(probe, models, [(f"group_gap/{a}", a) for a in axes]), models, ctx.colors, tolerance,
                       f"{probe.get('name')}: score gap by axis")),
                   FigureRow([_score_chart(a, per_model, models, ctx) for a, per_model in axes.items()],
                             caption="Mean probability of the score class per group, with cluster-bootstrap CIs.")]
    blocks.append(_group_failures(probe, models))
    for m in models:
        examples = as_list((model_result(probe, m) or {}).get("examples"))
        if examples:
            blocks += [Heading(f"Failing cases — {m}"), examples_table(
                examples, "Most confident failures, in turn per test; a DIR failure shows its base and perturbed "
                          "texts.", first=FAILING_COLUMNS)]
    blocks.append(config_block(probe))
    section.blocks = [b for b in blocks if b is not None]
    return section
