"""Headline metrics as Hugging Face model-card ``model-index`` blocks (YAML), one per model.

The Hub schema: ``model-index: [{name, results: [{task: {type, name}, dataset: {name, type,
split}, metrics: [{type, value, name, args}]}]}]``. A Hub card describes one model and
``ModelCardData`` credits every metric in the block to the first entry's name, so each model
gets its own block (and file). No ``source``: the Hub requires a URL with it, and the run id is
in the comments instead. Standard metrics use the Hub's metric ids (``accuracy``, ``f1`` with
``args.average``); the audit's own metrics keep their stable address ``probe.metric`` as the
type. CIs have no field in the schema, so they go in comments above the block, with the run id
and data fingerprint.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import yaml

from audit.core.fmt import ci_of, fmt_ci
from audit.core.document import as_dict, metric_names, metrics_of, model_ids, probes_of

DATA_FILES = (".csv", ".tsv", ".jsonl", ".json", ".parquet", ".txt")
HUB_METRICS = {  # address -> (type, name, args)
    "metrics.accuracy": ("accuracy", "Accuracy", None),
    "metrics.f1_macro": ("f1", "Macro F1", {"average": "macro"}),
    "metrics.f1_weighted": ("f1", "Weighted F1", {"average": "weighted"}),
}
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")  # name or owner/name
HUB_PART = re.compile(r"[\w.-]+")  # a config or split name
SINGLE_FILE = "model-index.yaml"


def hub_source(source: str, split: object = None) -> tuple[str, str | None, str | None] | None:
    """(id, config, split) when ``source`` is a Hub dataset ``name[:config][:split]``, else None.

    audit/data.py records a split only for Hub datasets (a local file has none), so a source
    that merely looks like an id but has no split anywhere is taken for a local file.
    """
    if source.startswith(("/", ".", "~")) or "\\" in source or PurePath(source).suffix.lower() in DATA_FILES:
        return None
    parts = source.split(":")
    if len(parts) > 3 or not HUB_ID.fullmatch(parts[0]) or any(p and not HUB_PART.fullmatch(p) for p in parts[1:]):
        return None
    config = parts[1] if len(parts) > 1 and parts[1] else None
    hub_split = parts[2] if len(parts) > 2 and parts[2] else None
    if not (split or hub_split):
        return None
    return parts[0], config, hub_split


def dataset_entry(dataset: dict) -> dict:
    """A Hub dataset is named by its id (``type`` links to it on the Hub); a local file by its
    file name, marked as local, so the Hub does not link it to an unrelated dataset."""
    source = str(dataset.get("source") or "unknown")
    split = dataset.get("split")
    hub = hub_source(source, split)
    if hub is None:
        file_name = _comment(PurePath(source).name or source) or "unknown"
        entry = {"name": f"{file_name} (local file, not on the Hub)", "type": file_name}
    else:
        hub_id, config, hub_split = hub
        entry = {"name": hub_id, "type": hub_id}
        if config:
            entry["config"] = config
        split = hub_split or split
    if split:
        entry["split"] = _comment(split)
    return entry


def _comment(text: object) -> str:
    """One line, whatever the text holds (a newline would end a comment or split a name)."""
    return " ".join(str(text).split())


def _entry(results: dict, model: str) -> dict:
    """One model's entry with its headline metrics that have a value."""
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
              "dataset": dataset_entry(as_dict(results.get("dataset"))), "metrics": metrics}
    return {"name": model, "results": [result] if metrics else []}


def model_index(results: dict, models: list[str] | None = None) -> list[dict]:
    """One entry per model (all, or ``models``); paste one entry per card, never several."""
    return [_entry(results, model) for model in models or model_ids(results)]


def model_index_yaml(results: dict, model: str) -> str:
    """One model's block as YAML text, ready to paste into its model card's front matter."""
    run, dataset = as_dict(results.get("run")), as_dict(results.get("dataset"))
    where = _comment(f"Run {run.get('id') or '—'}; data {dataset.get('source') or '—'} "
                     f"(fingerprint {dataset.get('fingerprint') or '—'}).")
    lines = [f"# Hugging Face model-index for model {_comment(model)}, written by `audit` from results.json.",
             f"# {where}", "# Confidence intervals (not part of the model-index schema):"]
    for probe in probes_of(results):
        for name in metric_names(probe, [model], headline_only=True):
            ci = ci_of(metrics_of(probe, model).get(name))
            if ci is not None:
                lines.append("#   " + _comment(f"{model} {probe.get('name')}.{name}: {fmt_ci(ci)}"))
    body = yaml.safe_dump({"model-index": [_entry(results, model)]}, sort_keys=False, allow_unicode=True, width=1000)
    return "\n".join(lines) + "\n" + body


def model_index_files(results: dict, models: list[str] | None = None) -> dict[str, str]:
    """File name -> YAML: ``model-index.yaml`` for a single model, else ``model-index--<id>.yaml`` each."""
    chosen = list(models or model_ids(results))
    if len(chosen) == 1:
        return {SINGLE_FILE: model_index_yaml(results, chosen[0])}
    files: dict[str, str] = {}
    for model in chosen:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", model).strip("-.") or "model"
        name, n = f"model-index--{stem}.yaml", 1
        while name in files:
            n += 1
            name = f"model-index--{stem}-{n}.yaml"
        files[name] = model_index_yaml(results, model)
    return files
