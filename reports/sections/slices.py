"""The ``slices`` probe: the weak slices of every model side by side, their misclassified examples, and (two or
more models) the slices where one model errs more than another on the same examples.

Compact by design (the report is verdict-first): only the slices some model is weak on and the paired slices
Benjamini-Hochberg keeps are tabled; every tested slice stays in results.json (``details.slices``,
``paired.slices``). Reads the probe's ``details`` and ``paired`` block, computes nothing; falls back to the generic
layout for results without ``details.slices``.
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list, model_result
from audit.core.fmt import fmt_num, fmt_pct, is_number
from audit.reports.blocks import Callout, Cell, CellLike, Heading, Section, Table
from audit.reports.sections.common import (
    SectionContext, config_block, examples_table, generic_section, metrics_table, new_section, ok_models,
    status_blocks,
)

ROWS_MD = 10  # table rows in report.md (a pull-request comment)
TEST_WORDS = "one-sided Fisher exact test of a higher error rate in the slice than in the rest"


def _rows(probe: dict, model: str) -> dict[str, dict]:
    details = as_dict((model_result(probe, model) or {}).get("details"))
    return {str(r["slice"]): r for r in as_list(details.get("slices")) if isinstance(r, dict) and r.get("slice")}


def _p(p) -> str:
    return "—" if not is_number(p) else "<0.001" if p < 0.001 else f"{p:.3f}"


def _gap(row: dict) -> str:
    """``+21.6 [9.8, 34.1]``: the difference in points with its interval."""
    diff, ci = row.get("diff"), row.get("ci")
    if not isinstance(diff, (int, float)) or isinstance(diff, bool):
        return "—"
    text = f"{100 * diff:+.1f}"
    if isinstance(ci, list) and len(ci) == 2 and all(map(is_number, ci)):
        text += f" [{100 * ci[0]:+.1f}, {100 * ci[1]:+.1f}]"
    return text


def weak_table(probe: dict, models: list[str]) -> Table:
    """Every slice some model is weak on (largest gap first), each model's numbers side by side."""
    rows = {m: _rows(probe, m) for m in models}
    weak = {name: max(r["diff"] for m in models if (r := rows[m].get(name)) and r.get("weak"))
            for name in {n for m in models for n, r in rows[m].items() if r.get("weak")}}
    out: list[list[CellLike]] = []
    for name in sorted(weak, key=lambda n: (-weak[n], n)):
        sizes = {fmt_num(rows[m][name].get("n")) for m in models if name in rows[m]}
        row: list[CellLike] = [Cell(name, css="label"), Cell(" / ".join(sorted(sizes)), css="num")]
        for m in models:
            r = rows[m].get(name)
            if r is None:
                row += [Cell("—", css="num")] * 3
                continue
            flag = bool(r.get("weak"))
            row += [Cell(f"{fmt_pct(r.get('error_rate'))} / {fmt_pct(r.get('error_rate_rest'))}", css="num"),
                    Cell(_gap(r), css="num", strong=flag, badge="weak" if flag else ""),
                    Cell(_p(r.get("p_adjusted")), css="num")]
        out.append(row)
    tested = {len(rows[m]) for m in models}
    q = as_dict(probe.get("config")).get("q", 0.05)
    return Table(
        headers=["Slice", "n"] + [h for _ in models for h in ("errors in / out", "difference, points [CI]", "adj. p")],
        header_groups=[("", 2)] + [(m, 3) for m in models], rows=out, css="slices-weak compact",
        markdown_rows=ROWS_MD,
        caption=(f"Slices and pairs of slices where a model errs more than on the rest of the data: {TEST_WORDS}, "
                 f"Benjamini-Hochberg adjusted p <= q = {q:g} over the {' / '.join(map(str, sorted(tested)))} tested "
                 "per model. Difference: error rate in the slice minus the rest's, with Newcombe's interval (not "
                 "adjusted for the selection). Every tested slice: details.slices in results.json. The verdict's "
                 "findings decide each slice again under the audit-wide Benjamini-Hochberg, so near q they can "
                 "differ from this table."),
        empty=f"No weak slice: no slice's error rate is higher than the rest's after Benjamini-Hochberg (q = {q:g}).")


def paired_tables(probe: dict) -> list:
    """Per pair of models, the slices where Benjamini-Hochberg keeps their paired difference."""
    block = as_dict(as_dict(probe.get("paired")).get("slices"))
    q = block.get("q", 0.05)
    out: list = []
    for pair in map(as_dict, as_list(block.get("pairs"))):
        a, b = str(pair.get("a")), str(pair.get("b"))
        kept = [r for r in map(as_dict, as_list(pair.get("rows"))) if r.get("a_worse") or r.get("b_worse")]
        kept.sort(key=lambda r: (-abs(r.get("diff") or 0), str(r.get("slice"))))
        rows: list[list[CellLike]] = [[
            Cell(str(r.get("slice")), css="label"), Cell(fmt_num(r.get("n")), css="num"),
            Cell(fmt_pct(r.get("error_a")), css="num"), Cell(fmt_pct(r.get("error_b")), css="num"),
            Cell(_gap(r), css="num"), Cell(_p(r.get("p_value")), css="num"), Cell(_p(r.get("p_adjusted")), css="num"),
            Cell(f"{a} worse" if r.get("a_worse") else f"{b} worse", css="verdict", strong=bool(r.get("a_worse")))]
            for r in kept]
        out.append(Table(
            headers=["Slice", "n", f"errors {a}", f"errors {b}", "difference, points [CI]", "McNemar p", "adj. p",
                     "verdict"],
            rows=rows, css="slices-paired compact", markdown_rows=ROWS_MD, title=f"{a} against {b}, slice by slice",
            caption=(f"Same examples through both models: {pair.get('a_worse', 0)} of {pair.get('tested', 0)} "
                     f"slices where {a} errs more, {pair.get('b_worse', 0)} where {b} does (McNemar's test, "
                     f"Benjamini-Hochberg adjusted p <= q = {q:g} over the slices; difference {a} − {b} with "
                     "Newcombe's paired interval)."),
            empty=f"No slice where {a} and {b} differ after Benjamini-Hochberg (q = {q:g})."))
    for skipped in map(as_dict, as_list(block.get("skipped"))):
        out.append(Callout("warn", f"{skipped.get('a')} against {skipped.get('b')}: not compared",
                           str(skipped.get("reason") or "")))
    return out


def untested(probe: dict, models: list[str]) -> Callout | None:
    """Which slices were too small to test (the data decides, so any model's record says it)."""
    for m in models:
        summary = as_dict(as_dict((model_result(probe, m) or {}).get("details")).get("definitions"))
        small = [f"{s.get('slice')} ({s.get('n')})" for s in map(as_dict, as_list(summary.get("singles")))
                 if not s.get("tested")]
        empty = [str(x) for x in as_list(summary.get("empty"))]
        terms = [x for x in empty if x.startswith("axis:")]  # most identity groups on most data: counted
        none = [x for x in empty if x not in terms] + ([f"{len(terms)} identity axes and groups"] if terms else [])
        parts = ([f"too few examples in or out, or the same as another slice: {', '.join(small)}"] if small else []) \
            + ([f"no example: {', '.join(none)}"] if none else [])
        if parts:
            return Callout("info", "Slices not tested alone", "; ".join(parts) + ".")
    return None


def slices_section(probe: dict, ctx: SectionContext) -> Section:
    models = [m for m in ok_models(probe, ctx) if _rows(probe, m)]
    if not models:
        return generic_section(probe, ctx)
    section = new_section(probe)
    blocks: list = status_blocks(probe, ctx) + [metrics_table(probe, ctx), Heading("Weak slices"),
                                                 weak_table(probe, models)]
    paired = paired_tables(probe)
    if paired:
        blocks += [Heading("Slice by slice, model against model")] + paired
    for m in models:
        examples = as_list((model_result(probe, m) or {}).get("examples"))
        if examples:
            blocks += [Heading(f"Misclassified examples of the weak slices — {m}"),
                       examples_table(examples, "", first=("slice", "id", "text", "text_pair"))]
    blocks += [untested(probe, models), config_block(probe)]
    section.blocks = [b for b in blocks if b is not None]
    return section
