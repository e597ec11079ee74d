"""The governance record: one audit as a model card a reviewer can read in a year.

Model details, intended and out-of-scope uses, evaluation data, metrics with CIs, robustness,
fairness, explanations, the gate decision, example failures, known limitations (stated and
derived from the results), reviewer sign-off and provenance. Built as a :class:`Report`, so
HTML (self-contained, every data string escaped) and Markdown say the same thing.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audit.core.fileio import atomic_write_text

from audit.reports import html as _html
from audit.reports import markdown as _markdown
from audit.reports.blocks import KeyValues, Report, Section
from audit.reports.report import notices
from audit.reports.governance_limits import derived_limitations
from audit.reports.governance_sections import (
    FAMILY_SECTIONS, evaluation_data, example_failures, family_section, gate_block, intended_use, limitations,
    model_details, sign_off,
)
from audit.core.document import as_dict, model_ids
from audit.reports.model_index import model_index_files
from audit.reports.sections.run import provenance_section


def governance_of(results: dict) -> dict:
    """The governance text the run was configured with (empty when none)."""
    return as_dict(as_dict(as_dict(results.get("run")).get("config")).get("governance"))


def record_provenance(results: dict, source: str, results_sha256: str | None) -> Section:
    section = provenance_section(results)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    section.blocks.insert(0, KeyValues([
        ("Record written", made),
        ("Results file SHA-256", results_sha256 or "not computed (record built from an in-memory document)"),
        ("Governance text from", source),
    ], caption="This record"))
    return section


def build_governance(results: dict, governance: dict | None = None, *, source: str | None = None,
                     results_sha256: str | None = None, report: str | None = None) -> Report:
    """``governance`` overrides the run's own governance text (``source`` says where it came from);
    ``report`` is report.html's path relative to the record, when known."""
    gov = as_dict(governance) if governance is not None else governance_of(results)
    source = source or ("the run's audit config" if gov else "nowhere: the run's config has no governance section")
    models = model_ids(results)
    derived = derived_limitations(results)
    if not gov:
        derived.insert(0, "No governance text was given: intended use, out-of-scope uses and stated limitations are "
                          "unknown to this record.")
    sections = [model_details(results, gov), intended_use(gov), evaluation_data(results, gov)]
    sections += [family_section(results, *spec, report=report)[0] for spec in FAMILY_SECTIONS]
    sections += [gate_block(results), example_failures(results), limitations(gov, derived), sign_off(gov),
                 record_provenance(results, source, results_sha256)]
    run = as_dict(results.get("run"))
    dataset = as_dict(results.get("dataset"))
    return Report(
        title="Model governance record",
        subtitle=f"{', '.join(models) or 'no models'} on {dataset.get('source') or 'unknown data'} · run "
                 f"{run.get('id') or '—'} · {run.get('finished_at') or 'not finished'}",
        notices=notices(results, models),
        sections=sections,
    )


def write_governance(results: dict, out_dir: str | Path, governance: dict | None = None, *, source: str | None = None,
                     results_sha256: str | None = None, models: list[str] | None = None,
                     results_dir: str | Path | None = None) -> dict[str, Any]:
    """governance.html, governance.md and the model-index block(s) (all models, or ``models``) into ``out_dir``.

    One model gives ``model-index.yaml``; several give ``model-index--<model id>.yaml`` each, because a
    Hub card describes one model. ``results_dir`` (the folder of results.json and report.html) lets the
    record say where report.html is relative to itself; without it the record says "beside results.json".
    ``model_indexes`` lists every file written; ``model_index`` is the
    first of them (kept for callers that print one path).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    where = None if results_dir is None else Path(os.path.relpath(Path(results_dir) / "report.html", out)).as_posix()
    report = build_governance(results, governance, source=source, results_sha256=results_sha256, report=where)
    paths: dict[str, Any] = {"governance_html": out / "governance.html", "governance_markdown": out / "governance.md"}
    atomic_write_text(paths["governance_html"], _html.render(report, results.get("schema")))
    atomic_write_text(paths["governance_markdown"], _markdown.render(report))
    indexes = []
    for name, text in model_index_files(results, models).items():
        atomic_write_text(out / name, text)
        indexes.append(out / name)
    paths["model_indexes"] = indexes
    paths["model_index"] = indexes[0] if indexes else out
    return paths
