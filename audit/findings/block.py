"""The top-level ``findings`` block of results.json: every rule's drafts, Benjamini-Hochberg over all tested
ones, the items in order, and the rule settings in effect."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from audit.core.document import as_dict
from audit.core.errors import AuditError
from audit.findings import bias, fairness, group_robustness, performance, robustness, slices
from audit.findings.items import FINDING, NOT_TESTED, PASSED, Draft, ordered, settle
from audit.findings.settings import FindingsConfig, parse_findings
from audit.stats import benjamini_hochberg

VERSION = 1
METHOD = "benjamini-hochberg"


def _pct(x: float) -> str:
    return f"{100 * x:g}%"


def _pts(x: float) -> str:
    return f"{100 * x:g} points"


def _tol(t: float | None, probe: str) -> str:
    return f"the {probe} probe's tolerance" if t is None else _pts(t)


def _group_tol(t: float | None) -> str:
    return "the probe's own group_tolerance" if t is None else _pts(t)


# rule name -> (probe, the rule's function, its description from its settings)
RULES: dict[str, tuple[str, Callable[[dict, Any], list[Draft]], Callable[[Any], str]]] = {
    "noise_drop": ("noise", robustness.noise_drop, lambda s: (
        f"The noise probe's {s.metric} is a finding when it exceeds {_pts(s.tolerance)} (tested from its interval, "
        f"normal approximation); severity high from {_pts(s.high)}, medium from {_pts(s.medium)}.")),
    "attack_success": ("attack", robustness.attack_success, lambda s: (
        f"A recipe's attack success rate is a finding when it exceeds {_pct(s.tolerance)} (exact binomial test on "
        f"the attacked examples); severity high from {_pct(s.high)}, medium from {_pct(s.medium)}.")),
    "group_gap": ("group-fairness", fairness.group_gap, lambda s: (
        f"A group-fairness gap ({', '.join(s.metrics)}) is a finding when its simultaneous interval lies above "
        f"{_tol(s.tolerance, 'group-fairness')} (no test); severity high from {_pts(s.high)}, medium from "
        f"{_pts(s.medium)}.")),
    "bias_auc": ("bias-auc", bias.bias_auc, lambda s: (
        f"A group's AUC ({', '.join(s.families)}) is a finding when it lies more than "
        f"{_tol(s.tolerance, 'bias-auc')} below the model's overall AUC (tested from the bootstrap interval of that "
        f"gap, both AUCs recomputed on each resample; normal approximation); severity high from {_pts(s.high)}, "
        f"medium from {_pts(s.medium)}.")),
    "counterfactual_flips": ("counterfactual", fairness.counterfactual_flips, lambda s: (
        f"The counterfactual flip rate is a finding when it exceeds {_tol(s.tolerance, 'counterfactual')} (tested "
        f"from its interval, normal approximation); severity high from {_pct(s.high)}, medium from "
        f"{_pct(s.medium)}.")),
    "template_failures": ("templates", fairness.template_failures, lambda s: (
        f"The templates' mean failure rate is a finding when it exceeds {_pct(s.tolerance)} (tested from its "
        f"interval, normal approximation); severity high from {_pct(s.high)}, medium from {_pct(s.medium)}.")),
    "template_group_gap": ("templates", fairness.template_group_gap, lambda s: (
        "A gap between groups' mean template scores is a finding when the probe's permutation test finds it and "
        f"it exceeds {_tol(s.tolerance, 'templates')}; severity high from {_pts(s.high)}, medium from "
        f"{_pts(s.medium)}.")),
    "robustness_gap": ("noise, attack, counterfactual", group_robustness.robustness_gap, lambda s: (
        "A gap between groups in a robustness rate (noise: changed-text flip rate; attack: success rate; "
        "counterfactual: swap flip rate) is a finding when the Rao-Scott test finds the groups differ and the gap "
        f"exceeds {_group_tol(s.tolerance)}; severity high from {_pts(s.high)}, medium from "
        f"{_pts(s.medium)}.")),
    "paired_difference": ("metrics", performance.paired_difference, lambda s: (
        "A paired comparison (McNemar for accuracy, sign-flip for Brier score and log loss) is a finding when the "
        f"first model is the worse one; severity high from {_pts(s.high)} of accuracy or {_pct(s.loss_high)} "
        f"above the baseline's loss, medium from {_pts(s.medium)} or {_pct(s.loss_medium)}.")),
    "calibration": ("metrics", performance.calibration, lambda s: (
        f"The expected calibration error is a finding when it exceeds {s.tolerance:g} (tested from its interval, "
        f"normal approximation); severity high from {s.high:g}, medium from {s.medium:g}.")),
    "explain_faithfulness": ("explain", performance.explain_faithfulness, lambda s: (
        f"An explanation method is a finding when its faithfulness interval does not lie above {s.tolerance:g} "
        "(it is not shown to beat random words; no test); severity medium when the whole interval is at or below "
        "it, else low.")),
    "weak_slice": ("slices", slices.weak_slice, lambda s: (
        "A slice (or pair of slices) of the slices probe is a finding when its error rate is higher than the rest's "
        "(one-sided Fisher exact test)" + (", and a slice where the first model of a pair errs more than the other "
                                            "(McNemar)" if s.paired else "")
        + f"; severity high from {_pts(s.high)} of excess error rate, medium from {_pts(s.medium)}.")),
}


def fdr_rule(q: float, tested: int) -> str:
    """The sentence a reader sees about the false discovery rate."""
    if tested == 0:
        return (f"No finding of this audit rests on a test, so there is nothing for the Benjamini-Hochberg "
                f"procedure (q = {q:g}) to adjust.")
    tests = "the one test" if tested == 1 else f"all {tested} tests"
    return (f"Findings that rest on a test are kept when their Benjamini-Hochberg adjusted p-value is at most "
            f"q = {q:g}, across {tests} of this audit.")


def effective_rules(cfg: FindingsConfig) -> dict[str, dict[str, Any]]:
    """Each rule's settings in effect (lists, as JSON has them), its probe and its rule in one sentence."""
    def settings(rule: Any) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(rule).items()}

    return {name: {**settings(cfg.rule(name)), "probe": probe, "description": describe(cfg.rule(name))}
            for name, (probe, _, describe) in RULES.items()}


def findings_block(doc: dict, cfg: FindingsConfig | None = None) -> dict[str, Any]:
    """The findings of a results document under ``cfg`` (the defaults when None)."""
    cfg = cfg or FindingsConfig()
    drafts: list[Draft] = []
    errors = []
    for name, (probe, rule, _describe) in RULES.items():
        settings = cfg.rule(name)
        if settings.enabled:
            try:
                drafts += rule(doc, settings)
            except Exception as exc:  # results this rule cannot read must not cost the audit or its report
                errors.append({"rule": name, "probe": probe, "error": f"{type(exc).__name__}: {exc}"})
    drafts = _unique(drafts)
    adjusted = benjamini_hochberg([d.p_value if d.status is None else None for d in drafts])
    items = [settle(d, a, cfg.q) for d, a in zip(drafts, adjusted)]
    tested = sum(a is not None for a in adjusted)
    rejected = sum(a is not None and a <= cfg.q for a in adjusted)
    counts = {status: sum(i["status"] == status for i in items) for status in (FINDING, PASSED, NOT_TESTED)}
    block = {
        "version": VERSION,
        "fdr": {"method": METHOD, "q": cfg.q, "tested": tested, "rejected": rejected, "rule": fdr_rule(cfg.q, tested)},
        "rules": effective_rules(cfg),
        "counts": counts,
        "items": ordered(items, {d.id: d.effect for d in drafts}),
    }
    if errors:
        block["errors"] = errors  # a rule that failed on these results: its items are missing (a bug to report)
    return block


def _unique(drafts: list[Draft]) -> list[Draft]:
    """Ids are unique: a second draft with an id already given (a probe listed twice) gets ``#2``, ``#3``..."""
    seen: dict[str, int] = {}
    for d in drafts:
        n = seen.get(d.id, 0) + 1
        seen[d.id] = n
        d.copy = n
    return drafts


def settings_of(doc: dict) -> FindingsConfig:
    """The findings settings a run was made with (its resolved config's ``findings``; defaults when absent)."""
    raw = as_dict(as_dict(doc.get("run")).get("config")).get("findings")
    try:
        return parse_findings(raw, "the run's config")
    except AuditError as exc:
        raise AuditError(f"The results' run.config.findings is not valid ({exc}); re-run the audit, or fix that "
                         "section of results.json.") from None


def add_findings(doc: dict, *, keep: bool = False, cfg: FindingsConfig | None = None) -> dict:
    """Give ``doc`` its ``findings`` block, from ``cfg`` or the run's own settings; ``keep`` leaves a block that
    is already there (``audit report`` on results written before findings existed computes them in memory)."""
    if not (keep and isinstance(doc.get("findings"), dict)):
        doc["findings"] = findings_block(doc, cfg or settings_of(doc))
    return doc
