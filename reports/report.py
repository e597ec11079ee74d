"""Assemble the whole report, format-neutral: notices, summary, scorecard, probes, gate,
provenance. Both renderers walk the same :class:`Report`, so HTML and Markdown agree."""

from __future__ import annotations

from markupsafe import Markup

from audit.reports.blocks import Callout, Report, Section
from audit.core.document import as_dict, as_list, model_ids, model_result, probes_of, status_of
from audit.reports.sections.common import SectionContext
from audit.reports.scorecard import build_scorecard, scorecard_legend
from audit.reports.sections import render_probe
from audit.core.gate_text import gate_row_name, gate_status
from audit.reports.sections.run import gate_section, provenance_section, summary_section
from audit.reports.status import incomplete_units, status_label
from audit.reports.svg import model_colors


FIRST_FEW = 3  # failing checks named in the top banner; the Gate section lists them all


def gate_failures(gate: dict) -> Markup:
    """The banner text of a failed gate: the failing (else unevaluated) checks by ``metric · model``,
    and a link to the Gate section. Markup built with ``Markup.format``, which escapes every name;
    Markdown shows it as plain text."""
    checks = [as_dict(c) for c in as_list(gate.get("checks"))]
    for status, phrase in (("fail", "failed"), ("error", "could not be evaluated")):
        rows = [c for c in checks if gate_status(c) == status]
        if rows:
            names = "; ".join(gate_row_name(c) for c in rows[:FIRST_FEW])
            more = f" and {len(rows) - FIRST_FEW} more" if len(rows) > FIRST_FEW else ""
            what = Markup("{} check{} {}: {}{}. ").format(len(rows), "" if len(rows) == 1 else "s", phrase, names, more)
            return what + Markup('Details in the <a href="#gate">Gate section</a>.')
    reason = str(gate.get("message") or "no check passed")
    return Markup('{}. Details in the <a href="#gate">Gate section</a>.').format(reason[:1].upper() + reason[1:])


def notices(results: dict, models: list[str]) -> list[Callout]:
    """What a reader must know before the numbers: gate outcome, unfinished run, failures."""
    out: list[Callout] = []
    gate = results.get("gate")
    if isinstance(gate, dict):
        out.append(Callout("pass", "Gate passed") if gate.get("passed") else
                   Callout("fail", "Gate failed", gate_failures(gate)))
    if not as_dict(results.get("run")).get("finished_at"):
        out.append(Callout("info", "Run not finished",
                           "This run was interrupted or is still running; results below are partial."))
    errors = [f"{p.get('name')} on {m}" for p in probes_of(results) for m in models if status_of(p, m)[0] == "error"]
    if errors:
        out.append(Callout("error", f"{len(errors)} probe run(s) failed", "; ".join(errors)))
    incomplete = incomplete_units(results, models)
    if incomplete:
        out.append(Callout("warn", f"{len(incomplete)} probe run(s) incomplete", "; ".join(
            f"{p} on {m}: {status_label(s)}" + (f" ({why})" if why else "") for p, m, s, why in incomplete)))
    counts = as_dict(as_dict(results.get("dataset")).get("label_counts"))
    if len(counts) == 1:
        (label, n), = counts.items()
        out.append(Callout("info", "One class only", f"Every example of the data is '{label}' ({n}): accuracy is that "
                           "class's recall, and the other classes' recall, F1 and the fairness TPR/FPR gaps are undefined."))
    warnings = [f"{p.get('name')} on {m}: {w}" for p in probes_of(results) for m in models
                for w in as_list(as_dict(as_dict(model_result(p, m)).get("details")).get("warnings"))]
    if warnings:
        out.append(Callout("info", f"{len(warnings)} warning(s)", "; ".join(warnings)))
    return out


def _unique_ids(sections: list[Section]) -> None:
    """Anchors must be unique even when a probe appears twice (e.g. with two configs)."""
    seen: dict[str, int] = {}
    for s in sections:
        n = seen.get(s.id, 0) + 1
        seen[s.id] = n
        if n > 1:
            s.id = f"{s.id}-{n}"


def build_report(results: dict) -> Report:
    models = model_ids(results)
    ctx = SectionContext(models=models, colors=model_colors(models))
    run = as_dict(results.get("run"))
    sections = [summary_section(results),
                Section(id="scorecard", title="Scorecard", blocks=[build_scorecard(results, models), scorecard_legend()])]
    sections += [render_probe(p, ctx) for p in probes_of(results)]
    _unique_ids(sections)
    if isinstance(results.get("gate"), dict):
        sections.append(gate_section(results["gate"]))
    sections.append(provenance_section(results))
    n_models = f"{len(models)} model{'s' if len(models) != 1 else ''}"
    source = as_dict(results.get("dataset")).get("source") or "unknown data"
    return Report(
        title="Model audit report",
        subtitle=f"{', '.join(models) or 'no models'} ({n_models}) on {source} · run {run.get('id') or '—'}",
        notices=notices(results, models),
        sections=sections,
    )
