"""The `bias-auc` probe: does the model's score rank the examples of each identity group as well as the rest?

Threshold-free bias metrics (Borkan et al. 2019, "Nuanced Metrics for Measuring Unintended Bias with Real
Data for Text Classification"; the Jigsaw Unintended Bias benchmark): per group, the subgroup AUC (within
the group), BPSN AUC (the group's negatives against the other positives: low when the model scores texts
naming the group as positive) and BNSP AUC (the group's positives against the other negatives: low when it
misses them); per attribute, their generalized means (power -5) and the benchmark's score. Groups come as
for `group-fairness` (sensitive columns, else identity terms in the text). The scores are the model's
probabilities of the scored class (binary: the positive one; multi-class: each class against the rest,
summaries at the worst class). One seeded bootstrap over the examples gives every interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from audit.core.labels import align_labels
from audit.core.seeding import derive_seed
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.bias_auc.entries import attribute_entry, value
from audit.probes.fairness.bias_auc.examples import worst_group_examples
from audit.probes.fairness.bias_auc.families import FAMILIES
from audit.probes.fairness.bias_auc.scoring import Groups, Scores, Setup, groups_of, score
from audit.probes.fairness.bias_auc.summaries import POWER, percentile, worst
from audit.probes.fairness.common import Specs, check_counts, check_shares, positive_reason, score_classes
from audit.probes.fairness.group.attributes import NO_COLUMN as NO_COLUMN_FOR
from audit.probes.fairness.group.attributes import resolve
from audit.probes.fairness.terms import load_axes
from audit.probes.registry import register

NAME = "bias-auc"
NO_COLUMN = NO_COLUMN_FOR.format(probe=NAME)
MEANING = {"subgroup": "subgroup AUC (the group's examples only)",
           "bpsn": "BPSN AUC (the group's negatives against the positives outside it)",
           "bnsp": "BNSP AUC (the group's positives against the negatives outside it)"}
BACKGROUND = ("Background: every example not in the group (examples with no group for the attribute, or naming "
              "several, included), as in the Jigsaw benchmark.")
CI_NOTE = ("One percentile bootstrap over the examples, every statistic recomputed on each resample; an interval "
           "of a smallest value (the headlines, the worst class) comes from a simultaneous (sup-t) band over the "
           "values it takes the smallest of, since the percentile interval of a minimum is biased downwards.")


def _specs() -> tuple[MetricSpec, ...]:
    head = [MetricSpec("overall_auc", "AUC of the scored class over all examples (multi-class: the worst class).",
                       True, headline=True)]
    head += [MetricSpec(f"min_{f}_auc", f"Smallest {MEANING[f]} over the groups with min_support examples.", True,
                        headline=True) for f in FAMILIES]
    means = [MetricSpec(f"generalized_mean_{f}_auc/{{attribute}}", f"Generalized mean (power {POWER:g}) of the "
                        f"groups' {MEANING[f]} (multi-class: the worst class).", True) for f in FAMILIES]
    means.append(MetricSpec("jigsaw_score/{attribute}", "The Jigsaw Unintended Bias benchmark's weighting: 0.25 x "
                            "overall AUC + 0.75 x the mean of the three generalized means (multi-class: the worst "
                            "class).", True))
    groups = [MetricSpec(f"{f}_auc/{{attribute}}/{{group}}", f"One group's {MEANING[f]}; multi-class: one per "
                         "class, the class last (/{label}).", True) for f in FAMILIES]
    return (*head, MetricSpec("overall_auc/{label}", "AUC of one class against the rest (multi-class only).", True),
            *means, *groups)


@register
class BiasAucProbe(Probe):
    name = NAME
    family = "fairness"
    version = "1"
    handles_pairs = True  # the model gets data.inputs; inferred groups come from both texts of a pair
    description = ("Threshold-free bias metrics per identity group (Borkan et al. 2019): subgroup, BPSN and BNSP "
                   "AUC, their generalized means and the Jigsaw benchmark score, with bootstrap CIs.")
    metric_specs = _specs()

    @dataclass(frozen=True)
    class Config:
        attributes: tuple[str, ...] = ()  # sensitive columns to audit; empty: every column given with --sensitive
        intersections: tuple[str, ...] = ()  # column combinations, e.g. [gender&religion]
        min_support: int = 30  # groups with fewer examples are shown but left out of the summaries
        tolerance: float = 0.05  # a group AUC more than this below the overall AUC is flagged
        positive_label: str | None = None  # scored class; null: the second label of a binary model, else every class
        infer_from_text: bool = True  # with no sensitive column, infer groups from identity terms in the text
        terms: str | None = None  # extra identity term lists for inference (CSV file or folder)
        axes: tuple[str, ...] = ()  # term-list axes used for inference; empty: all
        bootstrap: int = 1000  # resamples of the examples for every CI; 0 turns CIs off
        confidence: float = 0.95  # CI level

        def __post_init__(self) -> None:
            check_counts(NAME, min_support=self.min_support, bootstrap=self.bootstrap)
            check_shares(NAME, tolerance=self.tolerance, confidence=self.confidence)
            load_axes(self.terms, self.axes, where=f"{NAME}.axes")  # bad term lists fail before models load

    def not_applicable(self, model) -> str | None:
        return positive_reason(NAME, cast("BiasAucProbe.Config", self.config).positive_label, model)

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = cast("BiasAucProbe.Config", self.config)
        attributes, inference, nothing = resolve(data, cfg, NAME)
        if nothing is not None:
            return ProbeResult(status="not_applicable", reason=nothing,
                               details={"inference": inference} if inference is not None else {})
        labels = model.labels
        y_true = align_labels(data.labels, labels, model_id=model.id)
        proba = model.predict_proba(data.inputs, progress=ctx.task(f"{NAME} · {model.id}", len(data)))
        classes = score_classes(labels, cfg.positive_label)
        setup = Setup(labels, classes, cfg.min_support, cfg.tolerance, cfg.bootstrap, cfg.confidence,
                      derive_seed(ctx.seed, NAME, "rows"))
        groups = [groups_of(a) for a in attributes]
        scores = score(proba, y_true, groups, setup)
        entries = [attribute_entry(g, a, scores, setup) for a, g in enumerate(groups)]
        overall = overall_entry(scores, setup)
        headline = headlines(groups, scores, setup)
        details = {
            "labels": labels, "scored_classes": [labels[c] for c in classes], "inferred": inference is not None,
            "inference": inference, "overall": overall, "attributes": entries, "headline": headline,
            "min_support": cfg.min_support, "tolerance": cfg.tolerance, "power": POWER, "n": len(data),
            "background": BACKGROUND,
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed,
                          "method": "percentile; smallest values: simultaneous sup-t band", "note": CI_NOTE},
        }
        predictions = {"id": list(data.ids), "label": [labels[i] for i in y_true],
                       "predicted": [labels[i] for i in proba.argmax(axis=1)], "proba": proba}
        predictions.update({f"group:{a.name}": a.values for a in attributes})
        metrics = metric_records(Specs(self.metric_specs), overall, entries, headline, len(classes) > 1)
        status, reason = "ok", ""
        if all(headline[f"min_{f}_auc"]["value"] is None for f in FAMILIES):
            status, reason = "no_values", no_values_reason(overall, entries, cfg.min_support)
        examples = worst_group_examples(data, proba, y_true, groups, headline, labels)
        return ProbeResult(status=status, reason=reason, metrics=metrics, details=details, examples=examples,
                           predictions=predictions)


def overall_entry(scores: Scores, s: Setup) -> dict:
    """The AUC of each scored class over all examples, and the worst class's."""
    per_class = {}
    for c in s.classes:
        v = value(scores.point[c]["overall"][0])
        samples = None if scores.samples is None else scores.samples[c]["overall"]
        positives, negatives = (int(x[0]) for x in scores.point[c]["counts"])
        per_class[s.labels[c]] = {"value": v, "ci": percentile(samples, s.confidence) if v is not None else None,
                                  "positives": positives, "negatives": negatives}
    points = np.array([np.nan if per_class[s.labels[c]]["value"] is None else per_class[s.labels[c]]["value"]
                       for c in s.classes])
    samples = None if scores.samples is None else np.stack([scores.samples[c]["overall"] for c in s.classes], axis=1)
    v, ci, at = worst(points, samples, s.confidence)
    return {"value": v, "ci": ci, "worst_class": s.labels[s.classes[at]] if at is not None and len(s.classes) > 1
            else None, "per_class": per_class}


def headlines(groups: list[Groups], scores: Scores, s: Setup) -> dict:
    """Per family, the smallest AUC over attributes, groups with ``min_support`` examples and classes, naming
    where it is."""
    out = {}
    for f in FAMILIES:
        where, points, cols = [], [], []
        for a, gr in enumerate(groups):
            for j in np.flatnonzero(gr.support >= s.min_support):
                for c in s.classes:
                    v = scores.point[c]["attributes"][a][f][0, j]
                    if np.isfinite(v):
                        where.append((gr.attribute.name, gr.names[j], s.labels[c]))
                        points.append(v)
                        if scores.samples is not None:
                            cols.append(scores.samples[c]["attributes"][a][f][:, j])
        samples = np.stack(cols, axis=1) if cols else None
        v, ci, at = worst(np.array(points), samples, s.confidence)
        entry: dict = {"value": v, "ci": ci, "attribute": None, "group": None, "class": None, "groups": len(points)}
        if at is not None:
            entry.update(zip(("attribute", "group", "class"), where[at]))
        out[f"min_{f}_auc"] = entry
    return out


def metric_records(specs: Specs, overall: dict, entries: list[dict], headline: dict, multi: bool) -> dict:
    metrics = {"overall_auc": specs.metric("overall_auc", overall["value"], overall["ci"])}
    for key, h in headline.items():
        metrics[key] = specs.metric(key, h["value"], h["ci"])
    if multi:
        for label, o in overall["per_class"].items():
            metrics[f"overall_auc/{label}"] = specs.metric(f"overall_auc/{label}", o["value"], o["ci"])
    for e in entries:
        attr = e["name"]
        for f in FAMILIES:
            m = e["means"][f]
            metrics[f"generalized_mean_{f}_auc/{attr}"] = specs.metric(f"generalized_mean_{f}_auc/{attr}", m["value"],
                                                                       m["ci"])
        j = e["means"]["jigsaw_score"]
        metrics[f"jigsaw_score/{attr}"] = specs.metric(f"jigsaw_score/{attr}", j["value"], j["ci"])
        for g in e["groups"]:
            for label, records in g["classes"].items():
                for f, r in records.items():
                    name = f"{f}_auc/{attr}/{g['group']}" + (f"/{label}" if multi else "")
                    metrics[name] = specs.metric(name, r["value"], r["ci"])
    return metrics


def no_values_reason(overall: dict, entries: list[dict], min_support: int) -> str:
    """Why no group AUC could be computed: the data holds one class only, or every group is small. (With both
    classes in the data, each group has some defined AUC: a group without negatives has positives, and the
    negatives are then outside it, so its BNSP AUC is defined.)"""
    if overall["value"] is None:
        return ("every scored class's AUC is undefined: the data's labels hold no positive or no negative example "
                "of it; audit data with both")
    sizes = sorted((g["support"] for e in entries for g in e["groups"]), reverse=True)
    return (f"no group has at least min_support={min_support} examples (largest group {sizes[0] if sizes else 0}); "
            "lower min_support or audit more examples")
