"""Charts of the fairness sections as inline SVG: gaps between groups against the tolerance.

A gap chart draws one bar per model for each row (an attribute, an axis, a group pair) with its
CI whisker, a dashed line at the configured tolerance and the region beyond it shaded, so a
reader sees at once which gaps are over the line and whether the interval is too. Pure
functions from numbers to escaped markup, like reports/charts.py.
"""

from __future__ import annotations

from markupsafe import Markup

from audit.core.fmt import ci_of, fmt_metric, fmt_num, is_number
from audit.reports.charts import extent
from audit.reports.svg import clip_label, el, nice_range, svg, tick_text, title

TEXT, GRID, AXIS, OVER = "#1f2933", "#e4e7eb", "#9aa5b1", "#fde8e8"


def metric_of(value, ci=None) -> dict:
    """A metric dict for the charts from a value and an optional (lo, hi)."""
    interval = ci_of({"ci": ci})
    return {"value": value if is_number(value) else None, "ci": list(interval) if interval else None}


def gap_chart(rows: list[tuple[str, dict[str, dict | None]]], models: list[str], colors: dict[str, str],
              tolerance: float | None, label: str, *, ratio: bool = False) -> Markup:
    """Horizontal bars (row x model) with CI whiskers, a tolerance line and the flagged side
    shaded: right of the line for gaps, left of ``1 - tolerance`` for ratios."""
    bar_h, gap, left, plot_w, right, top = 14, 10, 160, 300, 150, 8
    values = [0.0, *extent(m for _, per_model in rows for m in per_model.values())]
    line = None if tolerance is None else (1 - tolerance if ratio else tolerance)
    if line is not None:
        values.append(line)
    lo, hi, ticks = nice_range(values)

    def x(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w

    group_h = len(models) * bar_h + gap
    bottom = top + len(rows) * group_h
    parts: list[Markup] = []
    if line is not None:
        a, b = (x(lo), x(line)) if ratio else (x(line), x(hi))
        parts.append(el("rect", {"x": a, "y": top, "width": max(b - a, 0), "height": bottom - top, "fill": OVER},
                        title(f"beyond the tolerance ({fmt_num(tolerance)})")))
    for t in ticks:
        parts.append(el("line", {"x1": x(t), "x2": x(t), "y1": top, "y2": bottom, "stroke": GRID}))
        parts.append(el("text", {"x": x(t), "y": bottom + 14, "text-anchor": "middle", "class": "tick"}, tick_text(t)))
    for gi, (name, per_model) in enumerate(rows):
        gy = top + gi * group_h
        parts.append(el("text", {"x": left - 8, "y": gy + len(models) * bar_h / 2 + 4, "text-anchor": "end",
                                 "class": "axis-label"}, title(name), clip_label(name, 24)))
        for mi, model in enumerate(models):
            metric = per_model.get(model) or {}
            y = gy + mi * bar_h
            tip = f"{model} — {name}: {fmt_metric(metric)}"
            if not is_number(metric.get("value")):
                parts.append(el("text", {"x": left + plot_w + 10, "y": y + bar_h - 3, "class": "tick"}, title(tip),
                                "no value"))
                continue
            x0, x1 = sorted((x(max(lo, 0.0)), x(float(metric["value"]))))
            parts.append(el("rect", {"x": x0, "y": y + 1, "width": max(x1 - x0, 0.5), "height": bar_h - 3,
                                     "fill": colors.get(model, "#888888")}, title(tip)))
            ci = ci_of(metric)
            if ci:
                cy, a, b = y + bar_h / 2 - 0.5, x(ci[0]), x(ci[1])
                parts.append(el("g", {"stroke": TEXT, "stroke-width": 1.2},
                                el("line", {"x1": a, "x2": b, "y1": cy, "y2": cy}),
                                el("line", {"x1": a, "x2": a, "y1": cy - 4, "y2": cy + 4}),
                                el("line", {"x1": b, "x2": b, "y1": cy - 4, "y2": cy + 4})))
            parts.append(el("text", {"x": left + plot_w + 10, "y": y + bar_h - 3, "class": "value"}, fmt_metric(metric)))
    if line is not None:
        parts.append(el("line", {"x1": x(line), "x2": x(line), "y1": top, "y2": bottom, "stroke": "#b42318",
                                 "stroke-dasharray": "4 3", "stroke-width": 1.4},
                        title(f"tolerance {fmt_num(line)}")))
    parts.append(el("line", {"x1": x(lo), "x2": x(lo), "y1": top, "y2": bottom, "stroke": AXIS}))
    ly, lx = bottom + 34, left
    for model in models:
        name = clip_label(model, 24)
        item = 24 + 7 * len(name)
        if lx + item > left + plot_w + right and lx > left:
            lx, ly = left, ly + 18
        parts.append(el("rect", {"x": lx, "y": ly - 9, "width": 10, "height": 10, "fill": colors.get(model, "#888888")},
                        title(model)))
        parts.append(el("text", {"x": lx + 14, "y": ly, "class": "legend"}, title(model), name))
        lx += item
    return svg(left + plot_w + right, ly + 8, label, *parts)
