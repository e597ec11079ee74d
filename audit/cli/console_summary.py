"""The summary table printed at the end of a run: headline metrics, models side by side (with a note
that the noise headlines count only the texts each perturbation changed); then the axes a fairness
probe could not test, what each attack success rate is over (with any examples a time budget
left inconclusive), and one line for a probe this install cannot run (a module it needs is missing)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audit.core.axis_text import axis_notes, per_axis
from audit.core.fmt import fmt_metric
from audit.core.document import WITH_VALUES, as_dict, metric_names, model_result, status_of


CHANGED_NOTE = ("noise: max_changed_accuracy_drop and mean_changed_flip_rate count only the texts each perturbation "
                "changed (the all-text forms are max_accuracy_drop and mean_flip_rate in results.json).")


def print_summary(doc: dict[str, Any], console: Console) -> None:
    model_ids = [m["id"] for m in doc["models"]]
    changed = any(p.get("name") == "noise" and any("changed" in n for n in metric_names(p, model_ids, True))
                  for p in doc["probes"])
    table = Table(title="Audit summary (headline metrics, 95% CI)", caption=CHANGED_NOTE if changed else None)
    table.add_column("metric")
    for mid in model_ids:
        table.add_column(mid, justify="right")
    for probe in doc["probes"]:
        for name in metric_names(probe, model_ids, headline_only=True):  # {placeholder} specs expanded
            row = [f"{probe['name']}.{name}"]
            for mid in model_ids:
                result = probe["results"].get(mid) or {}
                if result.get("status") not in (None, *WITH_VALUES):
                    row.append(result["status"])
                else:
                    row.append(fmt_metric(result.get("metrics", {}).get(name)))
            table.add_row(*row)
    console.print(table)
    for probe in doc["probes"]:  # axes a fairness probe could not test, said here and not only in results.json
        for note in axis_notes(per_axis(probe, model_ids)):
            console.print(f"[yellow]{escape(str(probe['name']))}:[/yellow] {escape(note)}", highlight=False)
    for line in attack_notes(doc, model_ids) + skipped_notes(doc):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for line in incomplete_units(doc, model_ids):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for line in finding_lines(doc):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


SHOWN_FINDINGS = 8  # the console names the first few; the report lists them all


def finding_lines(doc: dict[str, Any]) -> list[str]:
    """The findings block in a few lines: counts and the rule, then the highest-ranked findings."""
    block = as_dict(doc.get("findings"))
    items = [as_dict(i) for i in block.get("items") or []]
    if not block:
        return []
    found = [i for i in items if i.get("status") == "finding"]
    fdr = as_dict(block.get("fdr"))
    counts = {s: sum(1 for i in items if i.get("status") == s) for s in ("passed", "not_tested")}
    lines = [f"Findings: {len(found)} found, {counts['passed']} checks passed, {counts['not_tested']} not tested "
             f"(a test's finding is kept by Benjamini-Hochberg at q = {fdr.get('q', 0.05)} over the audit's "
             f"{fdr.get('tested', 0)} tests)."]
    for item in found[:SHOWN_FINDINGS]:
        who = item.get("model") if not item.get("baseline") else f"{item.get('model')} vs {item.get('baseline')}"
        lines.append(f"  {str(item.get('severity') or '-'):<6} {who}: {item.get('title')}")
    if len(found) > SHOWN_FINDINGS:
        lines.append(f"  ... and {len(found) - SHOWN_FINDINGS} more in the report.")
    return lines


def incomplete_units(doc: dict[str, Any], model_ids: list[str]) -> list[str]:
    """One line per unit that ran but is partial or has no values, with why: never read as "ok"."""
    lines = []
    for probe in doc["probes"]:
        for mid in model_ids:
            status, reason = status_of(probe, mid)
            if status in ("partial", "no_values"):
                lines.append(f"{probe['name']} · {mid}: {status.replace('_', ' ')}: {reason}")
    return lines


def skipped_notes(doc: dict[str, Any]) -> list[str]:
    """``attack skipped: textattack is not installed; pip install 'audit-text-clf[attack]'``: one line per probe
    that was not applicable on every model because a module it needs is not installed here."""
    from audit.probes.registry import all_probes, skip_line

    classes = all_probes()
    lines = []
    for probe in doc["probes"]:
        cls = classes.get(probe.get("name"))
        reason = cls.unavailable() if cls is not None else None
        results = list(as_dict(probe.get("results")).values())
        if reason and results and all(as_dict(r).get("reason") == reason for r in results):
            lines.append(skip_line(probe["name"], reason))
    return lines


def attack_notes(doc: dict[str, Any], model_ids: list[str]) -> list[str]:
    """``attack · recipe · model: success over N attacked examples[; K inconclusive (time budget) left out]``."""
    lines = []
    for probe in doc["probes"]:
        if probe.get("name") != "attack":
            continue
        for mid in model_ids:
            recipes = as_dict(as_dict((model_result(probe, mid) or {}).get("details")).get("recipes"))
            lines += [f"attack · {name} · {mid}: {as_dict(d)['success_rate_basis']}" for name, d in recipes.items()
                      if as_dict(d).get("success_rate_basis")]
    return lines
