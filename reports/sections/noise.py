"""The ``noise`` probe: headline numbers, accuracy-against-severity curves per perturbation with
the models overlaid, the most damaging perturbations, and flipped predictions as word diffs.

Reads the probe's ``details`` (``cells``, ``clean_accuracy``, ``perturbations``) and
``examples``; falls back to the generic layout when they are missing. Drops and flip rates are shown
over the texts each perturbation changed, with their counts ("36 of 258"); results written before
those existed show the all-text figures. On sentence pairs the cells
carry a ``side`` (noise on the first text, the second or both): each side gets its own curves and
tables, and a flip shows both texts of the pair.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from markupsafe import Markup

from audit.reports.blocks import Cell, Figure, FigureRow, Heading, Section, Table
from audit.reports.charts import line_chart
from audit.core.fmt import fmt_metric, fmt_num, fmt_pct, is_number
from audit.core.document import as_dict, as_list, metrics_of, model_result
from audit.reports.sections.robustness_groups import by_group_blocks
from audit.reports.sections.common import (
    DIFF_FIGURE, DIFF_MARKS, DIFF_TEXT, SectionContext, config_block, generic_section, headline_chart, new_section,
    ok_models, status_blocks,
)
from audit.reports.scorecard import headers, metric_row
from audit.reports.svg import el, svg, title

# headlines over the texts each perturbation changed, then their all-text forms (texts it left alone count)
SIDE_METRICS = ("worst_accuracy", "max_changed_accuracy_drop", "mean_changed_flip_rate", "max_accuracy_drop",
                "mean_flip_rate")  # per side, on sentence pairs
SUMMARY_METRICS = ("clean_accuracy",) + SIDE_METRICS
ALL_TEXTS = ("max_accuracy_drop", "mean_flip_rate")  # labelled "(all texts)" beside their changed-text forms
SIDE_TEXT = {"first": "the first text", "second": "the second text", "both": "both texts"}
PAIR_TEXTS = (("text", "perturbed", "1"), ("text_pair", "perturbed_pair", "2"))  # a pair's texts in a flip
MARKDOWN_DAMAGE_ROWS = 10
DIFF_COLUMNS, CHAR_W, LINE_H = 104, 7.2, 16  # monospace 12 px
SHOWN_WHITESPACE = {" ": "␣", "\t": "⇥", "\n": "↵", "\r": "↵"}
_TOKEN = re.compile(r"\s+|\S+")


def _cells(probe: dict, model: str) -> list[dict]:
    details = as_dict((model_result(probe, model) or {}).get("details"))
    return [c for c in as_list(details.get("cells")) if isinstance(c, dict) and c.get("key")]


def _side_cells(probe: dict, model: str, side: str | None) -> list[dict]:
    """The cells of one side of a pair (None: single texts, whose cells have no side)."""
    return [c for c in _cells(probe, model) if c.get("side") == side]


def _sides(probe: dict, models: list[str]) -> list[str | None]:
    """Sides in run order: ``[None]`` for single texts, e.g. ``["first", "second", "both"]`` for pairs."""
    found: list[str | None] = []
    for model in models:
        for cell in _cells(probe, model):
            side = cell.get("side")
            side = str(side) if side is not None else None
            found += [side] if side not in found else []
    return found


def _perturbations(probe: dict, models: list[str], side: str | None = None) -> list[str]:
    """Perturbation names in run order, most damaging (mean drop over the changed texts at the highest
    severity) first."""
    names: list[str] = []
    drops: dict[str, list[float]] = {}
    for model in models:
        cells = _side_cells(probe, model, side)
        for cell in cells:
            name = str(cell.get("perturbation"))
            names += [name] if name not in names else []
        for name, cell in _top_cells(cells).items():
            drop = cell.get("changed_accuracy_drop", cell.get("accuracy_drop"))
            if isinstance(drop, (int, float)) and is_number(drop):
                drops.setdefault(name, []).append(float(drop))
    mean = {n: sum(v) / len(v) for n, v in drops.items()}
    return sorted(names, key=lambda n: -mean.get(n, float("-inf")))


def _top_cells(cells: list[dict]) -> dict[str, dict]:
    """Each perturbation's cell at its highest severity."""
    out: dict[str, dict] = {}
    for cell in cells:
        name, sev = str(cell.get("perturbation")), cell.get("severity")
        if is_number(sev) and (name not in out or sev > out[name]["severity"]):
            out[name] = cell
    return out


def _summaries(probe: dict, models: list[str]) -> dict[str, str]:
    for model in models:
        details = as_dict((model_result(probe, model) or {}).get("details"))
        found = {str(p.get("name")): str(p.get("summary") or "") for p in as_list(details.get("perturbations"))
                 if isinstance(p, dict)}
        if found:
            return found
    return {}


def summary_table(probe: dict, ctx: SectionContext, sides: list[str | None]) -> Table:
    names = list(SUMMARY_METRICS) + [f"{m}/{side}" for side in sides if side is not None for m in SIDE_METRICS]
    pairs = " (and side: the noise on the first text, the second or both)" if sides != [None] else ""
    label = lambda n: f"{n} (all texts)" if n.split("/")[0] in ALL_TEXTS else n  # noqa: E731
    return Table(headers("Metric", ctx.models), [metric_row(probe, n, label(n), ctx.models) for n in names],
                 caption=f"Clean accuracy and the headline noise metrics, worst case over every perturbation and "
                         f"severity{pairs}. Changed-text drops and flip rates count only the texts a perturbation "
                         f"changed; the all-text ones count every text, a text left alone as unflipped. "
                         f"{headline_words(probe, ctx.models)}Shares have exact (Clopper-Pearson) intervals, drops "
                         "Newcombe's paired interval; a headline's interval also holds its bootstrap over texts.",
                 css="metrics-table")


def headline_words(probe: dict, models: list[str]) -> str:
    """Where the changed-text headlines come from, per model, with their denominators."""
    out = []
    for model in models:
        details = as_dict((model_result(probe, model) or {}).get("details"))
        top = as_dict(details.get("max_changed_drop"))
        cells = _cells(probe, model)
        if not top or not cells:
            continue
        untouched = [str(c["key"]) for c in cells if c.get("changed") == 0]
        few = details.get("min_changed")
        small = sum(1 for c in cells if is_number(c.get("changed")) and 0 < c["changed"] < (few or 0))
        words = (f"{model}: largest drop at {top.get('key')}, over the {top.get('changed')} of {top.get('n')} texts "
                 f"it changed")
        if small:
            words += f"; {small} cells changing fewer than {few} texts are left out of the headlines"
        if untouched:
            words += f"; no rate where the perturbation changed no text ({', '.join(untouched)})"
        out.append(words + ".")
    return " ".join(out) + (" " if out else "")


def _on(side: str | None) -> str:
    """`` — noise on the second text`` for a pair side; nothing for single texts."""
    return f" — noise on {SIDE_TEXT.get(side, side)}" if side is not None else ""


def curves(probe: dict, models: list[str], order: list[str], colors: dict[str, str],
           side: str | None = None) -> FigureRow | None:
    figures = []
    for name in order:
        series = {}
        for model in models:
            metrics = metrics_of(probe, model)
            points = [(0.0, metrics.get("clean_accuracy"))]
            points += [(float(c["severity"]), metrics.get(f"accuracy/{c['key']}")) for c in _side_cells(probe, model, side)
                       if c.get("perturbation") == name and is_number(c.get("severity")) and c["severity"] > 0]
            series[model] = points
        figures.append(Figure(title=name, svg=line_chart(series, colors, f"Accuracy against severity — {name}{_on(side)}",
                                                         x_label="severity", y_label="accuracy")))
    if not figures:
        return None
    return FigureRow(figures, caption=f"Accuracy against severity for each perturbation{_on(side)}, most damaging "
                                      "first; severity 0 is the clean text. Whiskers are 95% exact (Clopper-Pearson) intervals.")


def _changed_cells(cell: dict, metrics: dict) -> list[Cell]:
    """Drop, flip rate and texts changed of one cell, over the changed texts with their counts; the all-text
    figures for results without changed-text ones."""
    key, n, changed = cell.get("key"), cell.get("n"), cell.get("changed")
    if not key:
        return [Cell("—", css="num")] * 3
    if not is_number(changed) or "changed_flips" not in cell:  # results from before changed-text rates
        return [Cell(fmt_metric(metrics.get(f"accuracy_drop/{key}")), css="num"),
                Cell(fmt_pct(cell.get("flip_rate")), css="num"), Cell(fmt_pct(cell.get("applied_rate")), css="num")]
    over = f"over the {changed} of {n} texts the perturbation changed"
    if changed == 0:
        none = Cell("no rate", css="num", title="the perturbation changed no text")
        return [none, none, Cell(f"0 of {n}", css="num")]
    flips = f"{fmt_pct(cell.get('changed_flip_rate'))} ({cell.get('changed_flips')} of {changed})"
    return [Cell(fmt_metric(metrics.get(f"changed_accuracy_drop/{key}")), css="num", title=f"accuracy drop {over}"),
            Cell(flips, css="num", title=f"flip rate {over}"), Cell(f"{changed} of {n}", css="num")]


def damage_table(probe: dict, models: list[str], order: list[str], side: str | None = None) -> Table:
    summaries = _summaries(probe, models)
    rows = []
    for name in order:
        tops = {m: _top_cells(_side_cells(probe, m, side)).get(name) for m in models}
        sev = next((c["severity"] for c in tops.values() if c), None)
        row = [Cell(name, css="label", title=summaries.get(name, "")), Cell(f"{sev:g}" if is_number(sev) else "—", css="num")]
        for m in models:
            row += _changed_cells(tops[m] or {}, metrics_of(probe, m))
        rows.append(row)
    cols = ("accuracy drop (changed texts)", "flip rate (changed texts)", "texts changed")
    return Table(["Perturbation", "Severity"] + [c for _ in models for c in cols], rows,
                 header_groups=[("", 2)] + [(m, len(cols)) for m in models], css="noise-damage",
                 title=f"Most damaging perturbations{_on(side)}",
                 caption="At each perturbation's highest severity, largest drop first. Drop and flip rate are over "
                         "the texts the perturbation changed (\"k of m\": k flips among the m changed texts; \"m of n\": "
                         "texts changed of all n); a text it could not change (no synonym, no "
                         "contraction ...) is left out, and a perturbation that changed no text has no rate.",
                 markdown_rows=MARKDOWN_DAMAGE_ROWS)


def accuracy_grid(probe: dict, models: list[str], order: list[str], side: str | None = None) -> Table:
    sevs = sorted({float(c["severity"]) for m in models for c in _side_cells(probe, m, side) if is_number(c.get("severity"))})
    rows = []
    for name in order:
        row = [Cell(name, css="label")]
        for m in models:
            by_sev = {float(c["severity"]): c for c in _side_cells(probe, m, side) if c.get("perturbation") == name}
            row += [Cell(fmt_num(by_sev[s].get("accuracy")) if s in by_sev else "—", css="num") for s in sevs]
        rows.append(row)
    clean = ", ".join(f"{m} {fmt_metric(metrics_of(probe, m).get('clean_accuracy'))}" for m in models)
    return Table(["Perturbation"] + [f"{s:g}" for _ in models for s in sevs], rows,
                 header_groups=[("", 1)] + [(m, len(sevs)) for m in models], css="noise-grid compact",
                 title=f"Accuracy by perturbation and severity{_on(side)}", caption=f"Clean accuracy: {clean}.")


def diff_segments(a: str, b: str) -> list[tuple[str, str]]:
    """Word-level diff of ``a`` -> ``b``: ("same" | "del" | "ins", text) runs, whitespace kept."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(ta[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(tb[j1:j2])))
    return out


def shown(text: str, changed: bool) -> str:
    """Text as a reader can see it: invisible characters as ⟨U+200B⟩, and a changed run made of
    whitespace only as symbols (␣ ⇥ ↵); any other whitespace reads as one space."""
    symbols = changed and text.isspace()
    out = []
    for ch in text:
        if ch.isspace():
            out.append(SHOWN_WHITESPACE.get(ch, "␣") if symbols else " ")
        elif unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn"):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    s = "".join(out)
    return s if symbols else re.sub(r" {2,}", " ", s)


def word_diff_text(segments: list[tuple[str, str]]) -> str:
    """Plain-text word diff in git's notation: [-removed-]{+inserted+}."""
    marks = {"del": "[-{}-]", "ins": "{{+{}+}}", "same": "{}"}
    out = []
    for op, text in segments:
        body = shown(text, op != "same")
        if op != "same" and body.strip():  # spaces around a changed run go outside its marks
            lead, tail = " " * body.startswith(" "), " " * body.endswith(" ")
            out.append(lead + marks[op].format(body.strip()) + tail)
        else:
            out.append(marks[op].format(body))
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def _code_points(text: str) -> str:
    odd = sorted({ch for ch in text if ord(ch) > 127})
    return "; ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in odd)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _diff_lines(segments: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Segments split into words and wrapped into lines of at most DIFF_COLUMNS columns."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for op, text in segments:
        for piece in _TOKEN.findall(shown(text, op != "same")):
            w = _width(piece)
            if used + w > DIFF_COLUMNS and used:
                lines.append([])
                used = 0
                if piece.isspace():
                    continue
            lines[-1].append((op, piece))
            used += w
    return [line for line in lines if line]


STYLE = {"same": {"fill": "#1f2933"},
         "del": {"fill": "#b42318", "text-decoration": "line-through"},
         "ins": {"fill": "#067647", "font-weight": "bold", "text-decoration": "underline"}}


def _texts(ex: dict) -> list[tuple[str, str, str]]:
    """(clean, perturbed, mark) per text of a flip: one for a single text, two for a pair (marks 1, 2)."""
    if "text_pair" not in ex:
        return [(str(ex.get("text", "")), str(ex.get("perturbed", "")), "")]
    return [(str(ex.get(clean, "")), str(ex.get(noisy, ex.get(clean, ""))), mark) for clean, noisy, mark in PAIR_TEXTS]


def flips_svg(examples: list[dict], label: str) -> Markup:
    """Each flip: a header (perturbation, id, gold, prediction before -> after) and the word diff
    of each text (both texts of a pair, marked 1 and 2); removed words struck through in red,
    inserted ones bold and underlined in green."""
    parts: list[Markup] = []
    y = 4
    for ex in examples:
        y += LINE_H
        head = (f"{_cell_name(ex)} · id {ex.get('id')} · gold {ex.get('label')} · "
                f"{ex.get('clean_predicted')} ({fmt_num(ex.get('clean_confidence'), 2)}) → "
                f"{ex.get('predicted')} ({fmt_num(ex.get('confidence'), 2)})")
        parts.append(el("text", {"x": 4, "y": y, "class": "legend", "font-weight": "bold"}, head))
        for clean, noisy, mark in _texts(ex):
            for n_line, line in enumerate(_diff_lines(diff_segments(clean, noisy))):
                y += LINE_H
                if mark and n_line == 0:
                    parts.append(el("text", {"x": 4, "y": y, "class": "legend"}, mark))
                spans, previous = [], ""
                for op, piece in line:
                    tip = _code_points(piece) if op == "ins" else ""
                    attrs = {**STYLE[op], "dx": 4 if (previous, op) == ("del", "ins") else None}  # "old new", not "oldnew"
                    spans.append(el("tspan", attrs, title(tip) if tip else None, piece))
                    previous = op
                parts.append(el("text", {"x": 16 if mark else 12, "y": y, "font-family": "monospace", "font-size": 12},
                                *spans))
        y += 6
    return svg(int(DIFF_COLUMNS * CHAR_W) + 24, y + 8, label, *parts)


def _cell_name(ex: dict) -> str:
    """``typo@0.1``, or ``second/typo@0.1`` on a pair, as in the metric names."""
    sev = ex.get("severity")
    name = f"{ex.get('perturbation')}@{sev:g}" if is_number(sev) else str(ex.get("perturbation"))
    return f"{ex['side']}/{name}" if ex.get("side") else name


def flips_table(examples: list[dict]) -> Table:
    pair = any("text_pair" in ex for ex in examples)
    rows = [[Cell(str(ex.get("id"))), Cell(_cell_name(ex)),
             Cell(str(ex.get("label"))), Cell(f"{ex.get('clean_predicted')} → {ex.get('predicted')}")]
            + [Cell(word_diff_text(diff_segments(clean, noisy)), css="text") for clean, noisy, _ in _texts(ex)]
            for ex in examples]
    marks = f"({DIFF_MARKS})"
    texts = [f"first text {marks}", f"second text {marks}"] if pair else [f"change {marks}"]
    return Table(["id", "perturbation", "gold", "prediction"] + texts, rows, css="examples", markdown_rows=10,
                 caption=DIFF_TEXT)


def flip_blocks(probe: dict, models: list[str]) -> list:
    blocks: list = []
    for model in models:
        examples = [e for e in as_list((model_result(probe, model) or {}).get("examples")) if isinstance(e, dict)]
        if examples:
            blocks += [Heading(f"Flipped predictions — {model}"),
                       Figure(title=f"{len(examples)} flips, most confident first, spread over perturbations",
                              svg=flips_svg(examples, f"Flipped predictions — {model}"), table=flips_table(examples),
                              caption=DIFF_FIGURE)]
    return blocks


def noise_section(probe: dict, ctx: SectionContext) -> Section:
    """Falls back to the generic layout if no model has per-cell details."""
    models = [m for m in ok_models(probe, ctx) if _cells(probe, m)]
    if not models:
        return generic_section(probe, ctx)
    sides = _sides(probe, models)
    section = new_section(probe)
    blocks: list = status_blocks(probe, ctx) + [summary_table(probe, ctx, sides), headline_chart(probe, ctx)]
    for side in sides:  # single texts: one pass, side None; pairs: first, second, both
        order = _perturbations(probe, models, side)
        blocks += [Heading(f"Accuracy against severity{_on(side)}"), curves(probe, models, order, ctx.colors, side),
                   damage_table(probe, models, order, side), accuracy_grid(probe, models, order, side)]
    blocks += flip_blocks(probe, models)
    blocks += by_group_blocks(probe, models, ctx.colors)
    blocks.append(config_block(probe))
    section.blocks = [b for b in blocks if b is not None]
    return section
