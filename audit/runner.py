"""Run an audit: config -> data + models -> probes -> results.json -> reports.

Data flows one way. After every probe x model the results file is saved atomically, so an
interrupted or failing audit keeps what it finished, and ``--resume`` picks up from there.
A user-input problem (AuditError) stops the run after saving; an unexpected failure inside
one probe is recorded as that unit's error and the audit goes on.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import platform
import secrets
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audit import RESULTS_SCHEMA
from audit.cache import PredictionCache
from audit.config import AuditConfig
from audit.core.errors import AuditError
from audit.core.outlock import hold_out_dir
from audit.findings.block import findings_block
from audit.predictions.paired_verdicts import paired_block
from audit.core.results import RESULTS_FILE, ResultsStore, load_results
from audit.distributed.lanes import lanes, run_lanes
from audit.core.versions import package_versions
from audit.probes.base import ProbeContext
from audit.probes.registry import all_probes, get_probe

def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_probes(cfg: AuditConfig) -> list:
    """Probe instances in registry order (or config order), configs validated before any model loads;
    a probe that reads another's results (``Probe.after``) runs after it whatever the order given."""
    if cfg.probes is None:
        return dependency_order([cls() for cls in all_probes().values()])
    return dependency_order([get_probe(name).from_mapping(raw) for name, raw in cfg.probes.items()])


def dependency_order(probes: list) -> list:
    """The given order, moving each probe after the selected probes named in its ``after``."""
    selected = {p.name for p in probes}
    ordered: list = []
    pending = list(probes)
    while pending:
        done = {p.name for p in ordered}
        ready = next((p for p in pending if all(d in done or d not in selected for d in p.after)), None)
        if ready is None:  # a cycle: keep the given order for the rest
            return ordered + pending
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def metric_specs(probe) -> list[dict[str, Any]]:
    return [dataclasses.asdict(s) for s in probe.metric_specs]


def resolve_device(cfg: AuditConfig) -> str:
    """The device name; only an adapter that runs on an accelerator (Hugging Face) makes us ask torch."""
    from audit.models.adapters import device_of
    from audit.models.loader import adapter_for

    for mc in cfg.models:
        device = device_of(adapter_for(mc), cfg.device)
        if device is not None:
            return device
    if cfg.device == "cuda":
        raise AuditError("--device cuda was given, but no model here runs on a GPU; drop the flag.")
    return "cpu"


def new_document(cfg: AuditConfig, command: str, device: str) -> dict[str, Any]:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return {
        "schema": RESULTS_SCHEMA,
        "run": {
            "id": f"{stamp}-{secrets.token_hex(3)}",
            "started_at": now_iso(),
            "finished_at": None,
            "seed": cfg.seed,
            "command": command,
            "config": cfg.as_dict(),
            "config_file": cfg.source_file,
            "versions": package_versions(),
            "platform": platform.platform(),
            "device": device,
            "cache": {},
            "durations": {},
        },
        "dataset": None,
        "models": [],
        "probes": [],
        "gate": None,
    }


def resumed_document(out: Path, cfg: AuditConfig, data_fp: str) -> dict[str, Any] | None:
    """The earlier results in ``out`` if they are for the same data and seed, else an error."""
    if not (out / RESULTS_FILE).is_file():
        return None
    doc = load_results(out)
    if doc.get("dataset", {}).get("fingerprint") != data_fp:
        raise AuditError(
            f"{out / RESULTS_FILE} holds results for different data; drop --resume to start afresh or pass another --out."
        )
    if doc["run"].get("seed") != cfg.seed:
        raise AuditError(
            f"{out / RESULTS_FILE} was made with seed {doc['run'].get('seed')}, not {cfg.seed}; "
            "use the same --seed to resume, or drop --resume."
        )
    return doc


def run_settings(cfg: AuditConfig, device: str) -> dict[str, Any]:
    """What a resumed run records about the latest invocation."""
    return dict(config=cfg.as_dict(), config_file=cfg.source_file, versions=package_versions(),
                platform=platform.platform(), device=device)


def model_identity(loaded, mc) -> str:
    """What decides a model's predictions: its files plus the settings that change outputs."""
    blob = json.dumps([loaded.fingerprint, loaded.labels, mc.max_length, mc.precision], sort_keys=True)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


# A model that declares what it reads (details["input"]: `audit train` records it) given the other kind of data.
READS_PAIRS = ("Model '{name}' was trained on sentence pairs but {source} gives single texts (column '{text}'); "
               "audit it on pair data, naming the second text with --text-pair-col, or audit a single-text model.")
READS_TEXTS = ("Model '{name}' was trained on single texts but {source} gives sentence pairs (columns '{text}' and "
               "'{pair}'); audit it on one text column (--text-col {text}, no --text-pair-col), or audit a pair model.")


def check_input(loaded, data) -> None:
    """Stop before any probe when the model declares pairs and the data has single texts, or the reverse."""
    reads = loaded.details.get("input")
    cols = {"name": loaded.id, "source": f"'{data.source}'", "text": data.columns.get("text"),
            "pair": data.columns.get("text_pair")}
    if reads == "pair" and not data.is_pair:
        raise AuditError(READS_PAIRS.format(**cols))
    if reads == "text" and data.is_pair:
        raise AuditError(READS_TEXTS.format(**cols))


def load_models(cfg: AuditConfig, store: ResultsStore, data, device: str, display, *, journal_dir: Path | None = None,
                resume: bool = False, engine=None) -> tuple[list, PredictionCache]:
    """Load every model, align its labels with the data (before any probe runs), and drop earlier
    results that no longer apply (a model removed from the run, or changed since). Predictions
    are journaled in ``journal_dir`` as they are made; with ``resume`` an earlier run's are reused.
    With a Ray ``engine`` each model's predictions are made by its own pool of actors."""
    from audit.core.labels import alignment
    from audit.models.hf_source import labels_before_loading
    from audit.models.loader import load_model, unique_names

    cache = PredictionCache(journal_dir=journal_dir, resume=resume)
    earlier = {m["id"]: m.get("identity") for m in store.doc["models"]}
    entries, changed, models = [], set(), []
    named = list(zip(cfg.models, unique_names(list(cfg.models))))
    for mc, name in named:  # label mismatches before any weights load
        if mc.obj is None and mc.kind in (None, "huggingface"):
            early = labels_before_loading(mc.spec, list(mc.labels) if mc.labels else None)
            if early:
                alignment(data.labels, early, model_id=name)
    for mc, name in named:
        display.log(f"Loading model '{name}' from {mc.spec}")
        loaded = load_model(mc, name=name, device=device)
        check_input(loaded, data)
        index, rule = alignment(data.labels, loaded.labels, model_id=name)
        identity = model_identity(loaded, mc)
        if earlier.get(name) not in (None, identity):
            changed.add(name)
        entry = loaded.describe()
        entry.update(identity=identity, label_alignment={"rule": rule, "map": {y: loaded.labels[j] for y, j in index.items()}})
        entries.append(entry)
        if engine is not None:
            display.log(f"Starting model '{name}' on Ray workers")
            loaded = engine.wrap(loaded, mc, device, len(named))
        models.append(cache.wrap(loaded, key=identity))
    store.set_models(entries, changed)
    if cache.resumed:
        display.log(f"Resumed {cache.resumed} prediction(s) made before the interruption; they are not made again.")
    return models, cache


def run_audit(cfg: AuditConfig, *, display, command: str = "", resume: bool = False,
              ray=None) -> tuple[dict[str, Any], Path]:
    """Run every selected probe on every model; returns the results document and its directory.
    The output folder is held for the run: another audit writing there fails at once. ``ray``
    (:class:`audit.distributed.engine.RaySettings`) makes the predictions on Ray; None: in this process."""
    engine = None
    if ray is not None:
        from audit.distributed.engine import RayEngine

        engine = RayEngine(ray)
    with hold_out_dir(cfg.out):
        try:
            return _run_audit(cfg, display=display, command=command, resume=resume, engine=engine)
        finally:
            if engine is not None:
                engine.stop()


def _run_audit(cfg: AuditConfig, *, display, command: str, resume: bool, engine=None) -> tuple[dict[str, Any], Path]:
    from audit.data_loader import DataConfig, load_dataset
    from audit.core.registry import load_plugins
    from audit.core.typed_config import build_config

    t_start = time.perf_counter()
    load_plugins(cfg.plugins)  # the config's `plugins:` modules register their probes and adapters first
    probes = build_probes(cfg)
    out = Path(cfg.out)
    data_cfg = build_config(DataConfig, {**cfg.data, "seed": cfg.seed}, "data")
    t0 = time.perf_counter()
    data = load_dataset(data_cfg)
    load_data_s = time.perf_counter() - t0
    display.log(f"Data: {data.source} · {len(data)} examples · labels {', '.join(data.label_names)}")
    if len(set(data.labels)) == 1:
        display.log(f"[yellow]Warning: every example is '{data.labels[0]}': accuracy is that class's recall; the other "
                    "classes' recall, F1 and the fairness TPR/FPR gaps are undefined.[/yellow]")

    device = resolve_device(cfg)
    earlier = resume and resumed_document(out, cfg, data.fingerprint)
    store = ResultsStore(out, earlier or new_document(cfg, command, device))
    if earlier:
        store.resumed(now_iso(), command, run_settings(cfg, device))
    store.set_dataset(data.describe())
    store.set_paired({p["name"]: None for p in store.doc["probes"]})  # a resumed run's are stale until recomputed
    store.set_findings(None)  # so are its findings
    store.save()

    t0 = time.perf_counter()
    if engine is not None:
        display.log(f"Ray: {'starting a local instance' if engine.settings.address == 'local' else 'joining ' + engine.settings.address}")
        engine.start()
    models, cache = load_models(cfg, store, data, device, display, journal_dir=out / "work" / "predictions",
                                resume=bool(earlier), engine=engine)
    store.set_execution(engine.describe() if engine is not None else None)
    load_models_s = time.perf_counter() - t0
    store.save()

    ctx = ProbeContext(seed=cfg.seed, device=device, progress=display.task, work_dir=out / "work", resume=resume,
                       results=store.view())
    try:
        for probe in probes:
            entry = store.probe_entry(probe, metric_specs(probe))
            todo = []
            for model in models:
                if store.is_done(entry, model.id):
                    display.log(f"[dim]{probe.name} · {model.id}: done earlier, skipped[/dim]")
                else:
                    todo.append(model)
            # On Ray the models of a probe run side by side (models sharing a prediction store in one lane).
            groups = lanes(todo, lambda m: id(m.store)) if engine is not None else [todo]
            run_lanes(groups, functools.partial(record_unit, store, entry, probe, data=data, ctx=ctx, display=display))
            store.order_results(entry, [m.id for m in models])
    except (AuditError, KeyboardInterrupt) as exc:
        exc.partial = (store.doc, out)  # type: ignore[union-attr]  # what finished, for the caller to render
        raise

    store.set_paired({p["name"]: paired_block(store.doc, p, out) for p in store.doc["probes"]})
    store.set_findings(findings_block(store.doc, cfg.findings))  # reads the paired blocks: after them
    store.finish(finished_at=now_iso(), cache=cache.stats(), durations={
        "load_data_s": round(load_data_s, 3),
        "load_models_s": round(load_models_s, 3),
        "total_s": round(time.perf_counter() - t_start, 3),
    })
    return store.doc, out


def record_unit(store: ResultsStore, entry, probe, model, data, ctx, display) -> None:
    """Run one probe on one model and save its result, whatever happens."""
    reason = probe.not_applicable_to(data) or probe.not_applicable(model)
    t0 = time.perf_counter()
    predictions = None
    if reason:
        result = {"status": "not_applicable", "reason": reason, "metrics": {}, "details": {}, "examples": []}
    else:
        try:
            res = probe.run(model, data, ctx)
        except AuditError as exc:
            store.record(entry, model.id, _error(str(exc), t0))
            raise
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a bug in a probe or a model: keep going, show it in the report
            display.log(f"[red]{probe.name} · {model.id} failed: {type(exc).__name__}: {exc}[/red]")
            result = _error(f"{type(exc).__name__}: {exc}", t0)
            result["details"] = {"traceback": traceback.format_exc(limit=8)}
            store.record(entry, model.id, result)
            return
        result = res.as_dict()
        predictions = res.predictions
        if result["status"] == "ok" and result["metrics"] and all(m.get("value") is None for m in result["metrics"].values()):
            result.update(status="no_values", reason=result.get("reason") or "no metric could be computed on this data")
        for warning in result.get("details", {}).get("warnings") or ():
            display.log(f"[yellow]Warning: {probe.name} · {model.id}: {warning}[/yellow]")
    result["duration_s"] = round(time.perf_counter() - t0, 3)
    store.record(entry, model.id, result, predictions)


def _error(message: str, t0: float) -> dict[str, Any]:
    return {
        "status": "error",
        "reason": message,
        "metrics": {},
        "details": {},
        "examples": [],
        "duration_s": round(time.perf_counter() - t0, 3),
    }


def failed_units(doc: dict[str, Any]) -> list[str]:
    return [
        f"{p['name']} · {mid}" for p in doc["probes"] for mid, r in p["results"].items() if r.get("status") == "error"
    ]


def command_line() -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in ["audit", *sys.argv[1:]])
