"""Policy + results -> the ``gate`` block of results.json (no files written here).

Every check yields one row per model (and per concrete metric when its name has
``{placeholders}``); a check that yields none gets a not-evaluated row saying why. The gate
passes when no row failed or errored and at least one row passed: a gate whose every check was
skipped has verified nothing. A row that could not be evaluated (probe not run, probe failed,
metric or predictions missing) fails the gate unless its check says ``on_missing: skip``.
Problems with the user's input (a model id not in the results, a baseline on other data) raise
AuditError instead: they are exit code 2, not a verdict.

A relative check's baseline is, in order: the check's own ``baseline.results`` file; the named
model in these results; the ``--baseline`` file. ``--baseline`` that no check uses is refused.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

from audit.core.errors import AuditError, did_you_mean
from audit.gate.checks import base_row, evaluate_absolute, unevaluated
from audit.gate.metric_lookup import PLACEHOLDER, Missing, concrete_names, probe_entry, probe_result
from audit.gate.policy import Check, Policy
from audit.gate.relative import evaluate_relative

NOTHING_EVALUATED = "no check was evaluated (every row was skipped), so the gate verified nothing"


def model_ids(doc: dict) -> list[str]:
    return [str(m.get("id")) for m in doc.get("models") or [] if isinstance(m, dict)]


def load_baseline(path: str, doc: dict) -> tuple[dict, Path, str]:
    """(doc, folder, resolved results path) of a saved baseline, refused when it is another schema
    or its data cannot be shown to be ours."""
    from audit.core.results import RESULTS_FILE, load_results

    base = load_results(path)
    file = Path(path) / RESULTS_FILE if Path(path).is_dir() else Path(path)
    ours = (doc.get("dataset") or {}).get("fingerprint")
    theirs = (base.get("dataset") or {}).get("fingerprint")
    if not ours or not theirs:
        which = "these results" if not ours else f"baseline {file}"
        raise AuditError(f"Cannot verify that baseline {file} was audited on the same data: {which} record no "
                         "dataset fingerprint; re-run that audit with this version of audit.")
    if ours != theirs:
        raise AuditError(f"Baseline {file} was audited on different data (dataset fingerprint {str(theirs)[:19]}, "
                         f"these results {str(ours)[:19]}); pass a baseline audited on the same dataset.")
    return base, file.parent, str(file.resolve())


def _where(policy: Policy, check: Check) -> str:
    return f"{policy.path}:{check.line or 1}: check #{check.index}"


def _models(policy: Policy, check: Check, known: list[str], exclude: str | None = None) -> list[str]:
    if check.models is None:
        return [m for m in known if m != exclude]
    for m in check.models:
        if m not in known:
            raise AuditError(f"{_where(policy, check)}: " + did_you_mean("model", m, known))
    return list(check.models)


def _names(check: Check, doc: dict, model: str) -> tuple[list[str], str]:
    """Concrete metric names for the check on ``model``, and why there are none (when so)."""
    entry = probe_entry(doc, check.probe)
    if entry is None or not PLACEHOLDER.search(check.name):
        return [check.name], ""
    names = concrete_names(entry, model, check.name)
    if names:
        return names, ""
    try:  # the probe's own failure, when it failed, says more than "no metric matching"
        probe_result(doc, check.probe, model)
    except Missing as exc:
        return [], str(exc)
    return [], f"no metric matching {check.metric} was recorded for '{model}'"


def _finite(row: dict, check: Check) -> dict:
    """A row holding NaN or infinity cannot be a verdict (nor be written as JSON): not evaluated."""
    bad = [k for k, v in row.items() if isinstance(v, float) and not math.isfinite(v)]
    bad += [k for k in ("ci", "drop_ci") if isinstance(row.get(k), list)
            and any(isinstance(x, float) and not math.isfinite(x) for x in row[k])]
    if not bad:
        return row
    for k in bad:
        row[k] = None
    return unevaluated(row, check, f"non-finite number (NaN or infinity) in {', '.join(bad)}; re-run the audit")


def _baseline_for(policy: Policy, check: Check, doc: dict, results_dir: Path, baseline: str | None, known: list[str],
                  cache: dict) -> tuple[dict, Path, str | None]:
    source = check.baseline.results or (None if check.baseline.model in known else baseline)
    if not source:
        return doc, results_dir, None
    if source not in cache:
        try:
            cache[source] = load_baseline(source, doc)
        except AuditError as exc:  # say which input named the file: the check's baseline.results or --baseline
            which = f"{_where(policy, check)}: baseline.results" if check.baseline.results else "--baseline"
            raise AuditError(f"{which}: {exc}") from exc
    return cache[source]


def evaluate_gate(policy: Policy, doc: dict, results_dir: str | Path, *, baseline: str | None = None) -> dict:
    """The gate block for ``doc`` (whose sidecars live in ``results_dir``); ``baseline`` is a saved
    results file for relative checks that name none and whose baseline model is not in ``doc``."""
    results_dir = Path(results_dir)
    known = model_ids(doc)
    baselines: dict[str, tuple[dict, Path, str]] = {}
    rows: list[dict] = []
    for check in policy.checks:
        found: list[dict] = []
        if check.kind == "absolute":
            for model in _models(policy, check, known):
                names, why = _names(check, doc, model)
                if not names:
                    found.append(unevaluated(base_row(check, model, check.metric) | {
                        "operator": check.operator, "threshold": check.threshold, "use": check.use}, check, why))
                found += [evaluate_absolute(check, doc, model, name) for name in names]
        else:
            found = _relative_rows(policy, check, doc, results_dir, baseline, known, baselines)
        if not found:
            found = [unevaluated(base_row(check, "(none)", check.metric), check, _no_models(check, known))]
        rows += [_finite(r, check) for r in found]
    if baseline and baseline not in baselines:
        raise AuditError(f"--baseline {baseline} is used by no check: the policy has no relative check whose baseline "
                         "model is missing from these results (same-run models and a check's own baseline.results "
                         "come first); drop --baseline.")
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("pass", "fail", "error", "skip")}
    gate = {
        "passed": counts["fail"] == 0 and counts["error"] == 0 and counts["pass"] > 0,
        "policy": {"path": policy.path, "name": policy.name, "description": policy.description,
                   "sha256": policy.sha256},
        "evaluated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "counts": counts,
        "checks": rows,
    }
    if counts["pass"] == 0 and counts["fail"] == 0 and counts["error"] == 0:
        gate["message"] = NOTHING_EVALUATED
    return gate


def _no_models(check: Check, known: list[str]) -> str:
    if check.kind == "relative":
        return (f"no candidate model to compare with baseline '{check.baseline.model}' (these results hold "
                f"{', '.join(known) or 'no models'}); audit a candidate beside it")
    return "these results hold no models"


def _relative_rows(policy, check, doc, results_dir, baseline, known, cache) -> list[dict]:
    base_doc, base_dir, base_file = _baseline_for(policy, check, doc, results_dir, baseline, known, cache)
    base_known = model_ids(base_doc)
    if check.baseline.model not in base_known:
        where = f"baseline {base_file}" if base_file else "these results"
        fix = "" if base_file else (
            "; or compare with a saved run: "
            f"`baseline: {{model: {check.baseline.model}, results: path/to/results.json}}` or "
            "`audit gate --baseline RESULTS`")
        raise AuditError(f"{_where(policy, check)}: {where}: "
                         + did_you_mean("model", check.baseline.model, base_known).rstrip(".") + fix + ".")
    same_run = base_doc is doc
    candidates = _models(policy, check, known, exclude=check.baseline.model if same_run else None)
    if same_run and check.baseline.model in candidates:
        raise AuditError(f"{_where(policy, check)}: model '{check.baseline.model}' is its own baseline; "
                         "list other models as candidates.")
    rows = []
    for model in candidates:
        for name in _names(check, doc, model)[0] or [check.name]:
            rows.append(evaluate_relative(check, name, (doc, results_dir, model),
                                          (base_doc, base_dir, check.baseline.model), resamples=policy.resamples,
                                          seed=policy.seed, base_results=base_file))
    return rows
