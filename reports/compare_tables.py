"""Tables of a comparison (compare.json): metric values per column with the verdict against the
baseline, and the paired tests. Rendering only: every number comes from the document."""

from __future__ import annotations

from reports.blocks import Cell, Legend, Table
from reports.fmt import DASH, fmt_ci, fmt_metric, fmt_num, short_hash
from reports.lookup import as_dict, as_list
from reports.scorecard import direction_text

BASELINE = "baseline"
VERDICT_CSS = {"better": "mark-best", "worse": "status-fail", "not distinguishable": "mark-nd"}
STATUS_WORDS = {"probe_not_run": "probe not run", "metric_absent": "not reported", "label_absent": "label absent",
                "error": "error", "not_applicable": "not applicable", "missing": "not run"}


def column_keys(doc: dict) -> list[str]:
    return [str(as_dict(c).get("key")) for c in as_list(doc.get("columns"))]


def value_cell(row: dict, key: str, baseline: str) -> Cell:
    """Value [CI] with a badge: "baseline", or the verdict against it (``*`` marks a paired test)."""
    cell = as_dict(as_dict(row.get("values")).get(key))
    if cell.get("status") != "ok":
        status = str(cell.get("status") or "missing")
        return Cell(DASH, css="num muted", title=f"{STATUS_WORDS.get(status, status)}: {cell.get('reason') or ''}".strip(": "))
    if key == baseline:
        return Cell(fmt_metric(cell), css="num", badge=BASELINE)
    verdict = as_dict(as_dict(row.get("versus_baseline")).get(key))
    word = str(verdict.get("verdict") or "")
    badge = word if word in VERDICT_CSS else ""
    if badge and verdict.get("basis") == "paired":
        badge += " · paired"
    return Cell(fmt_metric(cell), css=("num " + VERDICT_CSS.get(word, "")).strip(), badge=badge,
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


def metrics_table(rows: list[dict], keys: list[str], baseline: str, title: str = "", caption: str = "") -> Table:
    out = []
    for row in rows:
        out.append([Cell(str(row.get("address")), css="metric-name", title=str(row.get("description") or "")),
                    Cell(direction_text(row.get("higher_is_better")), css="dir")]
                   + [value_cell(row, k, baseline) for k in keys])
    note = missing_note(rows, keys)
    return Table(["Metric", "Better"] + keys, out, title=title, caption=" ".join(x for x in (caption, note) if x),
                 css="scorecard", empty="No metrics to compare.")


def paired_table(doc: dict) -> Table:
    rows = []
    for t in as_list(doc.get("paired")):
        t = as_dict(t)
        test, interval, acc = as_dict(t.get("mcnemar")), as_dict(t.get("interval")), as_dict(t.get("accuracy"))
        diff = interval.get("diff")
        ci = interval.get("ci")
        word = str(t.get("verdict") or DASH)
        rows.append([
            Cell(str(t.get("address")), css="metric-name"),
            Cell(str(t.get("column")), css="model"),
            Cell(str(t.get("baseline")), css="model"),
            Cell(fmt_num(t.get("n")), css="num"),
            Cell(f"{fmt_num(acc.get('column'))} vs {fmt_num(acc.get('baseline'))}", css="num"),
            Cell(f"{fmt_num(test.get('a_only'))} / {fmt_num(test.get('b_only'))}", css="num"),
            Cell(f"{fmt_num(test.get('p_value'))} ({test.get('method') or DASH})", css="num"),
            Cell(fmt_num(t.get("p_value_holm")), css="num"),
            Cell(f"{fmt_num(diff)} {fmt_ci(tuple(ci)) if ci else ''}".strip(), css="num"),
            Cell(word, css=f"verdict {VERDICT_CSS.get(word, '')}".strip(), strong=word in ("better", "worse")),
        ])
    settings = as_dict(doc.get("paired_settings"))
    level = settings.get("confidence")
    caption = (f"Examples paired by id. Only-correct counts: examples only the column / only the baseline got right "
               f"(McNemar uses just these). Difference = column − baseline accuracy with a "
               f"{fmt_num(100 * level, 0) if isinstance(level, (int, float)) else DASH}% CI: Newcombe's paired score "
               f"interval (method 10); the verdict is better / worse only when it excludes 0. Holm p adjusts "
               f"the McNemar p-values for the {fmt_num(len(as_list(doc.get('paired'))))} tests made; the CIs and "
               f"verdicts are per comparison, not adjusted.")
    return Table(["Metric", "Column", "Baseline", "Paired n", "Accuracy", "Only-correct (column / baseline)",
                  "McNemar p", "Holm p", "Difference [CI]", "Verdict"], rows, caption=caption, css="gate-table",
                 empty="No paired tests; the notes below say why." if as_list(doc.get("notes")) else
                 "No paired tests: no two columns have prediction sidecars for the same probe and data.")


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
                 title="Runs", empty="No runs.")


def legend() -> Legend:
    return Legend([
        (BASELINE, "the column every other column is compared with (choose it with --baseline RUN/MODEL)"),
        ("better · paired", "Newcombe's paired score interval (method 10) of the accuracy difference lies wholly above zero"),
        ("worse · paired", "that interval lies wholly below zero"),
        ("not distinguishable · paired", "that interval contains zero: the data cannot tell the two apart"),
        ("better / worse", "no paired test for this metric: the two CIs do not overlap (a conservative rule)"),
        ("not distinguishable", "no paired test, and the two CIs overlap"),
        ("(no mark)", "no CI or no preferred direction for this metric, so nothing is concluded"),
        (DASH, "no value in that column; the table caption and the cell's hover text say why"),
    ])
