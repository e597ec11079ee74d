"""A sample third-party plug-in for audit: one of each thing a plug-in can add.

* ``LengthGap``, a probe: accuracy on short texts against long ones (entry point ``audit.probes``);
* ``KEYWORD``, a model adapter for specs ``keyword:WORD,WORD``: a text is positive when it holds one
  of the words (``audit.models``);
* ``STUTTER``, a noise perturbation (``audit.perturbations``);
* ``CHAR_DELETE``, an attack recipe whose factory builds a TextAttack attack (``audit.attack_recipes``).

Only audit's public pieces are used, and nothing heavy is imported until it runs.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from audit.core.errors import AuditError
from audit.core.labels import align_labels
from audit.models.adapters import ModelAdapter
from audit.models.base import LoadedModel
from audit.probes.base import Metric, MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.noise.catalog import Perturbation
from audit.resources.recipes import RecipeInfo


class LengthGap(Probe):
    """Does the model do worse on long texts? Texts of at most ``max_words`` words are short."""

    name = "length-gap"
    family = "performance"
    version = "1"
    description = "Accuracy on short texts against long ones, and the gap between them."
    metric_specs = (
        MetricSpec("accuracy_gap", "Absolute difference between short-text and long-text accuracy.", False, headline=True),
        MetricSpec("short_accuracy", "Accuracy on texts of at most max_words words.", True),
        MetricSpec("long_accuracy", "Accuracy on longer texts.", True),
    )

    @dataclass(frozen=True)
    class Config:
        max_words: int = 5  # texts with at most this many words count as short
        max_examples: int = 5  # misclassified long texts kept for the report

        def __post_init__(self) -> None:
            if self.max_words < 1:
                raise AuditError(f"length-gap.max_words must be >= 1, got {self.max_words}.")

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        gold = align_labels(data.labels, model.labels, model_id=model.id)
        predicted = model.predict_proba(list(data.texts)).argmax(axis=1)  # through audit's prediction cache
        correct = predicted == gold
        short = np.array([len(t.split()) <= self.config.max_words for t in data.texts])

        def accuracy(mask: np.ndarray) -> float | None:
            return float(correct[mask].mean()) if mask.any() else None

        short_acc, long_acc = accuracy(short), accuracy(~short)
        gap = abs(short_acc - long_acc) if short_acc is not None and long_acc is not None else None
        examples = [{"id": data.ids[i], "text": data.texts[i], "label": data.labels[i],
                     "predicted": model.labels[int(predicted[i])]}
                    for i in np.flatnonzero(~short & ~correct)[: self.config.max_examples]]
        return ProbeResult(
            metrics={"accuracy_gap": Metric(gap, higher_is_better=False),
                     "short_accuracy": Metric(short_acc, higher_is_better=True),
                     "long_accuracy": Metric(long_acc, higher_is_better=True)},
            details={"short_texts": int(short.sum()), "long_texts": int((~short).sum())},
            examples=examples,
        )


class KeywordClassifier:
    """Positive (0.9) when a text holds one of ``words``, else negative (0.9)."""

    labels: ClassVar[list[str]] = ["negative", "positive"]

    def __init__(self, words: list[str]) -> None:
        self.words = set(words)
        self.fingerprint = "sha256:" + hashlib.sha256(",".join(sorted(self.words)).encode()).hexdigest()

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        hit = np.array([bool(self.words & set(t.lower().split())) for t in texts], dtype=np.float64)
        positive = 0.1 + 0.8 * hit
        return np.stack([1 - positive, positive], axis=1)


class KeywordAdapter(ModelAdapter):
    """Specs ``keyword:great,good``. It claims them before the built-in ``module:function`` reading."""

    kind = "keyword"
    prefix = "keyword:"

    def claims(self, spec: str) -> bool:
        return spec.startswith(self.prefix)

    def load(self, model_config, name: str, device: str) -> LoadedModel:
        words = [w.strip().lower() for w in model_config.spec[len(self.prefix):].split(",") if w.strip()]
        if not words:
            raise AuditError(f"Model spec '{model_config.spec}' names no words; write keyword:WORD,WORD.")
        return LoadedModel(id=name, source=model_config.spec, kind=self.kind, classifier=KeywordClassifier(words),
                           details={"words": words})


KEYWORD = KeywordAdapter()


def stutter(text: str, rng: np.random.Generator, severity: float) -> str:
    """Stutter: ``ceil(s * n_words)`` of the words get their first letter repeated (g-good)."""
    words = text.split(" ")
    k = min(len(words), math.ceil(severity * len(words)))
    for i in rng.choice(len(words), size=k, replace=False):
        if words[i]:
            words[i] = f"{words[i][0]}-{words[i]}"
    return " ".join(words)


STUTTER = Perturbation("stutter", "word", "words", stutter)


def char_delete(goal, kit):
    """Every single-character deletion in the words that matter most (greedy, by deletion of the word),
    stop words left alone: a deterministic cousin of DeepWordBug."""
    from audit.resources.textattack_env import import_textattack

    import_textattack()  # TextAttack's import-time needs met offline
    from textattack import Attack
    from textattack.constraints.pre_transformation import RepeatModification, StopwordModification
    from textattack.search_methods import GreedyWordSwapWIR
    from textattack.transformations import WordSwapRandomCharacterDeletion

    return Attack(goal, [RepeatModification(), StopwordModification()],
                  WordSwapRandomCharacterDeletion(random_one=False), GreedyWordSwapWIR())


CHAR_DELETE = RecipeInfo("char-delete", "", "No paper: a sample recipe of a plug-in", (("stopwords",),),
                         "audit_sample_plugin:char_delete")
