"""The verdict, the first thing the report shows: the gate's result and failing checks, the findings
ranked per model, and (two or more models) the first model against each other one, example by example.

Nothing is computed here: the findings come from results.json's ``findings`` block, the comparisons
from each probe's ``paired`` block (read through :func:`audit.reports.scorecard.paired_for`, so the
verdict and the scorecard agree), the gate from its block.
"""

from __future__ import annotations

import math

from audit.core.document import as_dict, as_list, higher_is_better, metrics_of, probes_of
from audit.core.fmt import decimals_for, fmt_num, is_number
from audit.core.gate_text import gate_status
from markupsafe import Markup

from audit.reports.blocks import Cell, CellLike, Section, Table
from audit.reports.findings import build_findings
from audit.reports.scorecard import paired_for, paired_wins
from audit.reports.sections.run import gate_table, gate_verdict

FIRST_CHECKS = 5  # failing gate checks listed in the verdict; the Gate section lists every check
WORDS = {1: ("better", "verdict-best"), -1: ("worse", "verdict-worse"), 0: ("not distinguishable", "verdict-nd")}


def _signed(x: float, d: int) -> str:
    return ("+" if x > 0 else "") + fmt_num(x, d)


def diff_cell(c: dict) -> str:
    """``+0.023 [+0.007, +0.042]``, one number of decimals for the three."""
    numbers = [c["diff"], *c["ci"]]
    d = decimals_for(max(abs(x) for x in numbers))
    return f"{_signed(numbers[0], d)} [{_signed(numbers[1], d)}, {_signed(numbers[2], d)}]"


def p_cell(c: dict) -> str:
    parts = []
    if is_number(c.get("p")):
        parts.append(f"McNemar {c['p']:.2g}")
    if is_number(c.get("flip_p")):
        parts.append(f"sign-flip {c['flip_p']:.2g}")
    return " · ".join(parts) or "—"


def outcome(c: dict, higher_better: bool) -> int:
    """1 better, -1 worse, 0 not distinguishable: for ``a`` in the comparison a − b."""
    sign = 1.0 if higher_better else -1.0
    return 1 if paired_wins(c, sign) else -1 if paired_wins(c, -sign) else 0


def _current(probe: dict, metric: str, a: str, b: str, c: dict) -> bool:
    """The comparison matches the values recorded now (one left from other results is not used)."""
    va, vb = (metrics_of(probe, m).get(metric, {}).get("value") for m in (a, b))
    if not is_number(va) or not is_number(vb):
        return False
    return math.isclose(c["diff"], float(va) - float(vb), rel_tol=1e-5, abs_tol=1e-6)  # type: ignore[arg-type]


def paired_rows(results: dict, models: list[str]) -> list[list[CellLike]]:
    """The first model against each other model, for every metric some probe compared example by example."""
    first, rest = models[0], models[1:]
    rows: list[list[CellLike]] = []
    for probe in probes_of(results):
        comparisons = as_list(as_dict(probe.get("paired")).get("comparisons"))
        for metric in dict.fromkeys(str(c.get("metric")) for c in comparisons if isinstance(c, dict)):
            hib = higher_is_better(probe, metric, models)
            pairs = paired_for(probe, metric)
            for other in rest:
                c = pairs.get((first, other))
                if hib is None or c is None or not _current(probe, metric, first, other, c):
                    continue
                word, css = WORDS[outcome(c, hib)]
                arrow = "↑" if hib else "↓"
                row: list[CellLike] = [Cell(f"{probe.get('name')}.{metric} {arrow}", css="metric-name",
                            title=f"{'higher' if hib else 'lower'} is better")]
                row += [Cell(other, css="model")] if len(rest) > 1 else []
                row += [Cell(word, css=f"verdict {css}", strong=word != WORDS[0][0]),
                        Cell(diff_cell(c), css="num"), Cell(p_cell(c), css="num")]
                rows.append(row)
    return rows


def paired_table(results: dict, models: list[str]) -> Table:
    first, rest = models[0], models[1:]
    headers = ["Paired comparison"] + (["Against"] if len(rest) > 1 else []) + [
        f"{first} vs {rest[0]}" if len(rest) == 1 else f"{first} is", "Difference [CI]", "p"]
    return Table(
        headers=headers,
        rows=paired_rows(results, models),
        caption=f"Same examples through both models; difference = {first} − other [confidence interval]. Better or "
                f"worse only where the interval excludes 0 (Brier, log loss: and the sign-flip p is below 1 − confidence).",
        css="paired-verdict compact",
        empty="No paired comparison: no probe saved per-example predictions for these models, so only the "
              "scorecard's unpaired verdicts below apply.",
    )


def gate_blocks(gate: dict) -> list:
    """The gate's verdict, linking to the Gate section, and its failing (or unevaluated) checks, the first few,
    in a table whose header row is only for screen readers (the Gate section shows every check with headers)."""
    checks = [as_dict(c) for c in as_list(gate.get("checks"))]
    bad = [c for c in checks if gate_status(c) in ("fail", "error")]
    verdict = gate_verdict(gate, checks)
    more = len(bad) - FIRST_CHECKS
    link = (Markup(' <a href="#gate">{} more failing; all checks: Gate section</a>').format(more) if more > 0 else
            Markup(' <a href="#gate">All checks: Gate section</a>'))
    verdict.text = Markup("{}").format(verdict.text) + link
    blocks: list = [verdict]
    if bad:
        table = gate_table(bad[:FIRST_CHECKS], table_css="gate-table gate-failing compact")
        table.headers_hidden = True
        blocks.append(table)
    return blocks


def verdict_section(results: dict, models: list[str], anchors: set[str], probe_anchor: dict[str, str]) -> Section:
    blocks: list = []
    gate = results.get("gate")
    if isinstance(gate, dict):
        blocks += gate_blocks(gate)
    blocks.append(build_findings(results, models, anchors, probe_anchor))
    if len(models) > 1:
        blocks.append(paired_table(results, models))
    return Section(id="verdict", title="Verdict", blocks=blocks)
