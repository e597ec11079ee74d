"""The ``explain`` probe: which attribution method is faithful for which model, said plainly.

Per model a method ranking (with skipped methods and why), a verdict on whether attention
deserves trust, comprehensiveness / sufficiency curves against k, token heatmaps of the same
texts across models, and the most influential words per class with identity terms flagged.
Every key is read defensively: a partial results.json still renders.
"""

from __future__ import annotations

from audit.reports.blocks import Callout, Cell, CrossRef, Figure, FigureRow, Heading, KeyValues, Section, Table
from audit.reports.charts import line_chart
from audit.reports.sections.explain_examples import ATTENTION, RANDOM, details_of, example_blocks
from audit.core.fmt import DASH, ci_of, fmt_exact, fmt_metric, fmt_num, is_number
from audit.reports.heatmap import IDENTITY, signed
from audit.core.document import as_dict, as_list, metric_names, metrics_of
from audit.reports.sections.common import (
    SectionContext, config_block, generic_section, new_section, ok_models, slug, status_blocks,
)
from audit.core.fmt import overlaps
from audit.reports.scorecard import headers, metric_row
from audit.reports.svg import PALETTE

METHOD_ORDER = ("attention", "rollout", "grad_x_input", "integrated_gradients", "occlusion")
RANDOM_COLOR = "#6B6B6B"
MAX_GLOBAL = 10  # words per class
FAIRNESS = (("group-fairness", "group fairness"), ("counterfactual", "counterfactual fairness"))


def ranking(details: dict) -> list[dict]:
    return [r for r in as_list(details.get("ranking")) if isinstance(r, dict) and r.get("method") is not None]


def ranked_methods(details: dict) -> list[str]:
    """Method names best first, without the random baseline."""
    return [str(r["method"]) for r in ranking(details) if str(r["method"]) != RANDOM]


def method_colors(names: list[str]) -> dict[str, str]:
    """Fixed colours for the known methods, so every chart agrees; grey for the random baseline."""
    palette = [c for c in PALETTE if c != RANDOM_COLOR]
    order = list(METHOD_ORDER) + sorted(n for n in names if n not in METHOD_ORDER and n != RANDOM)
    return {**{n: palette[i % len(palette)] for i, n in enumerate(order)}, RANDOM: RANDOM_COLOR}


def fmt_seconds(x) -> str:
    if not is_number(x):
        return DASH
    return f"{x * 1000:.1f} ms" if x < 0.01 else f"{x * 1000:.0f} ms" if x < 1 else f"{x:.1f} s"


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _score(entry: dict) -> str:
    return fmt_metric({"value": entry.get("score"), "ci": entry.get("ci")})


def _metric_or(probe: dict, model: str, name: str, value, ci=None) -> Cell:
    """The recorded metric (with its CI), else the plain value from the details."""
    metric = metrics_of(probe, model).get(name) or {"value": value if is_number(value) else None, "ci": ci}
    return Cell(fmt_metric(metric), css="num")


def _yes_no(flag) -> Cell:
    if not isinstance(flag, bool):
        return Cell(DASH, css="num")
    return Cell("yes", css="status-ok") if flag else Cell("no", css="status-fail")


def _method_row(probe: dict, model: str, method: str, rank: str, entry: dict | None) -> list[Cell]:
    d = details_of(probe, model)
    faith = as_dict(as_dict(d.get("faithfulness")).get(method))
    stab = as_dict(as_dict(d.get("stability")).get(method))
    info = as_dict(as_dict(d.get("methods")).get(method))
    status = str(info.get("status") or ("ok" if entry or faith else "missing"))
    name = f"{method} (baseline)" if method == RANDOM else method
    if status != "ok":
        css = "status-error" if status == "error" else "status-not_applicable"
        return ([Cell(DASH, css="num"), Cell(name, css="label"), Cell(status, css=css)] + [Cell(DASH, css="num")] * 5
                + [Cell(str(info.get("reason") or "no reason given"), css="small")])
    return [Cell(rank, css="num"), Cell(name, css="label", strong=rank == "1"),
            Cell(_score(entry) if entry else DASH, css="num"),
            _yes_no(None if method == RANDOM or not entry else entry.get("beats_random")),
            _metric_or(probe, model, f"aopc_comprehensiveness/{method}", faith.get("aopc_comprehensiveness")),
            _metric_or(probe, model, f"aopc_sufficiency/{method}", faith.get("aopc_sufficiency")),
            _metric_or(probe, model, f"stability/{method}", stab.get("spearman"), stab.get("ci")),
            Cell(fmt_seconds(info.get("seconds_per_example")), css="num"),
            Cell(str(info.get("reason") or ""), css="small")]


def ranking_table(probe: dict, model: str) -> Table:
    """Ranked methods best first, then the random baseline, then the methods that did not run."""
    d = details_of(probe, model)
    entries = {str(r["method"]): r for r in ranking(d)}
    ranked = ranked_methods(d)
    known = list(as_dict(d.get("methods"))) + list(as_dict(d.get("faithfulness")))
    rest = [str(m) for m in dict.fromkeys(known) if str(m) not in ranked and str(m) != RANDOM]
    ok_rest = [m for m in rest if str(as_dict(as_dict(d.get("methods")).get(m)).get("status") or "ok") == "ok"]
    rows = [_method_row(probe, model, m, str(i + 1), entries.get(m)) for i, m in enumerate(ranked)]
    rows += [_method_row(probe, model, m, DASH, None) for m in ok_rest]
    if RANDOM in entries or RANDOM in as_dict(d.get("faithfulness")):
        rows.append(_method_row(probe, model, RANDOM, DASH, entries.get(RANDOM)))
    rows += [_method_row(probe, model, m, DASH, None) for m in rest if m not in ok_rest]
    noise = next((str(s.get("noise")) for s in as_dict(d.get("stability")).values() if as_dict(s).get("noise")), "")
    rule = str(d.get("ranking_rule") or "Score: the probe's faithfulness score.")
    caption = (f"{rule} AOPC comprehensiveness: mean drop in the explained label's probability when the top-k "
               "words are removed (higher is better); AOPC sufficiency: the drop when only they are kept (lower "
               "is better); stability: Spearman correlation of the attributions"
               + (f" under {noise} noise" if noise else " under input noise") + " (higher is better).")
    return Table(["Rank", "Method", "Score [CI]", "Beats random", "AOPC comp. ↑", "AOPC suff. ↓", "Stability ↑",
                  "Time / example", "Note"], rows, title=f"Method ranking — {model}", caption=caption,
                 css="explain-ranking compact", empty="No method ranking recorded.")


def trust_callout(probe: dict, model: str) -> Callout | None:
    """Whether this model's attention deserves trust as an explanation, in one sentence."""
    d = details_of(probe, model)
    entries = [r for r in ranking(d) if str(r["method"]) != RANDOM]
    if not entries:
        return None  # nothing ranked: no ground for a verdict
    best = entries[0]
    best_text = f"{best['method']} ranks first ({_score(best)})"
    att = next((r for r in entries if str(r["method"]) in ATTENTION), None)
    if att is None:
        infos = {m: as_dict(as_dict(d.get("methods")).get(m)) for m in ATTENTION}
        reasons = [str(i["reason"]) for i in infos.values() if i.get("status") not in (None, "ok") and i.get("reason")]
        if not any(infos.values()):
            return None
        return Callout("info", f"{model}: attention explanations do not apply",
                       f"{'; '.join(dict.fromkeys(reasons)) or 'attention was not scored'}. {best_text}.")
    name, rank, n = str(att["method"]), entries.index(att) + 1, len(entries)
    place = f"{name} ranks {ordinal(rank)} of {n} ({_score(att)})"
    beats = " and beats the random baseline" if att.get("beats_random") else ""
    if all(r.get("beats_random") is False for r in entries):
        return Callout("fail", f"{model}: no explanation method beats random",
                       f"{place}; no method's words matter more than randomly chosen ones. Trust none of them.")
    if att.get("beats_random") is False:
        return Callout("fail", f"{model}: do not trust attention as an explanation",
                       f"{place} and does not beat the random baseline; {best_text}.")
    if rank == 1:
        return Callout("pass", f"{model}: attention is the most faithful method here",
                       f"{place}{beats}.")
    a, b = ci_of({"ci": att.get("ci")}), ci_of({"ci": best.get("ci")})
    if a and b and overlaps(a, b):
        return Callout("info", f"{model}: attention is about as faithful as {best['method']}",
                       f"{place}, but its CI overlaps the leader's: the data cannot tell them apart; {best_text}.")
    above = ", ".join(str(r["method"]) for r in entries[: rank - 1])
    return Callout("warn", f"{model}: attention ranks below {above}",
                   f"{place}{beats}, but attention shows where the model looks, not what decides: "
                   f"explain this model with {best['method']}.")


def _k(key) -> float | None:
    try:
        return float(key)
    except (TypeError, ValueError):
        return None


def curve_table(series: dict[str, list[tuple[float, dict]]]) -> Table:
    """The curves' numbers, for Markdown (which cannot show the chart)."""
    ks = sorted({k for pts in series.values() for k, _ in pts})
    rows = [[Cell(m, css="label")] + [Cell(fmt_num(dict(pts).get(k, {}).get("value")), css="num") for k in ks]
            for m, pts in series.items()]
    return Table(["Method"] + [f"k={k:g}" for k in ks], rows, css="compact")


def curve_figures(probe: dict, models: list[str], key: str, better: str) -> FigureRow | None:
    figures = []
    for model in models:
        faith = as_dict(details_of(probe, model).get("faithfulness"))
        order = [m for m in ranked_methods(details_of(probe, model)) if m in faith]
        order += [str(m) for m in faith if str(m) not in order and str(m) != RANDOM] + [RANDOM] * (RANDOM in faith)
        series = {m: sorted(((_k(k), {"value": v}) for k, v in as_dict(as_dict(faith[m]).get(key)).items()
                             if _k(k) is not None and is_number(v)), key=lambda p: p[0]) for m in order}
        series = {m: pts for m, pts in series.items() if pts}
        if series:
            figures.append(Figure(title=f"{model} — {key}", svg=line_chart(
                series, method_colors(list(series)), f"{key} against k — {model}", x_label="k (share of words)",
                y_label=key, width=340), table=curve_table(series)))
    if not figures:
        return None
    return FigureRow(figures, caption=f"{key.capitalize()} at each k (the share of top-attributed words removed "
                                      f"or kept), one line per method; {better} is better. Grey: random words.")


def global_table(probe: dict, model: str) -> Table | None:
    d = details_of(probe, model)
    per_label = {str(k): [e for e in as_list(v) if isinstance(e, dict)][:MAX_GLOBAL]
                 for k, v in as_dict(d.get("global_tokens")).items()}
    if not any(per_label.values()):
        return None
    rows = []
    for i in range(max(len(v) for v in per_label.values())):
        row = [Cell(str(i + 1), css="num")]
        for entries in per_label.values():
            if i >= len(entries):
                row += [Cell(""), Cell(""), Cell("")]
                continue
            e = entries[i]
            ident, mean = e.get("identity"), e.get("mean_attribution")
            row += [Cell(str(e.get("token", DASH)), css="label", badge=IDENTITY if ident else "",
                         title=f"{IDENTITY}: {ident}" if ident else ""),
                    Cell(signed(float(mean)) if is_number(mean) else DASH, css="num"),
                    Cell(fmt_num(e.get("count")), css="num")]
        rows.append(row)
    method = d.get("global_method") or "attribution"
    return Table(["#"] + ["word", "mean score", "count"] * len(per_label), rows,
                 header_groups=[("", 1)] + [(label, 3) for label in per_label], css="explain-global compact",
                 title=model,
                 caption=f"Mean {method} score toward each class over a separate seeded sample of the dataset "
                         "(explain.global_examples texts, not only the texts explained above), strongest first; "
                         f"'{IDENTITY}' marks a word that names a social group.")


def identity_ref(probe: dict, models: list[str]) -> CrossRef | None:
    hits: dict[str, list[str]] = {}
    for model in models:
        for entries in as_dict(details_of(probe, model).get("global_tokens")).values():
            for e in as_list(entries)[:MAX_GLOBAL]:
                if isinstance(e, dict) and e.get("identity"):
                    hits.setdefault(f"{e.get('token')} ({e['identity']}", []).append(model)
    targets = [(f"probe-{slug(name)}", label) for name, label in FAIRNESS]
    if not hits:
        return CrossRef("No identity term is among the most influential words. Outcomes between groups are "
                        "measured in", targets, missing="No identity term is among the most influential words.")
    words = ", ".join(f"{w}; {', '.join(dict.fromkeys(ms))})" for w, ms in hits.items())
    return CrossRef(f"Identity terms among the most influential words: {words}. The models lean on words that name "
                    "groups; whether that changes outcomes between groups is measured in", targets,
                    missing=f"Identity terms among the most influential words: {words}. No fairness probe ran in "
                            "this audit: add group-fairness or counterfactual to measure their effect.")


def notes_block(probe: dict, models: list[str]) -> KeyValues | None:
    """How the scores were made (explained score, word pooling, per-method notes such as integrated
    gradients' completeness gap): what a reader needs before trusting a number."""
    pairs = []
    for model in models:
        d = details_of(probe, model)
        general = [("explained score", d.get("score")), ("words", d.get("word_aggregation")),
                   ("random baselines", d.get("random_baselines"))]
        pairs += [(f"{model} · {k}", fmt_exact(v)) for k, v in general if v is not None]
        for method, note in as_dict(d.get("method_notes")).items():
            if as_dict(note):
                pairs.append((f"{model} · {method}", ", ".join(f"{k}={fmt_exact(v)}" for k, v in note.items())))
    return KeyValues(pairs, caption="How the attributions were computed") if pairs else None


def headline_table(probe: dict, ctx: SectionContext) -> Table | None:
    names = metric_names(probe, ctx.models, headline_only=True)
    if not names:
        return None
    return Table(headers("Metric", ctx.models), [metric_row(probe, n, n, ctx.models) for n in names],
                 caption="Headline faithfulness per method, models side by side.", css="metrics-table")


def explain_section(probe: dict, ctx: SectionContext) -> Section:
    """Falls back to the generic layout when no model recorded explanation details."""
    models = [m for m in ok_models(probe, ctx) if details_of(probe, m)]
    if not models:
        return generic_section(probe, ctx)
    section = new_section(probe)
    blocks: list = status_blocks(probe, ctx) + [headline_table(probe, ctx)]
    verdicts = [c for c in (trust_callout(probe, m) for m in models) if c is not None]
    blocks += [Heading("Can attention be trusted?")] + verdicts if verdicts else []
    blocks += [ranking_table(probe, m) for m in models] + [notes_block(probe, models)]
    blocks += [Heading("Faithfulness against k"),
               curve_figures(probe, models, "comprehensiveness", "higher"),
               curve_figures(probe, models, "sufficiency", "lower")]
    ranked = {m: ranked_methods(details_of(probe, m)) for m in models}
    examples = example_blocks(probe, models, ranked)
    blocks += [Heading("The same texts explained by each model")] + examples if examples else []
    global_tables = [global_table(probe, m) for m in models]
    if any(global_tables):
        blocks += [Heading("Most influential words per class")] + global_tables + [identity_ref(probe, models)]
    blocks.append(config_block(probe))
    section.blocks = [b for b in blocks if b is not None]
    return section
