"""Which texts get explained: a seeded random sample, misclassified ones, and adversarial ones.

The random sample (and the global view's sample) depend only on the run seed and the probe
name, never on the model, so a report can show the same example across models side by side.
Misclassified examples are the model's most confident errors outside the random sample (no
text is explained twice). Attacked examples are the successful adversarial texts the `attack`
probe recorded for this model (its ``details.successes``, not the examples it displays), when it
ran before this probe; without it there are none.
Texts without a single word are never picked (nothing to attribute); a sentence pair is picked
when either of its texts has one, and an attacked pair needs the attack's ``adversarial_pair``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from audit.core.document import WITH_VALUES
from audit.core.seeding import rng_for


@dataclass
class Item:
    id: str
    text: str  # the text explained (the adversarial one for an attacked example)
    label: int  # gold label, as an index into the model's labels
    why: str  # misclassified | attacked | random
    original: str | None = None  # the clean text of an attacked example
    recipe: str | None = None
    text_pair: str | None = None  # the second text of a sentence pair (adversarial when attacked)
    original_pair: str | None = None  # the clean second text of an attacked pair

    @property
    def input(self) -> str | tuple[str, str]:
        """What the model is given: the text, or the (text, text_pair) tuple."""
        return self.text if self.text_pair is None else (self.text, self.text_pair)


def has_words(data, i: int) -> bool:
    """Whether example ``i`` has a word to attribute (in either text of a pair)."""
    return bool(data.texts[i].split()) or bool(data.text_pairs is not None and data.text_pairs[i].split())


def _item(data, i: int, label: int, why: str) -> Item:
    pair = data.text_pairs[i] if data.text_pairs is not None else None
    return Item(data.ids[i], data.texts[i], label, why, text_pair=pair)


def seeded_sample(data, seed: int, purpose: str, n: int) -> list[int]:
    """Up to ``n`` indices of non-empty texts, in a seeded order depending only on (seed, purpose)."""
    if n <= 0:
        return []
    order = rng_for(seed, "explain", purpose).permutation(len(data))
    return [int(i) for i in order if has_words(data, int(i))][:n]


def attack_successes(results: Mapping[str, Any] | None, model_id: str) -> list[Mapping]:
    """The attack probe's successful adversarial examples for ``model_id`` (its ``details.successes``:
    recipe, id, label, text, adversarial), in the results so far; [] when it did not run."""
    for probe in (results or {}).get("probes") or []:
        if isinstance(probe, Mapping) and probe.get("name") == "attack":
            res = (probe.get("results") or {}).get(model_id) or {}
            if res.get("status") in WITH_VALUES:
                return [e for e in (res.get("details") or {}).get("successes") or [] if isinstance(e, Mapping)]
    return []


def select(data, gold: np.ndarray, proba: np.ndarray, labels: list[str], cfg, seed: int,
           results: Mapping[str, Any] | None, model_id: str) -> list[Item]:
    """The examples to explain for one model: random first, then misclassified, then attacked."""
    chosen = seeded_sample(data, seed, "random", cfg.random)
    items = [_item(data, i, int(gold[i]), "random") for i in chosen]
    taken = set(chosen)
    predicted, confidence = proba.argmax(axis=1), proba.max(axis=1)
    wrong = [int(i) for i in np.flatnonzero(predicted != gold) if int(i) not in taken and has_words(data, int(i))]
    wrong.sort(key=lambda i: (-confidence[i], i))
    items += [_item(data, i, int(gold[i]), "misclassified") for i in wrong[: cfg.misclassified]]
    attacked: list[Item] = []
    for record in attack_successes(results, model_id):
        text, label = record.get("adversarial"), record.get("label")
        pair = record.get("adversarial_pair") if data.is_pair else None
        if data.is_pair and not isinstance(pair, str):
            continue  # a pair attacked without its second text (or single-text records): nothing to explain
        words = (text.split() if isinstance(text, str) else []) + (pair.split() if isinstance(pair, str) else [])
        if isinstance(text, str) and words and label in labels and len(attacked) < cfg.attacked:
            attacked.append(Item(str(record.get("id")), text, labels.index(label), "attacked",
                                 original=record.get("text"), recipe=record.get("recipe"), text_pair=pair,
                                 original_pair=record.get("text_pair") if pair is not None else None))
    return items + attacked
