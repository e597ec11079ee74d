"""Read-only helpers over a results dict: models, metric order, directions, headlines.

Results may come from an interrupted run, so every key is read defensively.
"""

from __future__ import annotations

import re
from typing import Any


# Unit statuses whose metrics may be read: "partial" ran part of its work (a recipe without its resource)
# and its values stand for what ran; "no_values", "not_applicable" and "error" have none to read.
WITH_VALUES = ("ok", "partial")


def as_list(x: Any) -> list:
    return x if isinstance(x, list) else []


def as_dict(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def probes_of(results: dict) -> list[dict]:
    return [p for p in as_list(results.get("probes")) if isinstance(p, dict)]


def model_ids(results: dict) -> list[str]:
    """Models in declared order, then any model that only appears in a probe's results."""
    ids = [str(m.get("id")) for m in as_list(results.get("models")) if isinstance(m, dict)]
    for probe in probes_of(results):
        for mid in as_dict(probe.get("results")):
            if mid not in ids:
                ids.append(mid)
    return ids


def model_result(probe: dict, model_id: str) -> dict | None:
    res = as_dict(probe.get("results")).get(model_id)
    return res if isinstance(res, dict) else None


PLACEHOLDER = re.compile(r"\{[a-z_]+\}")  # {label}, {recipe}, {perturbation}, {attribute} ...


def metric_pattern(spec_name: str) -> re.Pattern:
    parts = [re.escape(p) for p in PLACEHOLDER.split(spec_name)]
    return re.compile(r"\A" + ".+".join(parts) + r"\Z", re.DOTALL)  # any group value, newlines included


def spec_for(probe: dict, metric: str) -> dict | None:
    """The metric spec naming ``metric`` exactly, else the placeholder spec (``{label}`` ...) matching it."""
    specs = [s for s in as_list(probe.get("metric_specs")) if isinstance(s, dict) and s.get("name")]
    for spec in specs:
        if spec["name"] == metric:
            return spec
    for spec in specs:
        if PLACEHOLDER.search(spec["name"]) and metric_pattern(spec["name"]).match(metric):
            return spec
    return None


def metrics_of(probe: dict, model_id: str) -> dict[str, dict]:
    res = model_result(probe, model_id) or {}
    return {k: v for k, v in as_dict(res.get("metrics")).items() if isinstance(v, dict)}


def higher_is_better(probe: dict, metric: str, model_ids_: list[str]) -> bool | None:
    """The direction recorded with the metric values, else the one in its spec."""
    for mid in model_ids_:
        hib = metrics_of(probe, mid).get(metric, {}).get("higher_is_better")
        if isinstance(hib, bool):
            return hib
    hib = (spec_for(probe, metric) or {}).get("higher_is_better")
    return hib if isinstance(hib, bool) else None


def metric_names(probe: dict, model_ids_: list[str], headline_only: bool = False) -> list[str]:
    """Metric names in spec order (``{label}`` specs expanded), then unlisted ones.

    A plain headline spec with no value anywhere is still listed, so a failed probe shows up
    as a row of dashes rather than vanishing from the scorecard.
    """
    present: list[str] = []
    for mid in model_ids_:
        for name in metrics_of(probe, mid):
            if name not in present:
                present.append(name)
    ordered: list[str] = []
    for spec in as_list(probe.get("metric_specs")):
        if not isinstance(spec, dict) or not spec.get("name"):
            continue
        if headline_only and not spec.get("headline"):
            continue
        name = spec["name"]
        if PLACEHOLDER.search(name):
            pat = metric_pattern(name)
            ordered += [n for n in present if pat.match(n) and n not in ordered]
        elif name not in ordered:
            ordered.append(name)
    if not headline_only:
        ordered += [n for n in present if n not in ordered]
    return ordered


def description_of(probe: dict, metric: str) -> str:
    return str((spec_for(probe, metric) or {}).get("description") or "")


def status_of(probe: dict, model_id: str) -> tuple[str, str]:
    """(status, reason); a model without a result yet reads as "missing"."""
    res = model_result(probe, model_id)
    if res is None:
        return "missing", "No result recorded (the run may have been interrupted)."
    return str(res.get("status") or "ok"), str(res.get("reason") or "")
