"""Models x headline metrics, with an honest verdict per row.

A model is called "best" only when its CI does not overlap any other model's CI. When CIs
overlap the leaders are marked "not distinguishable"; without CIs the leader is shown as a
point-estimate lead only. Which way is better comes from ``higher_is_better``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reports.blocks import Cell, Legend, Table
from reports.fmt import ci_of, fmt_metric, is_number
from reports.lookup import description_of, higher_is_better, metric_names, metrics_of, probes_of, status_of

# Marks a cell can carry, with the words used in both renderers.
BEST, NOT_DISTINGUISHABLE, TIE, LEAD = "best", "not distinguishable", "tie", "lead, no CI"
MARK_CSS = {BEST: "mark-best", NOT_DISTINGUISHABLE: "mark-nd", TIE: "mark-tie", LEAD: "mark-lead"}
STATUS_TEXT = {"error": "error", "not_applicable": "n/a", "missing": "not run"}


@dataclass
class Verdict:
    kind: str  # best | not_distinguishable | tie | no_ci | single | no_direction | no_data
    text: str
    marks: dict[str, str] = field(default_factory=dict)  # model id -> mark


def _value(metric: dict | None) -> float | None:
    v = (metric or {}).get("value")
    if not is_number(v) or math.isnan(float(v)):
        return None
    return float(v)


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return min(a) <= max(b) and min(b) <= max(a)


def compare(metrics: dict[str, dict | None], higher_better: bool | None) -> Verdict:
    """Decide the verdict for one metric across models (``metrics``: model id -> metric)."""
    values = {m: _value(d) for m, d in metrics.items()}
    scored = {m: v for m, v in values.items() if v is not None}
    if not scored:
        return Verdict("no_data", "no values")
    if len(scored) == 1:
        return Verdict("single", "only one model has a value" if len(metrics) > 1 else "one model")
    if higher_better is None:
        return Verdict("no_direction", "no preferred direction")
    sign = 1.0 if higher_better else -1.0
    top = max(sign * v for v in scored.values())
    leaders = [m for m, v in scored.items() if math.isclose(sign * v, top, rel_tol=1e-12, abs_tol=1e-12)]
    if len(leaders) > 1:
        return Verdict("tie", "tie: " + ", ".join(leaders), {m: TIE for m in leaders})
    leader = leaders[0]
    others = [m for m in scored if m != leader]
    cis = {m: ci_of(metrics[m]) for m in scored}
    if any(ci is None for ci in cis.values()):
        return Verdict("no_ci", f"{leader} leads on the point estimate; no CI to tell", {leader: LEAD})
    close = [m for m in others if overlaps(cis[leader], cis[m])]
    if not close:
        return Verdict("best", f"{leader} best (CIs do not overlap)", {leader: BEST})
    group = [leader] + close
    return Verdict(
        "not_distinguishable",
        "not distinguishable: " + ", ".join(group) + " (CIs overlap)",
        {m: NOT_DISTINGUISHABLE for m in group},
    )


def metric_cell(probe: dict, model_id: str, metric: dict | None, mark: str = "") -> Cell:
    """A value with its CI; a failed or inapplicable model says so instead of a bare dash."""
    if metric is None:
        status, reason = status_of(probe, model_id)
        if status in STATUS_TEXT:
            return Cell(STATUS_TEXT[status], css=f"num status-{status}", title=reason)
    return Cell(
        fmt_metric(metric),
        css=("num " + MARK_CSS.get(mark, "")).strip(),
        badge=mark,
        strong=mark == BEST,
    )


def direction_text(hib: bool | None) -> str:
    return {True: "↑ higher", False: "↓ lower"}.get(hib, "—")


def metric_row(probe: dict, name: str, label: str, models: list[str]) -> list[Cell]:
    """One table row: metric label, direction, one cell per model, verdict."""
    hib = higher_is_better(probe, name, models)
    per_model = {m: metrics_of(probe, m).get(name) for m in models}
    verdict = compare(per_model, hib)
    cells = [Cell(label, css="metric-name", title=description_of(probe, name)), Cell(direction_text(hib), css="dir")]
    cells += [metric_cell(probe, m, per_model[m], verdict.marks.get(m, "")) for m in models]
    cells.append(Cell(verdict.text, css=f"verdict verdict-{verdict.kind}"))
    return cells


def headers(first: str, models: list[str]) -> list[str]:
    return [first, "Better"] + models + ["Verdict"]


def build_scorecard(results: dict, models: list[str]) -> Table:
    """Every headline metric of every probe, addressed as ``probe.metric``."""
    rows = []
    for probe in probes_of(results):
        pname = str(probe.get("name", "?"))
        for name in metric_names(probe, models, headline_only=True):
            rows.append(metric_row(probe, name, f"{pname}.{name}", models))
    return Table(
        headers=headers("Metric", models),
        rows=rows,
        caption="Headline metrics of every probe: value [confidence interval]. Arrows give the better "
        "direction.",
        css="scorecard",
        empty="No probe declares a headline metric.",
    )


def scorecard_legend() -> Legend:
    return Legend([
        (BEST, "the leader's confidence interval overlaps no other model's interval"),
        (NOT_DISTINGUISHABLE, "the leader's interval overlaps these models' intervals: no clear winner"),
        (LEAD, "highest point estimate, but without confidence intervals nothing can be concluded"),
        (TIE, "equal point estimates"),
    ])
