"""Line up the metrics of several runs by their stable address ``probe.metric``.

A column is one model of one run (``run/model``). A metric one run lacks (probe not run,
failed, inapplicable, a class label that run does not have, or a different probe config) gets
a status instead of a value, so the report can say why a cell is empty. A probe run with
different settings in different runs (bootstrap size, CI level, severities) is named with the
keys that differ, since its values need not measure the same thing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from audit.core.document import (
    as_dict, as_list, description_of, higher_is_better, metric_names, metrics_of, probes_of, spec_for, status_of,
)

from audit.compare.runs import Run


def column_key(run: Run, model: str) -> str:
    return f"{run.name}/{model}"


def columns(runs: list[Run]) -> list[dict[str, Any]]:
    out = []
    for run in runs:
        fps = {str(m.get("id")): m.get("fingerprint") for m in run.doc.get("models") or [] if isinstance(m, dict)}
        out += [{"key": column_key(run, m), "run": run.name, "model": m, "fingerprint": fps.get(m)} for m in run.model_ids]
    return out


def probe_of(run: Run, name: str) -> dict | None:
    return next((p for p in probes_of(run.doc) if p.get("name") == name), None)


def _placeholders(probe: dict, metric: str) -> dict[str, str]:
    """{"label": "neutral"} for ``f1/neutral`` under the spec ``f1/{label}``; {} for a plain metric."""
    name = str((spec_for(probe, metric) or {}).get("name") or "")
    parts = re.split(r"\{([a-z_]+)\}", name)
    if len(parts) < 2:
        return {}
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
    try:
        found = re.fullmatch(pattern, metric)
    except re.error:  # a placeholder named twice in one spec
        return {}
    return found.groupdict() if found else {}


def run_labels(run: Run, model: str) -> list[str]:
    """The class labels a run knows for ``model``: its dataset's, then the model's own."""
    labels = [str(x) for x in as_list(as_dict(run.doc.get("dataset")).get("labels"))]
    for m in as_list(run.doc.get("models")):
        if isinstance(m, dict) and str(m.get("id")) == model:
            labels += [str(x) for x in as_list(m.get("labels")) if str(x) not in labels]
    return labels


def _absent(run: Run, probe: dict, model: str, metric: str, differing: list[str]) -> tuple[str, str]:
    """(status, reason) for a metric a probe that ran did not report."""
    label = _placeholders(probe, metric).get("label")
    labels = run_labels(run, model)
    if label is not None and labels and label not in labels:
        return "label_absent", f"label '{label}' is absent in run '{run.name}' (its labels: {', '.join(labels)})"
    if differing:
        return "metric_absent", (f"the probe ran but did not report this metric; its settings differ between "
                                 f"runs ({', '.join(differing)})")
    return "metric_absent", "the probe ran but did not report this metric"


def _cell(run: Run, probe: dict | None, model: str, metric: str, differing: list[str]) -> dict[str, Any]:
    """{"value", "ci", "status", "reason"}: status "ok" only when there is a value."""
    if probe is None:
        return {"value": None, "ci": None, "status": "probe_not_run", "reason": f"run '{run.name}' did not run this probe"}
    found = metrics_of(probe, model).get(metric)
    if found is not None and found.get("value") is not None:
        return {"value": found.get("value"), "ci": found.get("ci"), "status": "ok", "reason": ""}
    status, reason = status_of(probe, model)
    if status == "ok":
        status, reason = _absent(run, probe, model, metric, differing)
    return {"value": None, "ci": None, "status": status, "reason": reason or status}


PROBE_VERSION = "probe version"  # compared with the config keys: a new version may measure differently
NOT_SET = "(not set)"


def setting_differences(runs: list[Run]) -> list[dict[str, Any]]:
    """Per probe run in two or more runs, the settings (config keys, version) whose values differ:
    [{"probe", "keys", "values": {key: {run: value}}}], keys in sorted order."""
    out = []
    for pname in probe_order(runs):
        present = [(run, p) for run in runs if (p := probe_of(run, pname)) is not None]
        if len(present) < 2:
            continue
        settings = {run.name: {PROBE_VERSION: p.get("version"), **as_dict(p.get("config"))} for run, p in present}
        values: dict[str, dict[str, Any]] = {}
        for key in sorted(set().union(*settings.values())):
            per_run = {name: s.get(key, NOT_SET) for name, s in settings.items()}
            if len({json.dumps(v, sort_keys=True, default=str) for v in per_run.values()}) > 1:
                values[key] = per_run
        if values:
            out.append({"probe": pname, "keys": list(values), "values": values})
    return out


def settings_note(diff: dict[str, Any]) -> str:
    """One sentence naming the differing keys and their values per run."""
    parts = [f"{key} ({', '.join(f'{run}: {json.dumps(v, default=str)}' for run, v in diff['values'][key].items())})"
             for key in diff["keys"]]
    note = (f"Probe '{diff['probe']}' ran with different settings across runs: {'; '.join(parts)}. "
            "Its values may differ because of the settings, not the models.")
    if any("confidence" in key for key in diff["keys"]):
        note += " Its confidence intervals are at different levels, so interval verdicts compare unlike intervals."
    return note


def probe_order(runs: list[Run]) -> list[str]:
    names: list[str] = []
    for run in runs:
        names += [str(p.get("name")) for p in probes_of(run.doc) if str(p.get("name")) not in names]
    return names


def align(runs: list[Run], differences: list[dict] | None = None) -> list[dict[str, Any]]:
    """One row per ``probe.metric`` seen in any run, with a cell per column."""
    differing = {d["probe"]: list(d["keys"]) for d in differences or []}
    rows = []
    for pname in probe_order(runs):
        present = [(run, probe_of(run, pname)) for run in runs]
        names: list[str] = []
        for run, probe in present:
            if probe is not None:
                names += [n for n in metric_names(probe, run.model_ids) if n not in names]
        family = next((p.get("family") for _, p in present if p is not None and p.get("family")), None)
        for metric in names:
            probes = [(run, p) for run, p in present if p is not None]
            spec = next((spec_for(p, metric) for _, p in probes if spec_for(p, metric)), None) or {}
            hib = next((h for run, p in probes if (h := higher_is_better(p, metric, run.model_ids)) is not None), None)
            values = {column_key(run, m): _cell(run, probe, m, metric, differing.get(pname, []))
                      for run, probe in present for m in run.model_ids}
            rows.append({
                "address": f"{pname}.{metric}", "probe": pname, "metric": metric, "family": family,
                "headline": bool(spec.get("headline")), "higher_is_better": hib,
                "description": next((description_of(p, metric) for _, p in probes if description_of(p, metric)), ""),
                "values": values,
            })
    return rows


def drop_unreported(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """(rows kept, addresses of the rest): a row no column has a value for (a metric for a group no
    run's data has) is a line of dashes that compares nothing. A row with a failed cell stays, so
    the error shows."""
    kept, dropped = [], []
    for row in rows:
        statuses = {c["status"] for c in row["values"].values()}
        (kept if statuses & {"ok", "error"} else dropped).append(row)
    return kept, [r["address"] for r in dropped]


def run_summary(run: Run) -> dict[str, Any]:
    info, data = as_dict(run.doc.get("run")), as_dict(run.doc.get("dataset"))
    return {
        "name": run.name,
        "results": str(run.directory),
        "run_id": info.get("id"),
        "started_at": info.get("started_at"),
        "finished": bool(info.get("finished_at")),
        "seed": info.get("seed"),
        "command": info.get("command"),
        "versions": as_dict(info.get("versions")),
        "dataset": {k: data.get(k) for k in ("source", "split", "size", "fingerprint")},
        "models": run.model_ids,
        "gate_passed": as_dict(run.doc.get("gate")).get("passed") if run.doc.get("gate") else None,
    }
