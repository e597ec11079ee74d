"""Sentence pairs in the attack: which recipes run on them, how a pair reaches TextAttack and back.

A pair is attacked the way TextAttack attacks multi-input examples: an ``AttackedText`` of two
columns (``text``, ``text_pair``) whose words are numbered across both sides. The side that must
stay as it is gets TextAttack's ``InputColumnModification`` pre-transformation constraint (as in
TextFooler's inference setup), so the search never ranks, queries with or changes its words: it is
a constraint on the search, not a filter on its results. The model gets every candidate back as a
(text, text_pair) tuple. TextAttack is imported only by :func:`hold_fixed`, at attack time.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

COLUMNS = ["text", "text_pair"]  # the AttackedText's column labels, named as in the records
FIXED = {"first": {"text_pair"}, "second": {"text"}, "both": set()}  # perturb -> columns held fixed
# Built-in recipes checked on pairs (tests/probes/test_attack_pairs.py): word swaps, character
# edits and masked-LM candidates all go through the transformation's indices, which the constraint
# limits; their sentence-similarity constraints compare both sides joined, as TextAttack does.
PAIR_RECIPES = ("deepwordbug", "pruthi", "pwws", "textfooler", "textbugger", "bae", "bert-attack")
NOT_ON_PAIRS = {
    "a2t": "ranks words by input gradients, which the Hugging Face adapter computes for single texts only",
}


def unavailable_on_pairs(recipe: str) -> str | None:
    """Why ``recipe`` is not run on sentence pairs, or None when it is."""
    if recipe in PAIR_RECIPES:
        return None
    why = NOT_ON_PAIRS.get(recipe, "it is not one of the recipes checked on sentence pairs")
    return (f"Attack recipe '{recipe}' is not run on sentence pairs: {why}. Use one of {', '.join(PAIR_RECIPES)} "
            "on pairs, or run it on single texts.")


def example_input(text: str, text_pair: str | None) -> str | OrderedDict:
    """What ``Attack.attack`` takes: the text, or the pair as two named columns."""
    return text if text_pair is None else OrderedDict(zip(COLUMNS, (text, text_pair)))


def model_input(tokenizer_input: Any) -> str | tuple[str, str]:
    """An AttackedText's ``tokenizer_input`` (a string, or a tuple of its columns) as a model input."""
    if isinstance(tokenizer_input, (tuple, list)):
        first, second = tokenizer_input
        return str(first), str(second)
    return str(tokenizer_input)


def sides(attacked_text) -> tuple[str, str | None]:
    """(first text, second text or None) of an AttackedText."""
    got = model_input(attacked_text.tokenizer_input)
    return got if isinstance(got, tuple) else (got, None)


def attackable_words(attacked_text, perturb: str | None) -> int:
    """Words the attack may change: all of a single text's, those of the perturbed side(s) of a pair."""
    if perturb is None or attacked_text.column_labels != COLUMNS:
        return len(attacked_text.words)
    return sum(len(words) for column, words in zip(COLUMNS, attacked_text.words_per_input)
               if column not in FIXED[perturb])


def hold_fixed(attack, perturb: str) -> None:
    """Add the constraint that keeps the side(s) not named by ``perturb`` unchanged to ``attack``."""
    if not FIXED[perturb]:
        return
    from textattack.constraints.pre_transformation import InputColumnModification

    attack.pre_transformation_constraints.append(InputColumnModification(list(COLUMNS), set(FIXED[perturb])))
