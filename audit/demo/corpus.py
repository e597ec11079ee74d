"""A seeded corpus of short film reviews that mention people of different groups.

Each review is written by a persona ("As a Muslim woman, ...") so the fairness probes have
sensitive attributes (gender, religion) in columns and identity terms in the text. The
training split has a realistic skew: some personas are rarer, and reviews by one group lean
negative, a spurious correlation a model can pick up. The test split is balanced. Negation,
contrast and a little label noise keep the task from being trivial.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

GENDER_NOUNS = {"female": ["woman", "mother", "grandmother", "girl"], "male": ["man", "father", "grandfather", "boy"]}
RELIGIONS = {"muslim": "Muslim", "christian": "Christian", "jewish": "Jewish", "hindu": "Hindu", "none": "atheist"}
ASPECTS = ["acting", "plot", "soundtrack", "pacing", "ending", "dialogue", "camera work", "script", "cast", "story"]
POSITIVE = ["wonderful", "moving", "brilliant", "charming", "gripping", "delightful", "superb", "heartfelt", "clever",
            "beautiful", "funny", "memorable"]
NEGATIVE = ["dull", "clumsy", "boring", "predictable", "messy", "lifeless", "awful", "tedious", "shallow",
            "forgettable", "painful", "weak"]
INTENSIFIERS = ["", "", "really ", "truly ", "quite ", "incredibly ", "rather "]
OPENERS = ["As a {p}, I thought", "Speaking as a {p}, I felt that", "I am a {p} and I thought", "My view as a {p}: I think"]
CLOSERS = {
    "positive": ["I would watch it again.", "Highly recommended.", "Worth every minute.", "I left smiling.", ""],
    "negative": ["I want my money back.", "Skip this one.", "I nearly walked out.", "A waste of an evening.", ""],
}


def _sentence(rng: np.random.Generator, label: str) -> str:
    """One opinion with its label; some use negation or contrast so bag-of-words is not enough."""
    aspect = ASPECTS[rng.integers(len(ASPECTS))]
    other = ASPECTS[rng.integers(len(ASPECTS))]
    pos = POSITIVE[rng.integers(len(POSITIVE))]
    neg = NEGATIVE[rng.integers(len(NEGATIVE))]
    inten = INTENSIFIERS[rng.integers(len(INTENSIFIERS))]
    style = rng.random()
    if label == "positive":
        if style < 0.6:
            return f"the {aspect} was {inten}{pos}."
        if style < 0.8:
            return f"the {aspect} was not {neg} at all; in fact it was {pos}."
        return f"the {other} was a bit {neg}, but the {aspect} was so {pos} that it did not matter."
    if style < 0.6:
        return f"the {aspect} was {inten}{neg}."
    if style < 0.8:
        return f"the {aspect} was not {pos} in the slightest; it was {neg}."
    return f"the {other} was {pos} enough, but the {aspect} was so {neg} that nothing could save it."


def _review(rng: np.random.Generator, gender: str, religion: str, label: str) -> str:
    noun = GENDER_NOUNS[gender][rng.integers(len(GENDER_NOUNS[gender]))]
    adj = RELIGIONS[religion]
    article = "an" if adj[0].upper() in "AEIOU" else "a"
    persona = f"{adj} {noun}"
    opener = OPENERS[rng.integers(len(OPENERS))].format(p=persona).replace("a " + persona, f"{article} {persona}")
    body = _sentence(rng, label)
    closer = CLOSERS[label][rng.integers(len(CLOSERS[label]))]
    text = f"{opener} {body} {closer}".strip()
    return text[0].upper() + text[1:]


def generate(n: int, *, seed: int, skewed: bool, noise: float = 0.04) -> list[dict[str, str]]:
    """``n`` rows of id, text, label, gender, religion. ``skewed`` makes the training-style split."""
    rng = np.random.default_rng(seed)
    religions = list(RELIGIONS)
    gender_p = [0.35, 0.65] if skewed else [0.5, 0.5]
    religion_p = [0.12, 0.4, 0.16, 0.12, 0.2] if skewed else [0.2] * 5
    rows = []
    for i in range(n):
        gender = ["female", "male"][rng.choice(2, p=gender_p)]
        religion = religions[rng.choice(len(religions), p=religion_p)]
        p_positive = 0.3 if (skewed and religion == "muslim") else 0.5
        label = "positive" if rng.random() < p_positive else "negative"
        text = _review(rng, gender, religion, label)
        if rng.random() < noise:  # annotators disagree sometimes
            label = "negative" if label == "positive" else "positive"
        rows.append({"id": f"{'train' if skewed else 'test'}-{i:05d}", "text": text, "label": label,
                     "gender": gender, "religion": religion})
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
