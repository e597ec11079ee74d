"""The `group-fairness` probe: does the model treat the groups of a sensitive attribute alike?

Per group (fairlearn MetricFrame): accuracy, support and, per scored class, selection rate,
TPR, FPR and FNR, with exact (Clopper-Pearson) CIs from the group's counts (a binary model scores its positive
class; a multi-class one every class, one-vs-rest, in the details, each gap taking the worst
class, which the details name as ``worst_class``); between groups: demographic parity
difference and ratio, equalized odds difference, equal opportunity difference and the accuracy
gap, with CIs from score intervals (Newcombe per pair of groups, Wilson per group for ratios)
that hold jointly, since a bootstrap of a max-type gap is biased upwards (see
:mod:`audit.probes.fairness.group.gap_intervals`). Groups under ``min_support`` are shown but left out of the
gaps, since a handful of examples makes any gap look large. Without a sensitive column, groups
are inferred from the identity terms the texts mention, and the result says so. A sentence pair
goes to the model whole; inferred from text, its group is read from both of its texts
(:mod:`audit.probes.fairness.group.attributes` says how a pair naming two groups counts).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.labels import align_labels
from audit.core.seeding import derive_seed
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.group import gap_intervals
from audit.probes.fairness.group.attributes import NO_COLUMN as NO_COLUMN_FOR
from audit.probes.fairness.group.attributes import NOTHING, resolve  # noqa: F401 - NOTHING: its reason, re-exported
from audit.probes.fairness.common import Specs, check_counts, check_shares, positive_reason, score_classes
from audit.probes.fairness.group.scoring import Setup, flagged, score_attribute
from audit.probes.fairness.terms import load_axes
from audit.probes.registry import register
from audit.stats import EXACT

NAME = "group-fairness"
NO_COLUMN = NO_COLUMN_FOR.format(probe=NAME)
HEADLINES = {"demographic_parity_difference": "max", "equalized_odds_difference": "max",
             "equal_opportunity_difference": "max", "accuracy_difference": "max", "demographic_parity_ratio": "min"}


@register
class GroupFairnessProbe(Probe):
    name = NAME
    family = "fairness"
    version = "3"  # 2: gap CIs from joint score intervals; 3: exact per-group CIs, not the percentile bootstrap
    handles_pairs = True  # the model gets data.inputs; inferred groups come from both texts of a pair
    description = ("Per-group accuracy, selection rate and error rates by sensitive attribute (fairlearn MetricFrame), "
                   "with demographic parity and equalized odds gaps and simultaneous score CIs for them.")
    metric_specs = (
        MetricSpec("max_demographic_parity_difference", "Largest demographic parity difference over the attributes.",
                   False, headline=True),
        MetricSpec("max_equalized_odds_difference", "Largest equalized odds difference over the attributes.", False,
                   headline=True),
        MetricSpec("max_equal_opportunity_difference", "Largest equal opportunity (TPR) difference over the attributes.",
                   False),
        MetricSpec("max_accuracy_difference", "Largest accuracy gap between groups over the attributes.", False),
        MetricSpec("min_demographic_parity_ratio", "Smallest demographic parity ratio over the attributes.", True),
        MetricSpec("demographic_parity_difference/{attribute}", "Largest minus smallest group selection rate "
                   "(worst class for multi-class).", False),
        MetricSpec("demographic_parity_ratio/{attribute}", "Smallest over largest group selection rate "
                   "(worst class for multi-class).", True),
        MetricSpec("equalized_odds_difference/{attribute}", "Larger of the TPR and FPR gaps between groups "
                   "(worst class for multi-class).", False),
        MetricSpec("equal_opportunity_difference/{attribute}", "TPR gap between groups (worst class for multi-class).",
                   False),
        MetricSpec("accuracy_difference/{attribute}", "Accuracy gap between the best and worst group.", False),
        MetricSpec("accuracy/{attribute}/{group}", "Accuracy within one group.", True),
        MetricSpec("selection_rate/{attribute}/{group}", "Share of one group predicted as the scored (positive) class.",
                   None),
    )

    @dataclass(frozen=True)
    class Config:
        attributes: tuple[str, ...] = ()  # sensitive columns to audit; empty: every column given with --sensitive
        intersections: tuple[str, ...] = ()  # column combinations, e.g. [gender&religion]
        min_support: int = 30  # groups with fewer examples are flagged and left out of the gaps
        tolerance: float = 0.1  # gaps above this (ratios below 1 - this) are flagged
        positive_label: str | None = None  # scored class; null: the second label of a binary model, else every class
        infer_from_text: bool = True  # with no sensitive column, infer groups from identity terms in the text
        terms: str | None = None  # extra identity term lists for inference (CSV file or folder)
        axes: tuple[str, ...] = ()  # term-list axes used for inference; empty: all
        bootstrap: int = 1000  # 0 turns all CIs off; any other value keeps them (no CI here resamples any more)
        confidence: float = 0.95  # CI level

        def __post_init__(self) -> None:
            check_counts(NAME, min_support=self.min_support, bootstrap=self.bootstrap)
            check_shares(NAME, tolerance=self.tolerance, confidence=self.confidence)
            load_axes(self.terms, self.axes, where=f"{NAME}.axes")  # bad term lists fail before models load

    def not_applicable(self, model) -> str | None:
        return positive_reason(NAME, self.config.positive_label, model)

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = self.config
        attributes, inference, nothing = resolve(data, cfg, NAME)
        if nothing is not None:
            return ProbeResult(status="not_applicable", reason=nothing,
                               details={"inference": inference} if inference is not None else {})
        labels = model.labels
        y_true = align_labels(data.labels, labels, model_id=model.id)
        proba = model.predict_proba(data.inputs, progress=ctx.task(f"{NAME} · {model.id}", len(data)))
        y_pred = proba.argmax(axis=1)
        classes = score_classes(labels, cfg.positive_label)
        setup = Setup(labels, classes, cfg.min_support, cfg.tolerance, cfg.bootstrap, cfg.confidence,
                      derive_seed(ctx.seed, NAME, "rows"))
        specs = Specs(self.metric_specs)
        metrics, entries, counts = {}, [], []
        for attr in attributes:
            scored = score_attribute(attr, y_true, y_pred, setup)
            entries.append(scored.entry)
            counts.append(scored.counts)
            for name, d in scored.entry["disparities"].items():
                metrics[f"{name}/{attr.name}"] = specs.metric(f"{name}/{attr.name}", d["value"], d["ci"])
            for g in scored.entry["groups"]:
                acc = g["accuracy"]
                metrics[f"accuracy/{attr.name}/{g['group']}"] = specs.metric(
                    f"accuracy/{attr.name}/{g['group']}", acc["value"], acc["ci"])
                if len(classes) == 1:
                    sel = g["rates"][labels[classes[0]]]["selection_rate"]
                    metrics[f"selection_rate/{attr.name}/{g['group']}"] = specs.metric(
                        f"selection_rate/{attr.name}/{g['group']}", sel["value"], sel["ci"])
        headline = {}
        for name, how in HEADLINES.items():
            key = f"{how}_{name}"
            defined = [i for i, e in enumerate(entries) if e["disparities"][name]["value"] is not None]
            value = ci = None
            if defined:  # the worst attribute; its CI holds jointly over all of them
                value = (max if how == "max" else min)(entries[i]["disparities"][name]["value"] for i in defined)
                if cfg.bootstrap > 0:
                    ci = gap_intervals.interval(name, [(counts[i], classes) for i in defined], cfg.confidence)
            metrics[key] = specs.metric(key, value, ci)
            headline[key] = {"value": value, "flagged": flagged(name, value, cfg.tolerance)}
        details = {
            "labels": labels,
            "scored_classes": [labels[c] for c in classes],
            "inferred": inference is not None,
            "inference": inference,
            "attributes": entries,
            "headline": headline,
            "min_support": cfg.min_support,
            "tolerance": cfg.tolerance,
            "n": len(data),
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed,
                          "applies_to": "nothing: every interval is a score or exact one (0 turns them off)"},
            "ci_method": {"disparities": gap_intervals.METHOD, "groups": EXACT,
                          "note": gap_intervals.NOTE},
        }
        predictions = {"id": list(data.ids), "label": [labels[i] for i in y_true],
                       "predicted": [labels[i] for i in y_pred], "proba": proba}
        predictions.update({f"group:{a.name}": a.values for a in attributes})  # paired comparisons offline
        status, reason = "ok", ""
        if all(h["value"] is None for h in headline.values()):  # no gap anywhere: say why, not "ok"
            status, reason = "no_values", no_values_reason(entries, setup.min_support)
        return ProbeResult(status=status, reason=reason, metrics=metrics, details=details, predictions=predictions)


def no_values_reason(entries: list[dict], min_support: int) -> str:
    """Why no gap could be computed: fewer than two groups reached ``min_support`` on any attribute."""
    sizes = sorted((g["support"] for e in entries for g in e["groups"]), reverse=True)
    if not sizes:
        return "no group was found in the data"
    return (f"no attribute has two groups of at least min_support={min_support} examples (largest group {sizes[0]}"
            f"{f', next {sizes[1]}' if len(sizes) > 1 else ''}); lower min_support or audit more examples")
