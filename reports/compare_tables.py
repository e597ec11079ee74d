"""Tables of a comparison (compare.json): metric values per column with the verdict against the
baseline, and the paired tests. Rendering only: every number comes from the document.

Four or more columns must fit a laptop screen: the verdicts come early in each row, numbers are
short, and captions are blocks of their own (inside a wide table they scroll out of view)."""

from __future__ import annotations

from audit.reports.blocks import Cell, FigureRow, Legend, Table
from audit.core.fmt import DASH, decimals_for, fmt_ci, fmt_metric, fmt_num, is_number, short_hash
from audit.core.document import as_dict, as_list
from audit.reports.scorecard import direction_text

BASELINE = "baseline"
VERDICT_CSS = {"better": "mark-best", "worse": "status-fail", "not distinguishable": "mark-nd"}
NO_COMPARISON = {"different_data": "different data: no comparison",
                 "unverified_data": "data not verified: no comparison"}
MCNEMAR_SHORT = {"exact-binomial": "exact", "chi2-continuity": "χ²"}
METRICS_CSS, PAIRED_CSS = "scorecard compare-table compare-metrics", "gate-table compare-table compare-paired"
STATUS_WORDS = {"probe_not_run": "probe not run", "metric_absent": "not reported", "label_absent": "label absent",
                "error": "error", "not_applicable": "not applicable", "missing": "not run"}


def column_keys(doc: dict) -> list[str]:
    return [str(as_dict(c).get("key")) for c in as_list(doc.get("columns"))]


def fmt_value_ci(cell: dict) -> str:
    """Value [CI] with at most four decimals (``0.0083 [0.0000, 0.0250]``, not five) where that keeps two
    significant digits: four columns must fit a screen."""
    value, ci = cell.get("value"), cell.get("ci")
    if not is_number(value) or abs(value) < 0.001 or not (
            isinstance(ci, (list, tuple)) and len(ci) == 2 and all(map(is_number, ci))):
        return fmt_metric(cell)
    d = min(4, decimals_for(float(value)))
    return f"{fmt_num(float(value), d)} {fmt_ci((float(ci[0]), float(ci[1])), d)}"


def value_cell(row: dict, key: str, baseline: str) -> Cell:
    """Value [CI] with a badge: "baseline", or the verdict against it (``*`` marks a paired test)."""
    cell = as_dict(as_dict(row.get("values")).get(key))
    if cell.get("status") != "ok":
        status = str(cell.get("status") or "missing")
        return Cell(DASH, css="num muted", title=f"{STATUS_WORDS.get(status, status)}: {cell.get('reason') or ''}".strip(": "))
    if key == baseline:
        return Cell(fmt_value_ci(cell), css="num", badge=BASELINE)
    verdict = as_dict(as_dict(row.get("versus_baseline")).get(key))
    if verdict.get("basis") in NO_COMPARISON:
        return Cell(fmt_value_ci(cell), css="num no-comparison", badge=NO_COMPARISON[str(verdict["basis"])])
    word = str(verdict.get("verdict") or "")
    badge = word if word in VERDICT_CSS else ""
    if badge and verdict.get("basis") == "paired":
        badge += " · paired"
    return Cell(fmt_value_ci(cell), css=("num " + VERDICT_CSS.get(word, "")).strip(), badge=badge,
                strong=word == "better")


def missing_note(rows: list[dict], keys: list[str]) -> str:
    """Which columns lack values in these rows, and why (one clause per column and reason)."""
    reasons: dict[tuple[str, str], int] = {}
    for row in rows:
        for key in keys:
            cell = as_dict(as_dict(row.get("values")).get(key))
            if cell.get("status") != "ok":
                status = str(cell.get("status") or "missing")
                reasons[(key, STATUS_WORDS.get(status, status))] = reasons.get((key, STATUS_WORDS.get(status, status)), 0) + 1
    if not reasons:
        return ""
    parts = [f"{key}: {n} {why}" for (key, why), n in reasons.items()]
    return f"{DASH} marks a missing value ({'; '.join(parts)}); hover a cell for the reason."


def caption_below(text: str) -> FigureRow:
    """A table's caption as a block after it: a <caption> sits in the table's scroll container and is
    cut off with a wide table. A FigureRow without figures renders just the caption (HTML and Markdown)."""
    return FigureRow([], caption=text)


def metrics_blocks(rows: list[dict], keys: list[str], baseline: str, caption: str = "", unreported: int = 0) -> list:
    """The metrics table, then its caption: the missing values per column, and the rows left out."""
    out = []
    for row in rows:
        out.append([Cell(str(row.get("address")), css="metric-name", title=str(row.get("description") or "")),
                    Cell(direction_text(row.get("higher_is_better")), css="dir")]
                   + [value_cell(row, k, baseline) for k in keys])
    dropped = (f"{unreported} metric(s) that no column reports are left out (listed under unreported_metrics "
               "in compare.json).") if unreported else ""
    text = " ".join(x for x in (caption, missing_note(rows, keys), dropped) if x)
    table = Table(["Metric", "Better"] + keys, out, css=METRICS_CSS,
                  empty="No metric of this probe has a value in any column." if unreported else "No metrics to compare.")
    return [table] + ([caption_below(text)] if text else [])


def fmt_p(p) -> str:
    """Three decimals, "<0.001" below that: the exact value is in compare.json."""
    if not is_number(p):
        return DASH
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_diff(diff, ci) -> str:
    """``+0.023 [+0.007, +0.042]``: signed, so the direction reads without the header."""
    if not is_number(diff):
        return DASH
    bounds = f" [{ci[0]:+.3f}, {ci[1]:+.3f}]" if isinstance(ci, (list, tuple)) and len(ci) == 2 else ""
    return f"{diff:+.3f}{bounds}"


def paired_row(t: dict) -> list[Cell]:
    test, interval, acc = as_dict(t.get("mcnemar")), as_dict(t.get("interval")), as_dict(t.get("accuracy"))
    word = str(t.get("verdict") or DASH)
    method = str(test.get("method") or DASH)
    return [
        Cell(str(t.get("address")), css="metric-name"),
        Cell(str(t.get("column")), css="model"),
        Cell(str(t.get("baseline")), css="model"),
        Cell(word, css=f"verdict {VERDICT_CSS.get(word, '')}".strip(), strong=word in ("better", "worse")),
        Cell(fmt_diff(interval.get("diff"), interval.get("ci")), css="num"),
        Cell(fmt_num(t.get("n")), css="num"),
        Cell(f"{fmt_num(acc.get('column'), 3)} vs {fmt_num(acc.get('baseline'), 3)}", css="num"),
        Cell(f"{fmt_num(test.get('a_only'))} / {fmt_num(test.get('b_only'))}", css="num"),
        Cell(f"{fmt_p(test.get('p_value'))} ({MCNEMAR_SHORT.get(method, method)})", css="num",
             title=f"{method}: p = {test.get('p_value')}"),
        Cell(fmt_p(t.get("p_value_holm")), css="num", title=f"p = {t.get('p_value_holm')}"),
    ]


def paired_blocks(doc: dict) -> list:
    """Verdict first after the two column names, so it is on screen however many columns there are."""
    tests = [as_dict(t) for t in as_list(doc.get("paired"))]
    level = as_dict(doc.get("paired_settings")).get("confidence")
    caption = (f"Examples paired by id. Difference = column − baseline accuracy with a "
               f"{fmt_num(100 * level, 0) if is_number(level) else DASH}% CI: Newcombe's paired score interval "
               f"(method 10); the verdict is better / worse only when it excludes 0. Only-correct: examples only the "
               f"column / only the baseline got right (McNemar uses just these; exact binomial test below 25 of "
               f"them, χ² with continuity correction above). Holm p adjusts the McNemar p-values for the "
               f"{len(tests)} tests made; the CIs and verdicts are per comparison, not adjusted.")
    table = Table(["Metric", "Column", "Baseline", "Verdict", "Difference [CI]", "Paired n", "Accuracy",
                   "Only-correct (column / baseline)", "McNemar p", "Holm p"], [paired_row(t) for t in tests],
                  css=PAIRED_CSS,
                  empty="No paired tests; the notes below say why." if as_list(doc.get("notes")) else
                  "No paired tests: no two columns have prediction sidecars for the same probe and data.")
    return [table] + ([caption_below(caption)] if tests else [])


def runs_table(doc: dict) -> Table:
    rows = []
    for r in as_list(doc.get("runs")):
        r = as_dict(r)
        data = as_dict(r.get("dataset"))
        rows.append([
            Cell(str(r.get("name")), css="model"),
            Cell(str(r.get("run_id") or DASH), css="hash"),
            Cell(str(data.get("source") or DASH), css="path"),
            Cell(fmt_num(data.get("size")), css="num"),
            Cell(short_hash(data.get("fingerprint")), css="hash", title=str(data.get("fingerprint") or "")),
            ", ".join(map(str, as_list(r.get("models")))) or DASH,
            Cell("finished" if r.get("finished") else "not finished", css="status-ok" if r.get("finished") else "status-warn"),
            Cell(str(r.get("results") or DASH), css="path"),
        ])
    return Table(["Run", "Run id", "Data", "Size", "Data fingerprint", "Models", "State", "Results"], rows,
                 empty="No runs.")  # no title: the section is already called Runs


def legend(other_data: bool = False) -> Legend:
    """What the marks mean; the no-comparison marks only where some column is on other data."""
    items = [
        (BASELINE, "the column every other column is compared with (choose it with --baseline RUN/MODEL)"),
        ("better · paired", "Newcombe's paired score interval (method 10) of the accuracy difference lies wholly above zero"),
        ("worse · paired", "that interval lies wholly below zero"),
        ("not distinguishable · paired", "that interval contains zero: the data cannot tell the two apart"),
        ("better / worse", "no paired test for this metric: the two CIs do not overlap (a conservative rule)"),
        ("not distinguishable", "no paired test, and the two CIs overlap"),
        ("(no mark)", "no CI or no preferred direction for this metric, so nothing is concluded"),
        (DASH, "no value in that column; the table caption and the cell's hover text say why"),
    ]
    if other_data:
        items[-2:-2] = [
            (NO_COMPARISON["different_data"], "the column was audited on other data than the baseline: no verdict"),
            (NO_COMPARISON["unverified_data"], "the column's data has no fingerprint, so it cannot be matched: no verdict"),
        ]
    return Legend(items)
