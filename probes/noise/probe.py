"""The `noise` probe: how accuracy and predictions hold up under realistic input noise.

Character slips, OCR and Unicode tricks, word-level edits and surface changes, each at the
configured severities. The examples go in chunks (:mod:`audit.probes.noise.chunks`): a chunk's
perturbed texts go to the prediction cache in one request (it batches and skips texts already
predicted, such as unchanged ones), are reduced to the outcomes the scores read, and dropped, so
memory never holds every perturbed text at once. The clean predictions come from the cache too,
usually filled by the `metrics` probe. Perturbations depend only on the run seed, the
perturbation, the severity and the example id, so each model's chunks get the same texts; they
are made again for each model (a few seconds per 1k examples), and what the first model's pass
found (which texts each cell changed, blanks, distinct texts) is kept for the next ones, which
are warned if their texts came out otherwise.

On sentence pairs the model gets (perturbed text, perturbed text_pair) tuples, and every cell is
measured per side (``sides``: noise on the first text, the second, or both); single-text metric
names stay as they are, pair cells add the side (``accuracy/second/typo@0.1``).

Flip rates and accuracy drops come over all texts and over the texts a perturbation changed
(``changed_flip_rate/typo@0.1``); the headlines use the changed ones, except the worst accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit import stats
from audit.core.labels import align_labels
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.by_group.breakdown import Settings, by_sensitive_groups
from audit.probes.fairness.by_group.inputs import noise_measures
from audit.probes.noise import catalog
from audit.probes.noise.apply import PerturbedSet, count_cells, perturb_dataset, perturb_example
from audit.probes.noise.chunks import CHUNK_TEXTS, measure
from audit.probes.noise.config import NoiseConfig
from audit.probes.noise.flips import pick_flips
from audit.probes.noise.lexicon import load_synonyms
from audit.probes.noise.outcomes import Outcomes
from audit.probes.noise.scoring import Bootstrap, score
from audit.probes.noise.sides import measured
from audit.probes.registry import register

CELL = "{perturbation}@{severity}"
PAIR_CELL = "{side}/{perturbation}@{severity}"
UNSTEADY = ("The perturbed texts differ from an earlier model's in {cells}: a perturbation that draws from more "
            "than the generator it is given makes each model see other noise, so models are not compared on the "
            "same texts.")


@dataclass(frozen=True)
class Survey:
    """What perturbing one dataset found, kept for the next models of the audit (no texts)."""

    applied: np.ndarray  # (cells, n) bool: the input changed
    empty: np.ndarray  # (cells,) int: blank outputs replaced by the original text
    distinct: int  # distinct perturbed inputs


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
    chunk_texts = CHUNK_TEXTS  # perturbed inputs per chunk of examples (not a config key: results never depend on it)

    def __init__(self, config: NoiseConfig | None = None) -> None:
        super().__init__(config)
        self._memo: tuple[tuple, Survey] | None = None  # what perturbing the last dataset found

    def perturbations(self) -> dict[str, catalog.Perturbation]:
        """The configured perturbations, the synonym swap bound to the configured source."""
        cfg = self.config
        return catalog.build(cfg.perturbations, load_synonyms(cfg.synonyms) if "synonym" in cfg.perturbations else {})

    def perturbed(self, data, seed: int) -> PerturbedSet:
        """Every perturbed text of ``data``, made anew on each call (nothing keeps them): for a look at the
        texts; `run` goes by chunks."""
        return self._chunk(self.perturbations(), data, seed, 0, len(data))

    def _chunk(self, table: dict[str, catalog.Perturbation], data, seed: int, start: int, end: int) -> PerturbedSet:
        pairs = None if data.text_pairs is None else list(data.text_pairs[start:end])
        return perturb_dataset(table, self.config.severities, list(data.ids[start:end]), list(data.texts[start:end]),
                               seed, text_pairs=pairs, sides=measured(self.config.sides))

    def _survey(self, data, seed: int) -> Survey | None:
        return self._memo[1] if self._memo is not None and self._memo[0] == (data.fingerprint, seed) else None

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = self.config
        labels = model.labels
        y = align_labels(data.labels, labels, model_id=model.id)
        survey = self._survey(data, ctx.seed)
        reused = survey is not None
        clean = model.predict_proba(data.inputs)
        table = self.perturbations()
        n_cells = count_cells(len(table), len(cfg.severities), measured(cfg.sides) if data.is_pair else None)
        bar = ctx.task(f"noise · {model.id}", n_cells * len(data))

        def predict(inputs: list) -> np.ndarray:  # texts, or (text, text_pair) tuples
            done = [0]

            def advance(k: int = 1) -> None:
                done[0] += k
                bar(k)

            proba = model.predict_proba(inputs, progress=advance)
            bar(max(0, len(inputs) - done[0]))  # inputs the cache already knew
            return proba

        got = measure(lambda start, end: self._chunk(table, data, ctx.seed, start, end), predict,
                      clean.argmax(axis=1), n_cells, self.chunk_texts, count_distinct=not reused)
        out = got.outcomes
        survey = survey or self._survey(data, ctx.seed)  # on Ray another model's pass may have ended meanwhile
        warnings = _unsteady(survey, out) if survey is not None else []
        if survey is None:
            survey = Survey(out.applied, out.empty.copy(), int(got.distinct or 0))
            self._memo = ((data.fingerprint, ctx.seed), survey)

        def remake(c: int, i: int) -> tuple[str, str | None]:
            pair = None if data.text_pairs is None else data.text_pairs[i]
            return perturb_example(table, out.cells[c], out.sides[c], data.ids[i], data.texts[i], pair, ctx.seed)

        boot = Bootstrap(cfg.bootstrap, cfg.confidence, cfg.bins, ctx.seed, cfg.min_changed)
        metrics, cells, summary = score(y, clean, out, labels, boot)
        examples = pick_flips(out, list(data.ids), list(data.texts), y, clean, labels, cfg.max_examples, remake,
                              text_pairs=data.text_pairs)
        details = {
            "labels": labels,
            "n": len(data),
            **({"sides": list(measured(cfg.sides))} if data.is_pair else {}),
            **summary,
            "severities": list(cfg.severities),
            "perturbations": [p.describe() for p in self.perturbations().values()],
            "cells": cells,
            "texts_scored": n_cells * len(data),
            "unique_texts": survey.distinct,
            "perturb_seconds": round(got.seconds, 3),  # this model's: the texts are made again for each model
            # surveyed for an earlier model of this audit before this pass began (see the module docstring); on Ray
            # the models run side by side, so this says how the work went, like perturb_seconds, not a result
            "perturbations_reused": reused,
            "synonyms": {"source": cfg.synonyms or "bundled English list",
                         "words": len(load_synonyms(cfg.synonyms)) if "synonym" in cfg.perturbations else 0},
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed, "paired": True,
                          "applies_to": "confidence drops and the headlines (widened to the cells' exact bounds)"},
            "ci_method": {"shares": stats.EXACT, "drops": stats.NEWCOMBE},
        }
        if warnings:
            details["warnings"] = warnings
        if cfg.by_group:
            group_metrics, details["by_group"] = self.by_group(y, clean, out, data, ctx.seed)
            metrics.update(group_metrics)
        return ProbeResult(metrics=metrics, details=details, examples=examples)

    def by_group(self, y, clean, out: Outcomes, data, seed: int):
        """Flip rate, accuracy drop and accuracy under noise per sensitive group, and the gap between groups."""
        cfg = self.config
        pred = out.pred
        clean_correct = clean.argmax(axis=1) == y
        measures = noise_measures(clean_correct, pred == y, pred != clean.argmax(axis=1)[None, :], out.applied)
        settings = Settings(self.name, "flip_rate", cfg.group_min_support, cfg.group_tolerance, cfg.confidence, seed,
                            intervals=cfg.bootstrap > 0)
        return by_sensitive_groups(data, measures, settings,
                                   {"flip_rate": False, "accuracy_drop": False, "accuracy": True})


def _unsteady(survey: Survey, out: Outcomes) -> list[str]:
    """A warning when this model's perturbed texts changed other examples than the first model's did."""
    cells = [out.key(c) for c in range(len(out.cells))
             if not np.array_equal(survey.applied[c], out.applied[c]) or survey.empty[c] != out.empty[c]]
    if not cells:
        return []
    return [UNSTEADY.format(cells=", ".join(cells[:5]) + (f" and {len(cells) - 5} more cells" if len(cells) > 5 else ""))]
