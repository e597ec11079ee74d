"""Models x headline metrics, with an honest verdict per row.

Where the probe's entry in results.json has a paired comparison for the metric (its ``paired``
block, written by ``audit run`` from the per-example predictions), the verdict rests on it: the
leader is "best · paired" only when its paired CI against every other model excludes 0 in its
favour and, for Brier and log loss, the comparison's sign-flip permutation test also gives
p < 1 − confidence (the percentile bootstrap alone is too narrow when a few examples differ, all
one way). Two models on the same examples are correlated, so this sees differences that
overlapping marginal CIs hide. Otherwise (no per-example data) the conservative rule applies,
labelled "unpaired": "best" only when the leader's CI overlaps no other model's CI, "not
distinguishable" when CIs overlap; without CIs the leader is a point-estimate lead only. Which way is better comes from
``higher_is_better``. Nothing is computed here: the report only reads the saved block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from audit.reports.blocks import Cell, Legend, Table
from audit.core.fmt import ci_of, decimals_for, fmt_metric, fmt_num, is_number, overlaps
from audit.core.document import description_of, higher_is_better, metric_names, metrics_of, probes_of, status_of
from audit.reports.status import status_css, status_label

# Marks a cell can carry, with the words used in both renderers.
BEST, NOT_DISTINGUISHABLE, TIE, LEAD = "best", "not distinguishable", "tie", "lead, no CI"
BEST_PAIRED, ND_PAIRED = "best · paired", "not distinguishable · paired"
UNPAIRED = " · unpaired"  # ends a verdict reached by comparing the models' own CIs
MARK_CSS = {BEST: "mark-best", NOT_DISTINGUISHABLE: "mark-nd", TIE: "mark-tie", LEAD: "mark-lead",
            BEST_PAIRED: "mark-best", ND_PAIRED: "mark-nd"}
LOSSES = ("brier", "log_loss")  # their paired comparisons need the sign-flip test as well as the bootstrap CI


@dataclass
class Verdict:
    kind: str  # best(_paired) | not_distinguishable(_paired) | tie | no_ci | single | no_direction | no_data
    text: str
    marks: dict[str, str] = field(default_factory=dict)  # model id -> mark


def _value(metric: dict | None) -> float | None:
    v = (metric or {}).get("value")
    if not is_number(v) or math.isnan(float(v)):
        return None
    return float(v)


def paired_for(probe: dict, metric: str) -> dict[tuple[str, str], dict]:
    """(a, b) -> comparison of ``metric`` from the probe's ``paired`` block, oriented a - b (each pair also
    under (b, a) with the difference negated); empty when the probe has none. ``p`` is McNemar's p,
    ``flip_p`` the sign-flip permutation p and ``alpha`` 1 − confidence. A Brier or log-loss comparison
    without a sign-flip test (results written before it) is not used."""
    out: dict[tuple[str, str], dict] = {}
    block = probe.get("paired")
    comparisons = block.get("comparisons") if isinstance(block, dict) else None
    block_conf = block.get("confidence") if isinstance(block, dict) else None
    for c in comparisons if isinstance(comparisons, list) else []:
        if not isinstance(c, dict) or c.get("metric") != metric:
            continue
        ci = c.get("ci")
        if not (is_number(c.get("diff")) and isinstance(ci, list) and len(ci) == 2 and all(map(is_number, ci))):
            continue
        a, b = str(c.get("a")), str(c.get("b"))
        test = c.get("mcnemar")
        p = test.get("p_value") if isinstance(test, dict) else None
        flip = c.get("sign_flip")
        flip_p = flip.get("p_value") if isinstance(flip, dict) and is_number(flip.get("p_value")) else None
        if metric in LOSSES and flip_p is None:
            continue
        conf = next((float(x) for x in (c.get("confidence"), block_conf) if is_number(x) and 0 < x < 1), 0.95)
        shared = {"p": p, "flip_p": None if flip_p is None else float(flip_p), "alpha": round(1 - conf, 12)}
        out[(a, b)] = {"diff": float(c["diff"]), "ci": (float(ci[0]), float(ci[1])), **shared}
        out[(b, a)] = {"diff": -float(c["diff"]), "ci": (-float(ci[1]), -float(ci[0])), **shared}
    return out


def diff_text(a: str, b: str, c: dict) -> str:
    """``a − b = +0.023 [+0.007, +0.042]`` (one number of decimals for all three), with McNemar's or the
    sign-flip test's p if any."""
    numbers = [c["diff"], *c["ci"]]
    d = decimals_for(max(abs(x) for x in numbers))
    diff, lo, hi = (("+" if x > 0 else "") + fmt_num(x, d) for x in numbers)
    p = f", McNemar p={c['p']:.2g}" if is_number(c.get("p")) else ""
    p += f", sign-flip p={c['flip_p']:.2g}" if is_number(c.get("flip_p")) else ""
    return f"{a} − {b} = {diff} [{lo}, {hi}]{p}"


def paired_verdict(leader: str, others: list[str], pairs: dict, values: dict[str, float],
                   sign: float) -> Verdict | None:
    """The verdict from paired CIs of leader - other; None unless every other model has one whose difference
    matches the recorded values (a comparison left from other results is not trusted). The leader wins against
    another model when the CI excludes 0 in its favour and, where the comparison has a sign-flip test (Brier,
    log loss), that test's p is below 1 − confidence as well."""
    if not others or any((leader, o) not in pairs for o in others):
        return None
    if not all(math.isclose(pairs[(leader, o)]["diff"], values[leader] - values[o], rel_tol=1e-5, abs_tol=1e-6)
               for o in others):
        return None
    wins = {o: paired_wins(pairs[(leader, o)], sign) for o in others}
    close = [o for o in others if not wins[o]]
    if not close:
        only = others[0]
        text = (f"{leader} better than {only} · paired: {diff_text(leader, only, pairs[(leader, only)])}"
                if len(others) == 1 else
                f"{leader} best · paired: its paired CI excludes 0 against each of {', '.join(others)}")
        return Verdict("best_paired", text, {leader: BEST_PAIRED})
    group = [leader] + close
    details = "; ".join(diff_text(leader, o, pairs[(leader, o)]) for o in close)
    return Verdict("not_distinguishable_paired", f"not distinguishable · paired: {', '.join(group)} ({details})",
                   {m: ND_PAIRED for m in group})


def paired_wins(c: dict, sign: float) -> bool:
    """The comparison's CI excludes 0 on the side ``sign`` favours, and its sign-flip p (if any) is below alpha."""
    excludes = sign * c["ci"][0] > 0 and sign * c["ci"][1] > 0
    flip_p = c.get("flip_p")
    return excludes and (flip_p is None or flip_p < c.get("alpha", 0.05))


def compare(metrics: dict[str, dict | None], higher_better: bool | None,
            pairs: dict[tuple[str, str], dict] | None = None) -> Verdict:
    """Decide the verdict for one metric across models (``metrics``: model id -> metric; ``pairs``: paired
    comparisons from :func:`paired_for`, used when they cover the leader against every other model)."""
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
    verdict = paired_verdict(leader, others, pairs or {}, scored, sign)
    if verdict is not None:
        return verdict
    cis = {m: ci_of(metrics[m]) for m in scored}
    if any(ci is None for ci in cis.values()):
        return Verdict("no_ci", f"{leader} leads on the point estimate; no CI to tell", {leader: LEAD})
    close = [m for m in others if overlaps(cis[leader], cis[m])]
    if not close:
        return Verdict("best", f"{leader} best (CIs do not overlap){UNPAIRED}", {leader: BEST})
    group = [leader] + close
    return Verdict(
        "not_distinguishable",
        "not distinguishable: " + ", ".join(group) + f" (CIs overlap){UNPAIRED}",
        {m: NOT_DISTINGUISHABLE for m in group},
    )


def metric_cell(probe: dict, model_id: str, metric: dict | None, mark: str = "") -> Cell:
    """A value with its CI; a model without a value says why (error, n/a, no values, not run) instead of a
    bare dash, and a value from a unit that ran only in part carries a "partial" flag with the reason."""
    status, reason = status_of(probe, model_id)
    if status != "ok" and _value(metric) is None:
        return Cell(status_label(status, short=True), css=f"num {status_css(status)}", title=reason)
    return Cell(
        fmt_metric(metric),
        css=("num " + MARK_CSS.get(mark, "")).strip(),
        badge=mark,
        strong=mark in (BEST, BEST_PAIRED),
        flag=status_label(status) if status != "ok" else "",
        title=reason if status != "ok" else "",
    )


def direction_text(hib: bool | None) -> str:
    return {True: "↑ higher", False: "↓ lower"}.get(hib, "—")


def metric_row(probe: dict, name: str, label: str, models: list[str]) -> list[Cell]:
    """One table row: metric label, direction, one cell per model, verdict (paired where the probe has
    paired comparisons of this metric)."""
    hib = higher_is_better(probe, name, models)
    per_model = {m: metrics_of(probe, m).get(name) for m in models}
    verdict = compare(per_model, hib, paired_for(probe, name))
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
        "direction. Verdicts marked paired compare the models example by example; unpaired ones only "
        "compare each model's own interval.",
        css="scorecard",
        empty="No probe declares a headline metric.",
    )


def scorecard_legend() -> Legend:
    return Legend([
        (BEST_PAIRED, "paired test on the same examples (Newcombe interval of the accuracy difference, with "
                      "McNemar's p; paired bootstrap interval and sign-flip permutation test for Brier and log "
                      "loss): the leader's interval of the difference against every other model excludes 0 in "
                      "its favour; for Brier and log loss the sign-flip p must also be below 1 − confidence "
                      "(0.05 at 95%), both must hold"),
        (ND_PAIRED, "the paired interval of the difference between these models contains 0, or (Brier, log loss) "
                    "the sign-flip p is not below 1 − confidence: no clear winner"),
        (BEST, "unpaired (no paired test for this metric: no per-example predictions, or a metric such as "
               "macro F1 or ECE that has none): the leader's confidence interval overlaps no other model's interval"),
        (NOT_DISTINGUISHABLE, "unpaired: the leader's interval overlaps these models' intervals. A conservative "
                              "rule: a real difference can hide behind overlapping intervals"),
        (LEAD, "highest point estimate, but without confidence intervals nothing can be concluded"),
        (TIE, "equal point estimates"),
    ])
