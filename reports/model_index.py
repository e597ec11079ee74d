"""Headline metrics as a Hugging Face model-card ``model-index`` block (YAML).

The Hub schema: ``model-index: [{name, results: [{task: {type, name}, dataset: {name, type,
split}, metrics: [{type, value, name, args}]}]}]``. No ``source``: the Hub requires a URL
with it, and the run id is in the comments instead. Standard metrics use the
Hub's metric ids (``accuracy``, ``f1`` with ``args.average``); the audit's own metrics keep
their stable address ``probe.metric`` as the type. CIs have no field in the schema, so they go
in comments above the block, with the run id and data fingerprint.
"""

from __future__ import annotations

from pathlib import PurePath

import yaml

from reports.fmt import fmt_ci, ci_of
from reports.lookup import as_dict, metric_names, metrics_of, model_ids, probes_of

DATA_FILES = (".csv", ".tsv", ".jsonl", ".json", ".parquet", ".txt")
HUB_METRICS = {  # address -> (type, name, args)
    "metrics.accuracy": ("accuracy", "Accuracy", None),
    "metrics.f1_macro": ("f1", "Macro F1", {"average": "macro"}),
    "metrics.f1_weighted": ("f1", "Weighted F1", {"average": "weighted"}),
}


def dataset_entry(dataset: dict) -> dict:
    """A local file is named by its file name; a hub dataset ``name[:config][:split]`` by its id."""
    source = str(dataset.get("source") or "unknown")
    split = dataset.get("split")
    path = PurePath(source)
    if path.suffix.lower() in DATA_FILES:
        entry = {"name": path.name, "type": path.stem}
    else:
        hub_id, config, hub_split = (source.split(":") + [None, None])[:3]
        entry = {"name": hub_id, "type": hub_id}
        if config:
            entry["config"] = config
        split = split or hub_split
    if split:
        entry["split"] = str(split)
    return entry


def _comment(text: object) -> str:
    """One comment line, whatever the text holds (a newline would end the comment)."""
    return " ".join(str(text).split())


def model_index(results: dict, models: list[str] | None = None) -> list[dict]:
    """One entry per model (all, or ``models``) with its headline metrics that have a value."""
    dataset = as_dict(results.get("dataset"))
    entries = []
    for model in models or model_ids(results):
        metrics = []
        for probe in probes_of(results):
            for name in metric_names(probe, [model], headline_only=True):
                found = metrics_of(probe, model).get(name) or {}
                if not isinstance(found.get("value"), (int, float)) or isinstance(found.get("value"), bool):
                    continue
                address = f"{probe.get('name')}.{name}"
                hib = found.get("higher_is_better")
                own = f"{address} ({'higher' if hib else 'lower'} is better)" if isinstance(hib, bool) else address
                mtype, pretty, args = HUB_METRICS.get(address, (address, own, None))
                item = {"type": mtype, "value": found["value"], "name": pretty}
                if args:
                    item["args"] = dict(args)
                metrics.append(item)
        result = {"task": {"type": "text-classification", "name": "Text Classification"},
                  "dataset": dataset_entry(dataset), "metrics": metrics}
        entries.append({"name": model, "results": [result] if metrics else []})
    return entries


def model_index_yaml(results: dict, models: list[str] | None = None) -> str:
    """The block as YAML text, ready to paste into a model card's front matter."""
    entries = model_index(results, models)
    run, dataset = as_dict(results.get("run")), as_dict(results.get("dataset"))
    where = _comment(f"Run {run.get('id') or '—'}; data {dataset.get('source') or '—'} "
                     f"(fingerprint {dataset.get('fingerprint') or '—'}).")
    lines = ["# Hugging Face model-index written by `audit record` from results.json.", f"# {where}",
             "# Confidence intervals (not part of the model-index schema):"]
    for probe in probes_of(results):
        for entry in entries:
            for name in metric_names(probe, [entry["name"]], headline_only=True):
                ci = ci_of(metrics_of(probe, entry["name"]).get(name))
                if ci is not None:
                    lines.append("#   " + _comment(f"{entry['name']} {probe.get('name')}.{name}: {fmt_ci(ci)}"))
    body = yaml.safe_dump({"model-index": entries}, sort_keys=False, allow_unicode=True, width=1000)
    return "\n".join(lines) + "\n" + body
