"""The report's charts as inline SVG: metric bars with CI whiskers, confusion-matrix heatmap,
reliability diagram. Pure functions from numbers to escaped markup; no external resources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from audit.core.fmt import ci_of, fmt_metric, fmt_num, fmt_pct, is_number
from audit.reports.svg import clip_label, el, mix, nice_range, svg, tick_text, title

TEXT, GRID, AXIS = "#1f2933", "#e4e7eb", "#9aa5b1"


def extent(metrics: Iterable[dict | None]) -> list[float]:
    """Every value and CI bound of ``metrics``: what an axis must cover."""
    values: list[float] = []
    for metric in metrics:
        if is_number((metric or {}).get("value")):
            values.append(float(metric["value"]))
        values += list(ci_of(metric) or ())
    return values


def bar_chart(rows: list[tuple[str, dict[str, dict | None]]], models: list[str], colors: dict[str, str],
              label: str) -> Markup:
    """Horizontal bars, one group per metric and one bar per model, with CI whiskers."""
    bar_h, gap, left, plot_w, right = 15, 12, 150, 300, 150
    lo, hi, ticks = nice_range(extent(m for _, per_model in rows for m in per_model.values()))

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    top = 8
    group_h = len(models) * bar_h + gap
    legend_y = top + len(rows) * group_h + 26
    width = left + plot_w + right
    legend_rows, lx = 1, left
    for model in models:
        item = 24 + 7 * len(clip_label(model, 24))
        if lx + item > width and lx > left:
            legend_rows, lx = legend_rows + 1, left
        lx += item
    height = legend_y + 18 * legend_rows + 2
    parts: list[Markup] = []
    for t in ticks:
        parts.append(el("line", {"x1": x(t), "x2": x(t), "y1": top, "y2": legend_y - 26, "stroke": GRID}))
        parts.append(el("text", {"x": x(t), "y": legend_y - 12, "text-anchor": "middle", "class": "tick"}, tick_text(t)))
    for gi, (name, per_model) in enumerate(rows):
        gy = top + gi * group_h
        parts.append(el("text", {"x": left - 8, "y": gy + len(models) * bar_h / 2 + 4, "text-anchor": "end",
                                 "class": "axis-label"}, title(name), clip_label(name, 22)))
        for mi, model in enumerate(models):
            metric = per_model.get(model) or {}
            y = gy + mi * bar_h
            tip = f"{model} — {name}: {fmt_metric(metric)}"
            value = metric.get("value")
            if not is_number(value):
                parts.append(el("text", {"x": left + plot_w + 10, "y": y + bar_h - 4, "class": "tick"}, title(tip), "no value"))
                continue
            x0, x1 = sorted((x(max(lo, 0.0)), x(float(value))))
            parts.append(el("rect", {"x": x0, "y": y + 1, "width": max(x1 - x0, 0.5), "height": bar_h - 3,
                                     "fill": colors.get(model, "#888888")}, title(tip)))
            ci = metric.get("ci")
            if isinstance(ci, list) and len(ci) == 2 and all(is_number(v) for v in ci):
                cy, a, b = y + bar_h / 2 - 0.5, x(float(ci[0])), x(float(ci[1]))
                parts.append(el("g", {"stroke": TEXT, "stroke-width": 1.2},
                                el("line", {"x1": a, "x2": b, "y1": cy, "y2": cy}),
                                el("line", {"x1": a, "x2": a, "y1": cy - 4, "y2": cy + 4}),
                                el("line", {"x1": b, "x2": b, "y1": cy - 4, "y2": cy + 4})))
            parts.append(el("text", {"x": left + plot_w + 10, "y": y + bar_h - 4, "class": "value"},
                            fmt_metric(metric)))
    parts.append(el("line", {"x1": x(lo), "x2": x(lo), "y1": top, "y2": legend_y - 26, "stroke": AXIS}))
    lx, ly = left, legend_y
    for model in models:
        name = clip_label(model, 24)
        item = 24 + 7 * len(name)
        if lx + item > width and lx > left:
            lx, ly = left, ly + 18
        parts.append(el("rect", {"x": lx, "y": ly, "width": 10, "height": 10, "fill": colors.get(model, "#888888")},
                        title(model)))
        parts.append(el("text", {"x": lx + 14, "y": ly + 9, "class": "legend"}, title(model), name))
        lx += item
    return svg(width, height, label, *parts)


def confusion_heatmap(labels: list[str], matrix: list[list[Any]], label: str) -> Markup:
    """Counts coloured by row share: blue on the diagonal (right), orange off it (mistakes)."""
    k = len(labels)
    cell = max(16, min(56, 320 // max(k, 1)))
    longest = max((len(clip_label(n, 12)) for n in labels), default=1)
    left, top = 96, int(18 + 4.3 * longest)
    size = cell * k
    parts: list[Markup] = []
    for i, row in enumerate(matrix):
        counts = [float(c) if is_number(c) else 0.0 for c in row]
        total = sum(counts)
        for j, count in enumerate(counts):
            share = count / total if total else 0.0
            base = "#08519c" if i == j else "#c2410c"
            fill = mix("#ffffff", base, 0.08 + 0.92 * share) if count else "#ffffff"
            gold, pred = labels[i] if i < k else "?", labels[j] if j < k else "?"
            tip = f"gold {gold} → predicted {pred}: {fmt_num(row[j])} ({fmt_pct(share)} of {gold})"
            parts.append(el("rect", {"x": left + j * cell, "y": top + i * cell, "width": cell, "height": cell,
                                     "fill": fill, "stroke": "#ffffff"}, title(tip)))
            if cell >= 24:
                css = "cell on-dark" if share > 0.5 else "cell"
                parts.append(el("text", {"x": left + (j + 0.5) * cell, "y": top + (i + 0.5) * cell + 4,
                                         "text-anchor": "middle", "class": css}, fmt_num(row[j])))
    for i, name in enumerate(labels):
        parts.append(el("text", {"x": left - 6, "y": top + (i + 0.5) * cell + 4, "text-anchor": "end",
                                 "class": "axis-label"}, title(name), clip_label(name, 12)))
        cx, cy = left + (i + 0.5) * cell, top - 6
        parts.append(el("text", {"x": cx, "y": cy, "text-anchor": "start", "class": "axis-label",
                                 "transform": f"rotate(-40 {cx:.1f} {cy:.1f})"}, title(name), clip_label(name, 12)))
    parts.append(el("rect", {"x": left, "y": top, "width": size, "height": size, "fill": "none", "stroke": AXIS}))
    parts.append(el("text", {"x": left + size / 2, "y": top + size + 18, "text-anchor": "middle",
                             "class": "axis-title"}, "predicted"))
    parts.append(el("text", {"x": 12, "y": top + size / 2, "text-anchor": "middle", "class": "axis-title",
                             "transform": f"rotate(-90 12 {top + size / 2:.1f})"}, "gold"))
    return svg(left + size + 16, top + size + 28, label, *parts)


def reliability_diagram(bins: list[dict], label: str) -> Markup:
    """Accuracy against mean confidence per bin (dots), the gap to the diagonal (orange), and
    the number of examples per bin (grey bars below)."""
    left, top, side, strip = 40, 10, 220, 34
    total = sum(float(b["count"]) for b in bins if is_number(b.get("count")))

    def x(v: float) -> float:
        return left + v * side

    def y(v: float) -> float:
        return top + (1 - v) * side

    parts: list[Markup] = []
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(el("line", {"x1": x(0), "x2": x(1), "y1": y(t), "y2": y(t), "stroke": GRID}))
        parts.append(el("line", {"x1": x(t), "x2": x(t), "y1": y(1), "y2": y(0), "stroke": GRID}))
        parts.append(el("text", {"x": left - 5, "y": y(t) + 3, "text-anchor": "end", "class": "tick"}, tick_text(t)))
        parts.append(el("text", {"x": x(t), "y": top + side + strip + 14, "text-anchor": "middle", "class": "tick"},
                        tick_text(t)))
    parts.append(el("line", {"x1": x(0), "y1": y(0), "x2": x(1), "y2": y(1), "stroke": AXIS,
                             "stroke-dasharray": "4 3", "stroke-width": 1}))
    points, marks = [], []
    for b in bins:
        lower, upper, count = b.get("lower"), b.get("upper"), b.get("count")
        acc, conf = b.get("accuracy"), b.get("mean_confidence")
        if not (is_number(lower) and is_number(upper)):
            continue
        tip = (f"confidence {fmt_num(lower, 2)}–{fmt_num(upper, 2)}: {fmt_num(count)} examples, "
               f"accuracy {fmt_num(acc)}, mean confidence {fmt_num(conf)}")
        if is_number(count) and count and total:
            h = (strip - 8) * float(count) / total
            parts.append(el("rect", {"x": x(float(lower)) + 1, "y": top + side + strip - h, "height": h,
                                     "width": max((float(upper) - float(lower)) * side - 2, 1), "fill": "#b8c0ca"},
                            title(tip)))
        if is_number(acc) and is_number(conf):
            cx, cy = x(float(conf)), y(float(acc))
            points.append(f"{cx:.1f},{cy:.1f}")
            marks.append(el("line", {"x1": cx, "x2": cx, "y1": cy, "y2": y(float(conf)), "stroke": "#D55E00",
                                     "stroke-width": 3, "stroke-opacity": 0.55}))
            marks.append(el("circle", {"cx": cx, "cy": cy, "r": 3.6, "fill": "#0072B2", "stroke": "#ffffff",
                                       "stroke-width": 1}, title(tip)))
    if len(points) > 1:
        parts.append(el("polyline", {"points": " ".join(points), "fill": "none", "stroke": "#0072B2",
                                     "stroke-width": 1.5}))
    parts += marks
    parts.append(el("rect", {"x": x(0), "y": y(1), "width": side, "height": side, "fill": "none", "stroke": AXIS}))
    parts.append(el("line", {"x1": x(0), "x2": x(1), "y1": top + side + strip, "y2": top + side + strip,
                             "stroke": AXIS}))
    parts.append(el("text", {"x": x(0.5), "y": top + side + strip + 28, "text-anchor": "middle",
                             "class": "axis-title"}, "mean confidence (top class)"))
    parts.append(el("text", {"x": 9, "y": y(0.5), "text-anchor": "middle", "class": "axis-title",
                             "transform": f"rotate(-90 9 {y(0.5):.1f})"}, "accuracy"))
    return svg(left + side + 12, top + side + strip + 36, label, *parts)


def line_chart(series: dict[str, list[tuple[float, dict | None]]], colors: dict[str, str], label: str, *,
               x_label: str = "", y_label: str = "", width: int = 260, plot_h: int = 130) -> Markup:
    """Metric values against a numeric x (accuracy by noise severity), one line per series
    (model) with CI whiskers at each point, a tooltip per point and a legend below."""
    left, right, top = 40, 12, 8
    plot_w = width - left - right
    xs = sorted({float(x) for points in series.values() for x, _ in points if is_number(x)})
    lo, hi, ticks = nice_range(extent(m for points in series.values() for _, m in points))
    x_lo, x_hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    x_hi = x_hi if x_hi > x_lo else x_lo + 1

    def x(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * plot_w

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    bottom = top + plot_h
    parts: list[Markup] = []
    for t in ticks:
        parts.append(el("line", {"x1": left, "x2": left + plot_w, "y1": y(t), "y2": y(t), "stroke": GRID}))
        parts.append(el("text", {"x": left - 5, "y": y(t) + 3, "text-anchor": "end", "class": "tick"}, tick_text(t)))
    last_label = -1e9
    for v in xs:
        parts.append(el("line", {"x1": x(v), "x2": x(v), "y1": bottom, "y2": bottom + 4, "stroke": AXIS}))
        if x(v) - last_label >= 24:  # keep close tick labels from overprinting
            parts.append(el("text", {"x": x(v), "y": bottom + 15, "text-anchor": "middle", "class": "tick"}, f"{v:g}"))
            last_label = x(v)
    parts.append(el("rect", {"x": left, "y": top, "width": plot_w, "height": plot_h, "fill": "none", "stroke": AXIS}))
    names = list(series)
    for si, name in enumerate(names):
        color = colors.get(name, "#888888")
        shift = (si - (len(names) - 1) / 2) * 3  # side by side, so whiskers of equal points stay visible
        dots, marks = [], []
        for xv, metric in series[name]:
            metric = metric or {}
            value = metric.get("value")
            if not (is_number(xv) and is_number(value)):
                continue
            cx, cy = x(float(xv)) + shift, y(float(value))
            dots.append(f"{cx:.1f},{cy:.1f}")
            ci = metric.get("ci")
            if isinstance(ci, list) and len(ci) == 2 and all(is_number(v) for v in ci):
                marks.append(el("line", {"x1": cx, "x2": cx, "y1": y(float(ci[0])), "y2": y(float(ci[1])),
                                         "stroke": color, "stroke-width": 1.2}))
            tip = f"{name} — {x_label or 'x'} {float(xv):g}: {fmt_metric(metric)}"
            marks.append(el("circle", {"cx": cx, "cy": cy, "r": 3.2, "fill": color, "stroke": "#ffffff",
                                       "stroke-width": 1}, title(tip)))
        if len(dots) > 1:
            parts.append(el("polyline", {"points": " ".join(dots), "fill": "none", "stroke": color, "stroke-width": 1.6}))
        parts += marks
    if x_label:
        parts.append(el("text", {"x": left + plot_w / 2, "y": bottom + 29, "text-anchor": "middle",
                                 "class": "axis-title"}, x_label))
    if y_label:
        parts.append(el("text", {"x": 10, "y": top + plot_h / 2, "text-anchor": "middle", "class": "axis-title",
                                 "transform": f"rotate(-90 10 {top + plot_h / 2:.1f})"}, y_label))
    ly, lx = bottom + (44 if x_label else 30), left
    for name in names:
        short = clip_label(name, 20)
        item = 22 + 7 * len(short)
        if lx + item > width and lx > left:
            lx, ly = left, ly + 16
        parts.append(el("rect", {"x": lx, "y": ly - 9, "width": 10, "height": 10, "fill": colors.get(name, "#888888")},
                        title(name)))
        parts.append(el("text", {"x": lx + 14, "y": ly, "class": "legend"}, title(name), short))
        lx += item
    return svg(width, ly + 8, label, *parts)
