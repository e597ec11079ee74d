"""The gate block as Markdown, fit for a GitHub Actions job summary or a pull-request comment.

Failures come first so a reader sees what broke without scrolling. Cells and the heading are
escaped by the report renderer's ``md_cell`` and conditions worded by its ``gate_condition``,
so the summary, the terminal and report.md say the same thing the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from audit.core.gate_text import gate_condition, gate_sorted, gate_value
from audit.reports.markdown import md_cell

ICONS = {"pass": "✅ pass", "fail": "❌ FAIL", "error": "⚠️ error", "skip": "⏭️ skip"}


def cell(x) -> str:
    return md_cell("—" if x is None else x)


def to_markdown(gate: dict) -> str:
    rows = gate_sorted(gate.get("checks") or [])
    counts = gate.get("counts") or {}
    policy = gate.get("policy") or {}
    verdict = "✅ Gate passed" if gate.get("passed") else "❌ Gate failed"
    lines = [f"## {verdict}: {cell(policy.get('name') or 'gate')}", "",
             f"{counts.get('pass', 0)} passed, {counts.get('fail', 0)} failed, {counts.get('error', 0)} not "
             f"evaluated, {counts.get('skip', 0)} skipped · policy {cell(policy.get('path'))} · "
             f"{cell(gate.get('evaluated_at'))}", ""]
    if gate.get("message"):
        lines += [f"**{cell(gate['message'])}**", ""]
    lines += ["| Result | Metric | Model | Condition | Value | Note |", "|---|---|---|---|---|---|"]
    for r in rows:
        model = r.get("model")
        if (r.get("baseline") or {}).get("model"):
            model = f"{model} vs {r['baseline']['model']}"
        lines.append(f"| {ICONS.get(r.get('status')) or cell(r.get('status'))} | {cell(r.get('metric'))} | "
                     f"{cell(model)} | {cell(gate_condition(r))} | {cell(gate_value(r))} | {cell(r.get('message'))} |")
    return "\n".join(lines) + "\n"


def write_job_summary(markdown: str) -> Path | None:
    """Append to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions); returns its path."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(markdown + "\n")
    return Path(target)
