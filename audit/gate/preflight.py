"""Checks of a policy against the models an `audit run --gate` will audit, made before any data or
model loads: a model id typo must cost seconds, not a whole audit."""

from __future__ import annotations

from audit.core.errors import AuditError, did_you_mean
from audit.gate.policy import Policy


def check_models(policy: Policy, names: list[str]) -> None:
    """Every ``model``/``models`` id and every same-run ``baseline`` must be one of ``names``; a saved
    baseline file must exist, be of this schema, record a dataset fingerprint and hold its model."""
    from audit.core.results import load_results

    for check in policy.checks:
        where = f"{policy.path}:{check.line or 1}: check #{check.index}"
        for model in check.models or ():
            if model not in names:
                raise AuditError(f"{where}: " + did_you_mean("model", model, names) +
                                 " (model names come from --model NAME=SPEC, the config, or the spec itself)")
        if check.baseline is None:
            continue
        if check.baseline.results is None:
            if check.baseline.model not in names:
                raise AuditError(f"{where}: baseline: " + did_you_mean("model", check.baseline.model, names) +
                                 " Audit the baseline in the same run, or name a saved run with "
                                 "baseline: {model: id, results: path}.")
            continue
        base = load_results(check.baseline.results)  # a missing or other-schema file fails now
        base_models = [str(m.get("id")) for m in base.get("models") or [] if isinstance(m, dict)]
        if check.baseline.model not in base_models:
            raise AuditError(f"{where}: baseline {check.baseline.results}: "
                             + did_you_mean("model", check.baseline.model, base_models))
        if not (base.get("dataset") or {}).get("fingerprint"):
            raise AuditError(f"{where}: baseline {check.baseline.results} records no dataset fingerprint, so it cannot "
                             "be shown to be on the same data; re-run that audit with this version of audit.")
