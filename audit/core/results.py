"""The results document: built up probe x model, saved atomically after each unit.

An interrupted audit leaves a valid results.json with every finished unit; ``--resume``
reloads it and skips units already finished for the same data, models and probe config.
Every read is validated against results.schema.json, so a file broken inside is bad input
naming its JSON path, never a verdict (a gate reading a mangled metric as a failure).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from audit import RESULTS_SCHEMA
from audit.core.errors import AuditError
from audit.core.fileio import atomic_write_text
from audit.core.install import DISTRIBUTION
from audit.core.readonly import read_only

RESULTS_FILE = "results.json"
PREDICTIONS_DIR = "predictions"
SCHEMA_FILE = "results.schema.json"  # every read is checked against it (docs/results-schema.json links to it)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, default=_jsonable, allow_nan=False)


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str):
    """json.loads accepts NaN and Infinity by default; our writer never emits them (allow_nan=False)."""
    raise _NonFinite(name)


def load_results(path: str | Path) -> dict[str, Any]:
    """Read a results file, checking it is one of ours and of this schema version."""
    p = Path(path)
    if p.is_dir():
        p = p / RESULTS_FILE
    if not p.is_file():
        raise AuditError(f"Results file not found: {p}. Pass the results.json an `audit run` wrote.")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AuditError(f"{p} is not valid JSON ({exc}); pass a results.json written by `audit run`.") from None
    except _NonFinite as exc:
        raise AuditError(f"{p} holds the non-finite number {exc} (not valid JSON, and no verdict can rest on it); "
                         "fix or re-run the audit that wrote it.") from None
    schema = doc.get("schema") if isinstance(doc, dict) else None
    if schema != RESULTS_SCHEMA:
        raise AuditError(f"{p} has schema {schema!r}, but this version of audit reads {RESULTS_SCHEMA!r}; "
                         f"{schema_fix(schema)}.")
    problem = schema_problem(doc)
    if problem is not None:
        raise AuditError(f"{p} is malformed at {problem}; it is not what `audit run` writes (see "
                         "docs/results-schema.json): restore the file or re-run the audit.")
    return doc


@functools.cache
def _validator():
    import jsonschema  # type: ignore[import-untyped]

    schema = json.loads(resources.files("audit.core").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def schema_problem(doc: Any) -> str | None:
    """None when ``doc`` matches results.schema.json, else its JSON path and what is wrong there (one line)."""
    import jsonschema  # type: ignore[import-untyped]

    error = jsonschema.exceptions.best_match(_validator().iter_errors(doc))
    if error is None:
        return None
    what = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{error.json_path}: {what}"


def schema_fix(schema: Any) -> str:
    """What to do about a results file of another schema: upgrade audit for a newer one, re-run for an older one."""
    match = re.fullmatch(r"audit-results/(\d+)", str(schema))
    if match is None:
        return "pass a results.json written by `audit run`"
    if int(match.group(1)) > int(RESULTS_SCHEMA.rsplit("/", 1)[1]):
        return f"it was written by a newer audit: upgrade audit (pip install -U {DISTRIBUTION}) to read it"
    return "re-run the audit with this version"


class ResultsStore:
    """The results document of one run and its files in the output directory.

    The one owner of results.json: the runner, the gate's CLI and everything else change the
    document only through these methods, and probes read it through :meth:`view`.
    """

    def __init__(self, out_dir: Path, doc: dict[str, Any]) -> None:
        self.out_dir = out_dir
        self.doc = doc
        self._lock = threading.RLock()  # units of one probe may record side by side (one thread per model)

    @property
    def path(self) -> Path:
        return self.out_dir / RESULTS_FILE

    def view(self) -> Any:
        """A live read-only view of the document (raises on any attempt to change it)."""
        return read_only(self.doc)

    def set_execution(self, description: dict[str, Any] | None) -> None:
        """Where the predictions were made (``run.execution``: the Ray cluster); None: in this process."""
        if description is None:
            self.doc["run"].pop("execution", None)
        else:
            self.doc["run"]["execution"] = description

    def set_dataset(self, description: dict[str, Any]) -> None:
        self.doc["dataset"] = description

    def resumed(self, at: str, command: str, settings: dict[str, Any]) -> None:
        """A resumed run describes the latest invocation; earlier ones are kept in ``run.resumed``."""
        run = self.doc["run"]
        run.setdefault("resumed", []).append({"at": at, "command": command})
        run.update(finished_at=None, command=command, **settings)

    def set_models(self, entries: list[dict[str, Any]], changed: set[str]) -> None:
        """The run's models, in order; results of models that ``changed`` or left the run are dropped."""
        self.doc["models"] = entries
        current = {m["id"] for m in entries}
        for probe in self.doc["probes"]:
            for model_id in set(probe["results"]):
                if model_id in changed or model_id not in current:
                    del probe["results"][model_id]

    def set_paired(self, blocks: dict[str, dict[str, Any] | None]) -> None:
        """Each probe's ``paired`` block by probe name (None removes a stale one)."""
        for probe in self.doc["probes"]:
            if probe["name"] in blocks:
                if blocks[probe["name"]] is None:
                    probe.pop("paired", None)
                else:
                    probe["paired"] = blocks[probe["name"]]

    def set_findings(self, block: dict[str, Any] | None) -> None:
        """The top-level ``findings`` block (docs/findings.md); None removes a stale one."""
        if block is None:
            self.doc.pop("findings", None)
        else:
            self.doc["findings"] = block

    def finish(self, *, finished_at: str, cache: dict[str, Any], durations: dict[str, float]) -> None:
        self.doc["run"].update(cache=cache, finished_at=finished_at, durations=durations)
        self.save()

    def probe_entry(self, probe, metric_specs: list[dict[str, Any]]) -> dict[str, Any]:
        """The entry for a probe, created on first use; a changed config drops old results, and so does
        the probe for results that no longer hold (``stale``: not applicable for want of a module that
        is installed now)."""
        config = probe.config_dict()
        stale = getattr(probe, "stale", None)
        for entry in self.doc["probes"]:
            if entry["name"] == probe.name:
                if entry["config"] != json.loads(dumps(config)) or entry["version"] != probe.version:
                    entry.update(config=config, version=probe.version, results={})
                if stale is not None:
                    entry["results"] = {mid: r for mid, r in entry["results"].items() if not stale(r)}
                entry.update(family=probe.family, description=probe.description, metric_specs=metric_specs)
                return entry
        entry = {
            "name": probe.name,
            "family": probe.family,
            "version": probe.version,
            "description": probe.description,
            "config": config,
            "metric_specs": metric_specs,
            "results": {},
        }
        self.doc["probes"].append(entry)
        return entry

    def is_done(self, entry: dict[str, Any], model_id: str) -> bool:
        result = entry["results"].get(model_id)
        # "partial" runs again: what it could not do (a resource since fetched) may now run
        return bool(result) and result.get("status") in ("ok", "no_values", "not_applicable")

    def record(self, entry: dict[str, Any], model_id: str, result: dict[str, Any], predictions=None) -> None:
        """Store one unit (and its per-example predictions sidecar) and save at once."""
        if predictions is not None:
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{entry['name']}--{model_id}")
            rel = f"{PREDICTIONS_DIR}/{safe}.jsonl"
            self._write_predictions(self.out_dir / rel, predictions)
            result["predictions_file"] = rel
        with self._lock:
            entry["results"][model_id] = result
            self.save()

    def order_results(self, entry: dict[str, Any], model_ids: list[str]) -> None:
        """Put ``entry``'s results in the run's model order (units that ran side by side finish in any order)."""
        with self._lock:
            results = entry["results"]
            first = [m for m in model_ids if m in results]
            ordered = {m: results[m] for m in first + [m for m in results if m not in first]}
            results.clear()
            results.update(ordered)

    def set_gate(self, gate: dict[str, Any] | None) -> None:
        """Store the gate's verdict block (None clears an earlier verdict) and save at once."""
        self.doc["gate"] = gate
        self.save()

    def save(self) -> None:
        with self._lock:
            atomic_write_text(self.path, dumps(self.doc))

    @staticmethod
    def _write_predictions(path: Path, columns: dict[str, Any]) -> None:
        keys = list(columns)
        n = len(columns[keys[0]])
        lines = []
        for i in range(n):
            row = {k: columns[k][i] for k in keys}
            lines.append(json.dumps(row, default=_jsonable, ensure_ascii=False))
        atomic_write_text(path, "\n".join(lines) + ("\n" if lines else ""))
