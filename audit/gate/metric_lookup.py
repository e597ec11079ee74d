"""Metric names as a gate addresses them (``probe.metric``) and their values in a results doc.

Known names come from the metric specs stored in the results document, completed by the probe
registry for probes that did not run, so a policy can be checked before any audit exists
(``audit run --gate``) and a typo is told apart from a probe that was simply not run.
"""

from __future__ import annotations

from typing import Any

from audit.core.document import PLACEHOLDER, WITH_VALUES, as_dict, as_list, metric_pattern, spec_for


def registry_specs() -> dict[str, list[dict[str, Any]]]:
    """probe name -> metric specs (as dicts) of every registered probe."""
    import dataclasses

    from audit.probes.registry import all_probes

    return {name: [dataclasses.asdict(s) for s in cls.metric_specs] for name, cls in all_probes().items()}


def known_specs(doc: dict | None = None) -> dict[str, list[dict[str, Any]]]:
    """The results doc's specs per probe (what was run), then the registry's for the rest."""
    specs: dict[str, list[dict[str, Any]]] = {}
    for probe in as_list((doc or {}).get("probes")):
        if isinstance(probe, dict) and probe.get("name"):
            specs[str(probe["name"])] = [s for s in as_list(probe.get("metric_specs")) if isinstance(s, dict)]
    for name, reg in registry_specs().items():
        specs.setdefault(name, reg)
    return specs


def known_names(specs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every addressable name, as `audit probes` lists it (``metrics.f1/{label}``)."""
    return [f"{probe}.{s['name']}" for probe, ss in specs.items() for s in ss if s.get("name")]


CLOSE_NAMES = 3  # suggestions in an unknown-metric message; `audit probes` lists them all


def unknown_metric(metric: str, names: list[str]) -> str:
    """"Unknown metric 'x'. Did you mean 'y'?" with the few closest names, never the whole list
    (~70 names make a 3 KB line); names the typed text starts (``metrics.acc``) come first."""
    import difflib

    starts = sorted(n for n in names if metric and n.startswith(metric))
    close = starts + [n for n in difflib.get_close_matches(metric, names, n=CLOSE_NAMES, cutoff=0.5) if n not in starts]
    close = close[:CLOSE_NAMES]
    if not close:
        return f"Unknown metric '{metric}'. Run `audit probes` for the full list of metric names."
    also = f" Also close: {', '.join(close[1:])}." if len(close) > 1 else ""
    return f"Unknown metric '{metric}'. Did you mean '{close[0]}'?{also} Run `audit probes` for the full list."


def split_metric(metric: str, specs: dict[str, list[dict[str, Any]]]) -> tuple[str, dict] | None:
    """(probe, spec) for ``probe.metric``, matching ``{placeholder}`` specs; None when unknown."""
    for probe in sorted(specs, key=len, reverse=True):  # longest probe name first
        if metric.startswith(probe + "."):
            spec = spec_for({"metric_specs": specs[probe]}, metric[len(probe) + 1:])
            if spec is not None:
                return probe, spec
    return None


def probe_entry(doc: dict, probe: str) -> dict | None:
    for entry in as_list(doc.get("probes")):
        if isinstance(entry, dict) and entry.get("name") == probe:
            return entry
    return None


def concrete_names(entry: dict, model: str, name: str) -> list[str]:
    """``name`` itself, or every recorded metric matching it when it holds ``{placeholders}``."""
    if not PLACEHOLDER.search(name):
        return [name]
    pattern = metric_pattern(name)
    metrics = as_dict(as_dict(as_dict(entry.get("results")).get(model)).get("metrics"))
    return [m for m in metrics if pattern.match(m)]


class Missing(Exception):
    """A value a check needs is not in the results; the message says why (the check errors)."""


def probe_result(doc: dict, probe: str, model: str) -> dict:
    """The probe's ok result for ``model``, or Missing saying why there is none (not run, failed ...)."""
    entry = probe_entry(doc, probe)
    if entry is None:
        raise Missing(f"probe '{probe}' did not run in this audit; run it (--probe {probe}) or drop the check")
    result = as_dict(entry.get("results")).get(model)
    if not isinstance(result, dict):
        raise Missing(f"probe '{probe}' has no result for model '{model}' (interrupted run?); rerun with --resume")
    status = result.get("status", "ok")
    if status not in WITH_VALUES:
        word = {"error": "failed", "no_values": "has no values"}.get(status, "was not applicable")
        raise Missing(f"probe '{probe}' {word} on model '{model}': {result.get('reason') or status}")
    return result


def metric_record(doc: dict, probe: str, name: str, model: str) -> dict:
    """The ``{"value", "ci", "higher_is_better"}`` record, or Missing saying why there is none."""
    result = probe_result(doc, probe, model)
    record = as_dict(result.get("metrics")).get(name)
    if not isinstance(record, dict):
        raise Missing(f"'{probe}.{name}' is not among the metrics recorded for model '{model}'")
    if not isinstance(record.get("value"), (int, float)) or isinstance(record.get("value"), bool):
        raise Missing(f"'{probe}.{name}' has no value for model '{model}' (undefined on this data)")
    return record
