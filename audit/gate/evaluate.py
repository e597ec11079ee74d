"""Policy + results -> the ``gate`` block of results.json (no files written here).

Every check yields one row per model (and per concrete metric when its name has
``{placeholders}``). The gate passes when no row failed or errored; a row that could not be
evaluated (probe not run, probe failed, metric missing) fails the gate unless its check says
``on_missing: skip``. Problems with the user's input (a model id not in the results, a baseline
on other data) raise AuditError instead: they are exit code 2, not a verdict.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from audit.errors import AuditError, did_you_mean
from audit.gate.checks import base_row, evaluate_absolute, unevaluated
from audit.gate.metrics import PLACEHOLDER, concrete_names, probe_entry
from audit.gate.policy import Check, Policy
from audit.gate.relative import evaluate_relative


def model_ids(doc: dict) -> list[str]:
    return [str(m.get("id")) for m in doc.get("models") or [] if isinstance(m, dict)]


def load_baseline(path: str, doc: dict) -> tuple[dict, Path]:
    """A saved baseline results file, refused when it is another schema or was run on other data."""
    from audit.results import RESULTS_FILE, load_results

    base = load_results(path)
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    ours = (doc.get("dataset") or {}).get("fingerprint")
    theirs = (base.get("dataset") or {}).get("fingerprint")
    if ours != theirs:
        raise AuditError(f"Baseline {folder / RESULTS_FILE if Path(path).is_dir() else path} was audited on different "
                         f"data (dataset fingerprint {str(theirs)[:19]}, these results {str(ours)[:19]}); "
                         "pass a baseline audited on the same dataset.")
    return base, folder


def _where(policy: Policy, check: Check) -> str:
    return f"{policy.path}:{check.line or 1}: check #{check.index}"


def _models(policy: Policy, check: Check, known: list[str], exclude: str | None = None) -> list[str]:
    if check.models is None:
        return [m for m in known if m != exclude]
    for m in check.models:
        if m not in known:
            raise AuditError(f"{_where(policy, check)}: " + did_you_mean("model", m, known))
    return list(check.models)


def _names(check: Check, doc: dict, model: str) -> list[str]:
    entry = probe_entry(doc, check.probe)
    if entry is None or not PLACEHOLDER.search(check.name):
        return [check.name]
    return concrete_names(entry, model, check.name)


def evaluate_gate(policy: Policy, doc: dict, results_dir: str | Path, *, baseline: str | None = None) -> dict:
    """The gate block for ``doc`` (whose sidecars live in ``results_dir``); ``baseline`` is a saved
    results file for relative checks that name none."""
    results_dir = Path(results_dir)
    known = model_ids(doc)
    baselines: dict[str, tuple[dict, Path]] = {}
    rows: list[dict] = []
    for check in policy.checks:
        if check.kind == "absolute":
            for model in _models(policy, check, known):
                names = _names(check, doc, model)
                if not names:
                    rows.append(unevaluated(base_row(check, model, check.metric) | {
                        "operator": check.operator, "threshold": check.threshold, "use": check.use},
                        check, f"no metric matching {check.metric} was recorded for '{model}'"))
                rows += [evaluate_absolute(check, doc, model, name) for name in names]
            continue
        source = check.baseline.results or baseline
        if source:
            if source not in baselines:
                baselines[source] = load_baseline(source, doc)
            base_doc, base_dir = baselines[source]
        else:
            base_doc, base_dir = doc, results_dir
        base_known = model_ids(base_doc)
        if check.baseline.model not in base_known:
            where = f"baseline {source}" if source else "these results"
            raise AuditError(f"{_where(policy, check)}: {where}: " + did_you_mean("model", check.baseline.model, base_known))
        same_run = base_doc is doc
        candidates = _models(policy, check, known, exclude=check.baseline.model if same_run else None)
        if same_run and check.baseline.model in candidates:
            raise AuditError(f"{_where(policy, check)}: model '{check.baseline.model}' is its own baseline; "
                             "list other models as candidates.")
        for model in candidates:
            for name in _names(check, doc, model) or [check.name]:
                rows.append(evaluate_relative(check, name, (doc, results_dir, model),
                                              (base_doc, base_dir, check.baseline.model),
                                              resamples=policy.resamples, seed=policy.seed))
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("pass", "fail", "error", "skip")}
    return {
        "passed": counts["fail"] == 0 and counts["error"] == 0,
        "policy": {"path": policy.path, "name": policy.name, "description": policy.description,
                   "sha256": policy.sha256},
        "evaluated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "counts": counts,
        "checks": rows,
    }
