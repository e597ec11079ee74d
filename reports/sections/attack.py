"""The ``attack`` probe: per-recipe results with the models side by side, and adversarial
examples as word-level diffs (inline SVG in HTML, marked text in Markdown; every part escaped).
A sentence pair shows both texts, each diffed against its adversarial side (the fixed side unchanged).

Success rates state their denominator ("success over 83 attacked examples; 2 inconclusive (time
budget) left out"); examples a time budget stopped are counted apart and called out.

Reads only results.json keys (``details.recipes`` with ``resources.word_vectors``, ``details.unavailable``,
``details.perturb``, ``examples``); imports no torch, textattack or probes.
"""

from __future__ import annotations

import difflib
import textwrap

from markupsafe import Markup

from audit.reports.blocks import Callout, Cell, Figure, Heading, KeyValues, Section, Table
from audit.core.fmt import fmt_duration, fmt_num, fmt_pct
from audit.core.document import as_dict, as_list, metrics_of, model_result
from audit.reports.sections.robustness_groups import by_group_blocks
from audit.reports.sections.common import (
    DIFF_FIGURE, DIFF_TEXT, SectionContext, config_block, new_section, ok_models, status_blocks,
)
from audit.reports.scorecard import headers, metric_row
from audit.reports.svg import el, svg

ROWS = (("success_rate", "success rate"), ("accuracy_under_attack", "accuracy under attack"),
        ("clean_accuracy", "clean accuracy"), ("avg_queries", "queries per example"),
        ("avg_perturbed_share", "share of words changed"))
MAX_DIFFS = 12  # adversarial examples drawn per model
LINE_CHARS, CHAR_W, LINE_H, PAD = 92, 7.2, 17, 10  # monospace layout of the diff figure
DELETED, INSERTED, SIDE = "#b42318", "#067647", "#667085"
SIDE_NAMES = {"first": "the first text", "second": "the second text", "both": "both texts"}


def _details(probe: dict, model: str) -> dict:
    return as_dict((model_result(probe, model) or {}).get("details"))


def recipe_names(probe: dict, models: list[str]) -> list[str]:
    names: list[str] = []
    for m in models:
        names += [str(r) for r in as_dict(_details(probe, m).get("recipes")) if str(r) not in names]
    return names


def _recipe(probe: dict, model: str, recipe: str) -> dict:
    return as_dict(as_dict(_details(probe, model).get("recipes")).get(recipe))


def basis_text(d: dict) -> str | None:
    """The success rate's denominator in words (recorded by the probe; rebuilt for older results)."""
    if d.get("success_rate_basis"):
        return str(d["success_rate_basis"])
    return f"success over {fmt_num(d['attacked'])} attacked examples" if d.get("attacked") is not None else None


def basis_row(probe: dict, recipe: str, models: list[str]) -> list[Cell] | None:
    texts = [basis_text(_recipe(probe, m, recipe)) for m in models]
    if not any(texts):
        return None
    return [Cell(f"{recipe} · success rate is", css="metric-name"), Cell("", css="dir")] + [
        Cell(t or "—", css="text") for t in texts] + [Cell("")]


def results_table(probe: dict, ctx: SectionContext, recipes: list[str]) -> Table:
    rows = []
    for recipe in recipes:
        for key, label in ROWS:
            name = f"{key}/{recipe}"
            if any(name in metrics_of(probe, m) for m in ctx.models):
                rows.append(metric_row(probe, name, f"{recipe} · {label}", ctx.models))
            if key == "success_rate" and (row := basis_row(probe, recipe, ctx.models)):
                rows.append(row)
    return Table(headers("Recipe · metric", ctx.models), rows, css="metrics-table attack-table",
                 caption="Per recipe, models side by side: rates with 95% exact (Clopper-Pearson) intervals. Success rate is over "
                         "attacked (correctly classified) examples; accuracies are over all evaluated examples. "
                         "Examples a time budget stopped (inconclusive) are left out of the success rate and of "
                         "accuracy under attack.",
                 empty="No recipe ran.")


def counts_table(probe: dict, models: list[str], recipes: list[str]) -> Table:
    cols = ("succeeded / failed / skipped", "inconclusive", "unconfirmed", "stopped by budget", "time")
    rows = []
    for recipe in recipes:
        row: list = [Cell(recipe, css="label")]
        for m in models:
            d = _recipe(probe, m, recipe)
            if not d:
                row += [Cell("—", css="num")] * len(cols)
                continue
            budget = (d.get("timed_out") or 0) + (d.get("query_budget_hits") or 0)  # timed_out: older results
            row += [Cell(f"{fmt_num(d.get('successes'))} / {fmt_num(d.get('failures'))} / "
                         f"{fmt_num(d.get('skipped'))}", css="num", title=_skip_title(d)),
                    Cell(fmt_num(d.get("inconclusive", 0)), css="num"),
                    Cell(fmt_num(d.get("unconfirmed")), css="num"), Cell(fmt_num(budget), css="num"),
                    Cell(fmt_duration(d.get("seconds")), css="num")]
        rows.append(row)
    return Table(["Recipe"] + [c for _ in models for c in cols], rows, header_groups=[("", 1)] + [(m, len(cols))
                 for m in models], css="attack-counts compact",
                 caption="Counts per recipe. Inconclusive: stopped by the time budget (off by default) before the "
                         "goal or the query budget; neither success nor failure. Unconfirmed: TextAttack reported "
                         "success but re-predicting the adversarial text kept the gold label (counted as failed). "
                         "Stopped by budget: failures that spent the query budget.")


def inconclusive_callout(probe: dict, models: list[str], recipes: list[str]) -> Callout | None:
    """A warning when a time budget stopped examples: those rates depend on how busy the machine was."""
    hits = [(m, r, d) for m in models for r in recipes if (d := _recipe(probe, m, r)).get("inconclusive")]
    if not hits:
        return None
    where = "; ".join(f"{r} on {m}: {fmt_num(d['inconclusive'])} ({fmt_num(d.get('time_budget_s'))} s budget)"
                      for m, r, d in hits)
    return Callout("warn", "Inconclusive examples (time budget)",
                   f"A time budget stopped examples before the goal or the query budget ({where}). They are left "
                   "out of the success rate and accuracy under attack, and which examples they are depends on how "
                   "busy the machine was. Unset time_budget_s for results that do not.")


def _skip_title(d: dict) -> str:
    by = as_dict(d.get("skipped_by_reason"))
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in by.items() if v) or "none skipped"


def recipe_notes(probe: dict, models: list[str], recipes: list[str]) -> KeyValues | None:
    pairs = []
    for recipe in recipes:
        d = next((as_dict(as_dict(_details(probe, m).get("recipes")).get(recipe)) for m in models
                  if as_dict(_details(probe, m).get("recipes")).get(recipe)), {})
        note = str(d.get("paper") or "")
        if d.get("offline_note"):
            note += f" — offline: {d['offline_note']}"
        if as_dict(d.get("resources")).get("word_vectors"):
            note += f" — word vectors: {as_dict(d.get('resources'))['word_vectors']}"
        pairs.append((f"{recipe} ({d.get('textattack_recipe', '?')})", note or "—"))
    return KeyValues(pairs, caption="Recipes and their papers") if pairs else None


def unavailable_callouts(probe: dict, models: list[str]) -> list[Callout]:
    seen: dict[str, str] = {}
    for m in models:
        for recipe, message in as_dict(_details(probe, m).get("unavailable")).items():
            seen.setdefault(str(recipe), str(message))
    return [Callout("not_applicable", f"{recipe}: not run", message) for recipe, message in seen.items()]


def vector_callouts(probe: dict, models: list[str]) -> list[Callout]:
    """A warning per recipe whose word swaps did not come from counter-fitted vectors (``resources.word_vectors``)."""
    found = {str(r): as_dict(as_dict(d).get("resources")) for m in reversed(models)  # the first model's, as a run's
             for r, d in as_dict(_details(probe, m).get("recipes")).items()}  # resources are the same for all
    return [Callout("warn", f"{r}: word swaps not counter-fitted", str(res["word_vectors"])) for r, res in found.items()
            if res.get("word_vectors") and "counterfit" not in res]


def word_diff(original: str, adversarial: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Whitespace tokens of both texts, each flagged True where it differs from the other text."""
    a, b = str(original).split(), str(adversarial).split()
    left, right = [(w, True) for w in a], [(w, True) for w in b]
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            left[block.a + k] = (a[block.a + k], False)
            right[block.b + k] = (b[block.b + k], False)
    return left, right


def marked(tokens: list[tuple[str, bool]], sign: str) -> str:
    """Markdown / plain form: changed words as [-word-] (removed) or {+word+} (inserted)."""
    return " ".join((f"[-{w}-]" if sign == "-" else f"{{+{w}+}}") if changed else w for w, changed in tokens)


def _lines(tokens: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    lines, current, width = [], [], 0
    for word, changed in tokens:
        for piece in textwrap.wrap(word, LINE_CHARS - 2) or [word]:
            if current and width + 1 + len(piece) > LINE_CHARS - 2:
                lines.append(current)
                current, width = [], 0
            current.append((piece, changed))
            width += len(piece) + (1 if width else 0)
    return lines + ([current] if current else [])


def sides(ex: dict) -> list[tuple[str | None, str, str]]:
    """(side label or None, original, adversarial) of each text of an example: one for a single text,
    two for a sentence pair."""
    first = (None, str(ex.get("text", "")), str(ex.get("adversarial", "")))
    if "text_pair" not in ex:
        return [first]
    pair = str(ex.get("text_pair") or "")
    return [("first text", first[1], first[2]), ("second text", pair, str(ex.get("adversarial_pair") or pair))]


def _diff_lines(tokens: list[tuple[str, bool]], sign: str, colour: str, y: float) -> tuple[list, float]:
    parts = []
    for i, line in enumerate(_lines(tokens)):
        y += LINE_H
        spans = []
        for j, (word, changed) in enumerate(line):
            attrs = {"fill": colour, "font-weight": "700"} if changed else {}
            if changed:
                attrs["text-decoration"] = "line-through" if sign == "−" else "underline"
            spans += ([" "] if j else []) + [el("tspan", attrs, word)]
        prefix = el("tspan", {"fill": colour}, (sign if i == 0 else " ") + " ")
        parts.append(el("text", {"x": PAD, "y": y, "xml:space": "preserve"}, prefix, *spans))
    return parts, y


def diff_svg(examples: list[dict], label: str) -> Markup:
    """Stacked diff cards: a header line, the original (removed words struck through in red), the adversarial
    text (inserted words bold and underlined in green); for a pair, each side under its name, an unchanged side once.
    Monospace, so wrapping by characters is exact."""
    parts: list = []
    y: float = PAD
    width = PAD * 2 + 2 * CHAR_W + LINE_CHARS * CHAR_W
    for ex in examples:
        y += LINE_H
        parts.append(el("text", {"x": PAD, "y": y, "class": "diff-head", "font-weight": "600"}, _header(ex)))
        for side, original, adversarial in sides(ex):
            unchanged = side is not None and original == adversarial
            if side is not None:
                y += LINE_H
                parts.append(el("text", {"x": PAD, "y": y, "fill": SIDE, "font-style": "italic"},
                                side + (" (unchanged)" if unchanged else "")))
            if unchanged:
                lines, y = _diff_lines([(w, False) for w in original.split()], " ", SIDE, y)
                parts += lines
                continue
            left, right = word_diff(original, adversarial)
            for sign, tokens, colour in (("−", left, DELETED), ("+", right, INSERTED)):
                lines, y = _diff_lines(tokens, sign, colour, y)
                parts += lines
        y += PAD
    return svg(width, y + PAD, label, el("g", {"font-family": "ui-monospace, Menlo, Consolas, monospace",
                                               "font-size": 12}, *parts), css="chart attack-diff")


def _header(ex: dict) -> str:
    conf = lambda key: f" ({fmt_num(ex.get(key), 2)})" if ex.get(key) is not None else ""  # noqa: E731
    return (f"{ex.get('recipe', '?')} · id {ex.get('id', '?')} · {ex.get('label', '?')}{conf('original_confidence')}"
            f" → {ex.get('adversarial_label', '?')}{conf('adversarial_confidence')} · "
            f"{fmt_num(ex.get('words_changed'))} word(s) changed · {fmt_num(ex.get('queries'))} queries")


def diff_table(examples: list[dict]) -> Table:
    pair = any("text_pair" in ex for ex in examples)
    rows = []
    for ex in examples:
        row = [Cell(str(ex.get("recipe", "")), css="label"), Cell(str(ex.get("id", ""))),
               Cell(f"{ex.get('label', '?')} → {ex.get('adversarial_label', '?')}"),
               Cell(fmt_pct(ex.get("perturbed_share")), css="num")]
        for _, original, adversarial in sides(ex):
            left, right = word_diff(original, adversarial)
            row += [Cell(marked(left, "-"), css="text"), Cell(marked(right, "+"), css="text")]
        if pair:  # a single text among pairs (not from the probe): its pair cells left empty
            row += [Cell("—")] * (8 - len(row))
        rows.append(row)
    texts = (["Text", "Adversarial text", "Text pair", "Adversarial text pair"] if pair
             else ["Original", "Adversarial"])
    return Table(["Recipe", "Id", "Label", "Words changed"] + texts, rows, css="examples",
                 caption=DIFF_TEXT, markdown_rows=10)


def perturb_callout(probe: dict, models: list[str]) -> Callout | None:
    """On sentence pairs: which side the attack changed and which it held fixed."""
    side = next((str(_details(probe, m).get("perturb")) for m in models if _details(probe, m).get("perturb")), None)
    if side is None:
        return None
    fixed = {"first": " The second text was held fixed.", "second": " The first text was held fixed."}.get(side, "")
    return Callout("info", "Sentence pairs", f"The attack changed {SIDE_NAMES.get(side, side)} of each pair.{fixed} "
                   "The share of words changed is over the words of the side(s) attacked.")


def example_blocks(probe: dict, models: list[str]) -> list:
    blocks: list = []
    for m in models:
        examples = [e for e in as_list((model_result(probe, m) or {}).get("examples"))
                    if isinstance(e, dict) and e.get("adversarial") is not None][:MAX_DIFFS]
        if examples:
            blocks += [Heading(f"Adversarial examples — {m}"),
                       Figure(title=f"Word-level diffs — {m}", svg=diff_svg(examples, f"Adversarial examples for {m}"),
                              table=diff_table(examples),
                              caption=DIFF_FIGURE)]
    return blocks


def attack_section(probe: dict, ctx: SectionContext) -> Section:
    section = new_section(probe)
    models = ok_models(probe, ctx)
    recipes = recipe_names(probe, models)
    blocks: list = (status_blocks(probe, ctx) + unavailable_callouts(probe, ctx.models) + vector_callouts(probe, models)
                    + [perturb_callout(probe, models)])
    if recipes:
        blocks += [inconclusive_callout(probe, models, recipes), results_table(probe, ctx, recipes),
                   counts_table(probe, models, recipes)]
    blocks += example_blocks(probe, models)
    blocks += by_group_blocks(probe, models, ctx.colors)
    blocks += [recipe_notes(probe, models, recipes), config_block(probe)]
    section.blocks = [b for b in blocks if b is not None]
    return section
