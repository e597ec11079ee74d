"""Line up the metrics of several runs by their stable address ``probe.metric``.

A column is one model of one run (``run/model``). A metric one run lacks (probe not run,
failed, inapplicable, or a different probe config) gets a status instead of a value, so the
report can say why a cell is empty.
"""

from __future__ import annotations

from typing import Any

from reports.lookup import (
    as_dict, description_of, higher_is_better, metric_names, metrics_of, probes_of, spec_for, status_of,
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


def _cell(run: Run, probe: dict | None, model: str, metric: str) -> dict[str, Any]:
    """{"value", "ci", "status", "reason"}: status "ok" only when there is a value."""
    if probe is None:
        return {"value": None, "ci": None, "status": "probe_not_run", "reason": f"run '{run.name}' did not run this probe"}
    found = metrics_of(probe, model).get(metric)
    if found is not None and found.get("value") is not None:
        return {"value": found.get("value"), "ci": found.get("ci"), "status": "ok", "reason": ""}
    status, reason = status_of(probe, model)
    if status == "ok":
        return {"value": None, "ci": None, "status": "metric_absent",
                "reason": "the probe ran but did not report this metric (a different probe config?)"}
    return {"value": None, "ci": None, "status": status, "reason": reason or status}


def probe_order(runs: list[Run]) -> list[str]:
    names: list[str] = []
    for run in runs:
        names += [str(p.get("name")) for p in probes_of(run.doc) if str(p.get("name")) not in names]
    return names


def align(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per ``probe.metric`` seen in any run, with a cell per column."""
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
            values = {column_key(run, m): _cell(run, probe, m, metric) for run, probe in present for m in run.model_ids}
            rows.append({
                "address": f"{pname}.{metric}", "probe": pname, "metric": metric, "family": family,
                "headline": bool(spec.get("headline")), "higher_is_better": hib,
                "description": next((description_of(p, metric) for _, p in probes if description_of(p, metric)), ""),
                "values": values,
            })
    return rows


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
