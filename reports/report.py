"""Assemble the whole report, format-neutral: notices, the verdict, scorecard, gate, probes, and the run
summary and provenance as an appendix. Both renderers walk the same :class:`Report`, so HTML and
Markdown agree."""

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
from audit.reports.findings import finding_counts, finding_sections
from audit.reports.verdict import verdict_section


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


def notices(results: dict, models: list[str], gate_notice: bool = True) -> list[Callout]:
    """What a reader must know before the numbers: gate outcome (unless the page shows it otherwise),
    unfinished run, failures, incomplete units."""
    out: list[Callout] = []
    gate = results.get("gate")
    if isinstance(gate, dict) and gate_notice:
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
        # one short line above the verdict (models of a probe with the same status together); the reasons
        # are in the verdict's "not tested" line and in each probe's section header
        grouped: dict[tuple[str, str], list[str]] = {}
        for p, m, s, _why in incomplete:
            grouped.setdefault((p, s), []).append(m)
        out.append(Callout("warn", f"{len(incomplete)} probe run(s) incomplete", "; ".join(
            f"{p} on {', '.join(ms)}: {status_label(s)}" for (p, s), ms in grouped.items()) + ". Why: in each section."))
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
    """Verdict first (gate, findings, paired comparison), then the scorecard, the gate's checks, one folding
    section per probe (open where the findings block has a finding for it; all open without a findings
    block), and the run's metadata and provenance as an appendix."""
    models = model_ids(results)
    ctx = SectionContext(models=models, colors=model_colors(models))
    run = as_dict(results.get("run"))
    probes = [render_probe(p, ctx) for p in probes_of(results)]
    scorecard = Section(id="scorecard", title="Scorecard", blocks=[build_scorecard(results, models), scorecard_legend()])
    gate = [gate_section(results["gate"])] if isinstance(results.get("gate"), dict) else []
    appendix = [summary_section(results), provenance_section(results)]
    appendix[0].subtitle = "appendix"
    for s in appendix:
        s.collapsible = True  # open in HTML; folded in the compact Markdown
    sections = [scorecard] + gate + probes + appendix
    _unique_ids(sections)
    probe_anchor: dict[str, str] = {}
    for p, s in zip(probes_of(results), probes):
        probe_anchor.setdefault(str(p.get("name")), s.id)
    anchors = {s.id for s in sections}
    opened = finding_sections(results, probe_anchor)
    counts = finding_counts(results)
    for p, s in zip(probes_of(results), probes):
        s.collapsible = True
        s.open = opened is None or s.id in opened
        n = counts.get(str(p.get("name")), 0) if s.id == probe_anchor.get(str(p.get("name"))) else 0
        s.nav = f"{n} finding{'s' if n != 1 else ''}" if n else ""
    sections.insert(0, verdict_section(results, models, anchors, probe_anchor))
    n_models = f"{len(models)} model{'s' if len(models) != 1 else ''}"
    source = as_dict(results.get("dataset")).get("source") or "unknown data"
    return Report(
        title="Model audit report",
        subtitle=f"{', '.join(models) or 'no models'} ({n_models}) on {source} · run {run.get('id') or '—'}",
        notices=notices(results, models, gate_notice=False),
        sections=sections,
    )
