"""The `noise` probe: how accuracy and predictions hold up under realistic input noise.

Character slips, OCR and Unicode tricks, word-level edits and surface changes, each at the
configured severities. All perturbed texts of a model go to the prediction cache in one
request (it batches and skips texts already predicted, such as unchanged ones); the clean
predictions come from the cache too, usually filled by the `metrics` probe. Perturbations
depend only on the run seed, the perturbation, the severity and the example id, so they are
computed once per audit and shared by every model.

On sentence pairs the model gets (perturbed text, perturbed text_pair) tuples, and every cell is
measured per side (``sides``: noise on the first text, the second, or both); single-text metric
names stay as they are, pair cells add the side (``accuracy/second/typo@0.1``).

Flip rates and accuracy drops come over all texts and over the texts a perturbation changed
(``changed_flip_rate/typo@0.1``); the headlines use the changed ones, except the worst accuracy.
"""

from __future__ import annotations

from audit import stats
from audit.core.labels import align_labels
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.by_group.breakdown import Settings, by_sensitive_groups
from audit.probes.fairness.by_group.inputs import noise_measures
from audit.probes.noise import catalog
from audit.probes.noise.apply import PerturbedSet, perturb_dataset
from audit.probes.noise.config import NoiseConfig
from audit.probes.noise.flips import pick_flips
from audit.probes.noise.lexicon import load_synonyms
from audit.probes.noise.scoring import Bootstrap, score
from audit.probes.noise.sides import measured
from audit.probes.registry import register

CELL = "{perturbation}@{severity}"
PAIR_CELL = "{side}/{perturbation}@{severity}"


@register
class NoiseProbe(Probe):
    name = "noise"
    family = "robustness"
    version = "3"  # 2: changed-text rates and headlines; exact and Newcombe intervals per cell; 3: by group
    description = ("Accuracy, flips and confidence under character, word and surface noise at several severities; "
                   "flip rates and accuracy drops over all texts and over the texts each perturbation changed.")
    metric_specs = (
        MetricSpec("worst_accuracy", "Lowest accuracy over every perturbation and severity (and side, on sentence "
                   "pairs), on all texts.", True, headline=True),
        MetricSpec("max_changed_accuracy_drop", "Largest drop from clean accuracy over the texts each perturbation "
                   "changed, over every perturbation and severity (and side) changing at least min_changed texts.",
                   False, headline=True),
        MetricSpec("mean_changed_flip_rate", "Share of the texts a perturbation changed whose prediction changes, "
                   "averaged over perturbations and severities (and sides) changing at least min_changed texts.",
                   False, headline=True),
        MetricSpec("max_accuracy_drop", "Largest drop from clean accuracy over every perturbation and severity (and "
                   "side), on all texts (texts a perturbation left unchanged count as unchanged predictions).", False),
        MetricSpec("mean_flip_rate", "Share of all texts whose prediction changes under noise, averaged over "
                   "perturbations and severities (and sides); unchanged texts count as not flipped.", False),
        MetricSpec("max_robustness_gap", "Largest gap in changed-text flip rate between the groups of any sensitive "
                   "attribute (interval joint over every attribute).", False, headline=True),
        MetricSpec("robustness_gap/{attribute}", "Highest minus lowest changed-text flip rate between the groups of "
                   "one attribute with at least group_min_support examples (simultaneous interval).", False),
        MetricSpec("group_flip_rate/{attribute}/{group}", "Share of one group's changed texts whose prediction "
                   "flips, pooled over every perturbation and severity.", False),
        MetricSpec("group_accuracy_drop/{attribute}/{group}", "Clean minus noisy accuracy over one group's changed "
                   "texts, pooled over every perturbation and severity.", False),
        MetricSpec("group_accuracy/{attribute}/{group}", "Accuracy of one group under noise, pooled over every "
                   "perturbation and severity, on all its texts.", True),
        MetricSpec("clean_accuracy", "Accuracy on the unperturbed texts (the baseline of every drop).", True),
        # sentence pairs: {side} is first, second or both (which text got the noise); listed before the
        # single-text cells, whose placeholders would match these names too
        MetricSpec("worst_accuracy/{side}", "Sentence pairs: lowest accuracy with the noise on that side (first, second or "
                   "both texts).", True),
        MetricSpec("max_changed_accuracy_drop/{side}", "Sentence pairs: largest drop from clean accuracy over the "
                   "pairs the noise on that side changed.", False),
        MetricSpec("mean_changed_flip_rate/{side}", "Sentence pairs: share of the pairs the noise on that side changed "
                   "whose prediction changes, averaged over perturbations and severities.", False),
        MetricSpec("max_accuracy_drop/{side}", "Sentence pairs: largest drop from clean accuracy with the noise on "
                   "that side, on all pairs.", False),
        MetricSpec("mean_flip_rate/{side}", "Sentence pairs: share of all pairs whose prediction changes with the "
                   "noise on that side, averaged over perturbations and severities.", False),
        MetricSpec(f"accuracy/{PAIR_CELL}", "Sentence pairs: accuracy with the noise on that side.", True),
        MetricSpec(f"accuracy_drop/{PAIR_CELL}", "Sentence pairs: clean accuracy minus accuracy with the noise on "
                   "that side, on all pairs (Newcombe paired interval).", False),
        MetricSpec(f"changed_accuracy_drop/{PAIR_CELL}", "Sentence pairs: clean minus noisy accuracy over the pairs "
                   "the noise on that side changed; null when it changed none.", False),
        MetricSpec(f"flip_rate/{PAIR_CELL}", "Sentence pairs: share of all pairs whose prediction changes with the "
                   "noise on that side.", False),
        MetricSpec(f"changed_flip_rate/{PAIR_CELL}", "Sentence pairs: share of the pairs the noise on that side "
                   "changed whose prediction changes; null when it changed none.", False),
        MetricSpec(f"confidence_drop/{PAIR_CELL}", "Sentence pairs: mean fall in the probability of the clean "
                   "predicted class with the noise on that side.", False),
        MetricSpec(f"ece/{PAIR_CELL}", "Sentence pairs: expected calibration error with the noise on that side.", False),
        MetricSpec(f"applied_rate/{PAIR_CELL}", "Sentence pairs: share of pairs the noise on that side changed.", None),
        MetricSpec(f"accuracy/{CELL}", "Accuracy on the perturbed texts.", True),
        MetricSpec(f"accuracy_drop/{CELL}", "Clean accuracy minus perturbed accuracy on all texts (Newcombe paired "
                   "interval).", False),
        MetricSpec(f"changed_accuracy_drop/{CELL}", "Clean minus perturbed accuracy over the texts the perturbation "
                   "changed; null when it changed none.", False),
        MetricSpec(f"flip_rate/{CELL}", "Share of all texts whose prediction differs from the clean prediction.", False),
        MetricSpec(f"changed_flip_rate/{CELL}", "Share of the texts the perturbation changed whose prediction "
                   "differs from the clean prediction; null when it changed none.", False),
        MetricSpec(f"confidence_drop/{CELL}", "Mean fall in the probability of the clean predicted class.", False),
        MetricSpec(f"ece/{CELL}", "Expected calibration error on the perturbed texts.", False),
        MetricSpec(f"applied_rate/{CELL}", "Share of texts the perturbation changed (the rest had nothing to change).",
                   None),
    )
    Config = NoiseConfig
    config: NoiseConfig
    handles_pairs = True  # reads data.inputs and data.text_pairs; pair cells are per side

    def __init__(self, config: NoiseConfig | None = None) -> None:
        super().__init__(config)
        self._memo: tuple[tuple, PerturbedSet] | None = None  # perturbations of the last dataset

    def perturbations(self) -> dict[str, catalog.Perturbation]:
        """The configured perturbations, the synonym swap bound to the configured source."""
        cfg = self.config
        return catalog.build(cfg.perturbations, load_synonyms(cfg.synonyms) if "synonym" in cfg.perturbations else {})

    def perturbed(self, data, seed: int) -> tuple[PerturbedSet, bool]:
        """Every perturbed text of ``data``, and whether it was reused: computed once per dataset
        and seed (the texts do not depend on the model), then shared by every model."""
        key = (data.fingerprint, seed)
        if self._memo is not None and self._memo[0] == key:
            return self._memo[1], True
        ps = perturb_dataset(self.perturbations(), self.config.severities, list(data.ids), list(data.texts), seed,
                             text_pairs=data.text_pairs, sides=measured(self.config.sides))
        self._memo = (key, ps)
        return ps, False

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = self.config
        labels = model.labels
        y = align_labels(data.labels, labels, model_id=model.id)
        ps, reused = self.perturbed(data, ctx.seed)
        clean = model.predict_proba(data.inputs)
        texts = ps.flat()  # texts, or (text, text_pair) tuples
        total = len(set(texts))
        done = [0]
        bar = ctx.task(f"noise · {model.id}", total)

        def advance(k: int = 1) -> None:
            done[0] += k
            bar(k)

        proba = model.predict_proba(texts, progress=advance)
        bar(max(0, total - done[0]))  # texts the cache already knew
        proba = proba.reshape(len(ps.cells), len(data), len(labels))

        boot = Bootstrap(cfg.bootstrap, cfg.confidence, cfg.bins, ctx.seed, cfg.min_changed)
        metrics, cells, summary = score(y, clean, proba, ps, labels, boot)
        examples = pick_flips(ps, list(data.ids), list(data.texts), y, clean, proba, labels, cfg.max_examples,
                              text_pairs=data.text_pairs)
        details = {
            "labels": labels,
            "n": len(data),
            **({"sides": list(measured(cfg.sides))} if data.is_pair else {}),
            **summary,
            "severities": list(cfg.severities),
            "perturbations": [p.describe() for p in self.perturbations().values()],
            "cells": cells,
            "texts_scored": len(texts),
            "unique_texts": total,
            "perturb_seconds": round(ps.seconds, 3),
            "perturbations_reused": reused,  # computed for an earlier model of this audit
            "synonyms": {"source": cfg.synonyms or "bundled English list",
                         "words": len(load_synonyms(cfg.synonyms)) if "synonym" in cfg.perturbations else 0},
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed, "paired": True,
                          "applies_to": "confidence drops and the headlines (widened to the cells' exact bounds)"},
            "ci_method": {"shares": stats.EXACT, "drops": stats.NEWCOMBE},
        }
        if cfg.by_group:
            group_metrics, details["by_group"] = self.by_group(y, clean, proba, ps, data, ctx.seed)
            metrics.update(group_metrics)
        return ProbeResult(metrics=metrics, details=details, examples=examples)

    def by_group(self, y, clean, proba, ps: PerturbedSet, data, seed: int):
        """Flip rate, accuracy drop and accuracy under noise per sensitive group, and the gap between groups."""
        cfg = self.config
        pred = proba.argmax(axis=2)
        clean_correct = clean.argmax(axis=1) == y
        measures = noise_measures(clean_correct, pred == y, pred != clean.argmax(axis=1)[None, :], ps.applied)
        settings = Settings(self.name, "flip_rate", cfg.group_min_support, cfg.group_tolerance, cfg.confidence, seed,
                            intervals=cfg.bootstrap > 0)
        return by_sensitive_groups(data, measures, settings,
                                   {"flip_rate": False, "accuracy_drop": False, "accuracy": True})
