"""Render a comparison document (compare.json, schema ``audit-compare/1``) as HTML and Markdown.

The same block model and renderers as the audit report, so a comparison reads like one:
warnings first, headline metrics, paired tests, every metric per probe, then provenance.
"""

from __future__ import annotations

import json
from pathlib import Path

from audit.core.fileio import atomic_write_text

from audit.reports import html as _html
from audit.reports import markdown as _markdown
from audit.reports.blocks import Callout, Code, Heading, KeyValues, Report, Section
from audit.reports.compare_tables import column_keys, legend, metrics_blocks, paired_blocks, runs_table
from audit.core.fmt import DASH, fmt_exact, short_hash
from audit.core.document import as_dict, as_list
from audit.reports.sections.common import slug


def notices(doc: dict) -> list[Callout]:
    data = as_dict(doc.get("data"))
    out = []
    unverified = [str(n) for n in as_list(data.get("unverified"))]
    flag = data.get("flag") or "--allow-different-data"
    if unverified:
        out.append(Callout("error", "Data not verified",
                           f"{', '.join(unverified)} record(s) no data fingerprint, so these runs cannot be shown to "
                           f"use the same data; compared only because {flag} was given. Columns whose data cannot "
                           "be matched to the baseline's get no verdict and no paired test."))
    elif not data.get("same", True):
        prints = ", ".join(f"{name}: {short_hash(fp)}" for name, fp in as_dict(data.get("fingerprints")).items())
        out.append(Callout("error", "Runs on different data",
                           f"These runs were audited on different datasets ({prints}); compared only because "
                           f"{flag} was given. Columns on other data than the baseline get no verdict "
                           "(different data: no comparison); only columns on the baseline's data are tested."))
    differing = [as_dict(d) for d in as_list(doc.get("probe_settings"))]
    if differing:
        named = "; ".join(f"{d.get('probe')}: {', '.join(map(str, as_list(d.get('keys'))))}" for d in differing)
        out.append(Callout("warn", "Probe settings differ between runs",
                           f"{named}. Those probes' values may differ because of the settings, not the models; "
                           "each probe's section lists the values."))
    for run_id, names in as_dict(data.get("copies")).items():
        out.append(Callout("warn", "The same run given more than once",
                           f"{', '.join(map(str, as_list(names)))} are one audit (run id {run_id}): their columns agree "
                           "by construction, which says nothing about the models."))
    unfinished = [str(as_dict(r).get("name")) for r in as_list(doc.get("runs")) if not as_dict(r).get("finished")]
    if unfinished:
        out.append(Callout("info", "Unfinished runs", f"{', '.join(unfinished)}: results are partial."))
    return out


def settings_callout(diff: dict) -> Callout:
    """The keys whose values differ between runs for one probe, with each run's value."""
    values = as_dict(diff.get("values"))
    parts = [f"{key} ({', '.join(f'{run}: {fmt_setting(v)}' for run, v in as_dict(values.get(key)).items())})"
             for key in as_list(diff.get("keys"))]
    return Callout("warn", "Settings differ between runs", "; ".join(parts) + ". Values of this probe may not be "
                   "comparable across those runs.")


def fmt_setting(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value


def probe_sections(doc: dict, keys: list[str], baseline: str) -> list[Section]:
    """A section per probe; a probe whose every metric went unreported still gets one, saying so."""
    by_probe: dict[str, list[dict]] = {}
    for row in as_list(doc.get("metrics")):
        by_probe.setdefault(str(as_dict(row).get("probe")), []).append(row)
    unreported: dict[str, int] = {}
    for address in map(str, as_list(doc.get("unreported_metrics"))):
        probe = address.split(".", 1)[0]
        unreported[probe] = unreported.get(probe, 0) + 1
        by_probe.setdefault(probe, [])
    differing = {str(as_dict(d).get("probe")): as_dict(d) for d in as_list(doc.get("probe_settings"))}
    sections = []
    for probe, rows in by_probe.items():
        family = str(rows[0].get("family") or "") if rows else ""
        blocks: list = [settings_callout(differing[probe])] if probe in differing else []
        sections.append(Section(id=f"probe-{slug(probe)}", title=probe, badge=family,
                                description="Every metric of this probe, value [CI] per column.",
                                blocks=blocks + metrics_blocks(rows, keys, baseline, unreported=unreported.get(probe, 0))))
    return sections


def provenance(doc: dict) -> Section:
    pairs = [("Comparison schema", str(doc.get("schema") or DASH)), ("Created", str(doc.get("created_at") or DASH)),
             ("Baseline", str(doc.get("baseline") or DASH))]
    blocks: list = [KeyValues(pairs, caption="Comparison")]
    for r in as_list(doc.get("runs")):
        r = as_dict(r)
        versions = ", ".join(f"{k} {fmt_exact(v)}" for k, v in as_dict(r.get("versions")).items())
        blocks.append(KeyValues([("Run id", str(r.get("run_id") or DASH)), ("Seed", fmt_exact(r.get("seed"))),
                                 ("Data fingerprint", str(as_dict(r.get("dataset")).get("fingerprint") or DASH)),
                                 ("Versions", versions or DASH), ("Command", str(r.get("command") or DASH))],
                                caption=f"Run {r.get('name')}"))
    blocks += [Heading("Command line"), Code(str(doc.get("command") or DASH), language="sh")]
    return Section(id="provenance", title="Provenance", subtitle="appendix", blocks=blocks)


def build_compare_report(doc: dict) -> Report:
    keys, baseline = column_keys(doc), str(doc.get("baseline") or "")
    headline = [r for r in as_list(doc.get("metrics")) if as_dict(r).get("headline")]
    notes = [Callout("info", "Note", str(n)) for n in as_list(doc.get("notes"))]
    sections = [
        Section(id="runs", title="Runs", blocks=[runs_table(doc)]),
        Section(id="headline", title="Headline metrics", blocks=[
            *metrics_blocks(headline, keys, baseline, caption=f"Value [CI] per column; marks compare each column "
                                                              f"with the baseline {baseline}."),
            legend(other_data=not as_dict(doc.get("data")).get("same", True))]),
        Section(id="paired", title="Paired tests", description="Each column against the baseline on the same "
                "examples, from the prediction sidecars.", blocks=paired_blocks(doc) + notes),
    ]
    sections += probe_sections(doc, keys, baseline)
    sections.append(provenance(doc))
    runs = [str(as_dict(r).get("name")) for r in as_list(doc.get("runs"))]
    return Report(title="Model comparison", subtitle=f"{len(keys)} columns from runs {', '.join(runs)} · baseline {baseline}",
                  notices=notices(doc), sections=sections)


def write_comparison(doc: dict, out_dir: str | Path) -> dict[str, Path]:
    """compare.json, compare.html and compare.md into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "compare.json", "html": out / "compare.html", "markdown": out / "compare.md"}
    report = build_compare_report(doc)
    atomic_write_text(paths["json"], json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    atomic_write_text(paths["html"], _html.render(report, doc.get("schema"), source="compare.json"))
    atomic_write_text(paths["markdown"], _markdown.render(report))
    return paths
