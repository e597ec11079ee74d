"""Before any attack: which recipes have their resources, and which examples can be attacked.

Resources are checked up front so a recipe whose resource is missing fails at once with one
line naming the resource and how to provide it, while the other recipes still run. Examples
that are empty, or longer than a transformer's max length (it would only see a prefix, so
perturbing the rest cannot matter and "words perturbed" would mislead), are skipped and counted;
a sentence pair is empty when either side is, and too long when the two together are.
"""

from __future__ import annotations

from typing import Any

from audit.cache import CachedModel
from audit.models.base import HasInputGradients, HasTokenizer, split_inputs
from audit.resources import catalog
from audit.resources.vectors import choose
from audit.probes.attack.config import Plan
from audit.probes.attack.pairs import unavailable_on_pairs


def resolve_resources(plans: list[Plan], overrides: dict | None, model: Any = None,
                      pairs: bool = False) -> tuple[list[tuple[Plan, dict[str, str]]], dict[str, str]]:
    """(plans ready to run with their resource paths, {recipe: why it cannot run}); ``pairs``: the
    data are sentence pairs, which only some recipes handle."""
    ready, unavailable = [], {}
    for plan in plans:
        reason = unavailable_on_pairs(plan.recipe.name) if pairs else None
        if reason:
            unavailable[plan.recipe.name] = reason
            continue
        if plan.recipe.white_box and model is not None and not has_gradients(model):
            unavailable[plan.recipe.name] = (
                f"Attack recipe '{plan.recipe.name}' ranks words by input gradients, which model '{model.id}' does not "
                "provide (only Hugging Face models do); run it on a transformer, or pick a black-box recipe.")
            continue
        try:
            ready.append((plan, _paths_for(plan, overrides)))
        except catalog.MissingResource as exc:
            unavailable[plan.recipe.name] = str(exc)
    return ready, unavailable


def _paths_for(plan: Plan, overrides: dict | None) -> dict[str, str]:
    """Every present resource of each group (the first of a group with none present is reported), and
    ``word_vectors``: a note on the word vectors the recipe's swaps use, when it uses any."""
    who = f"Attack recipe '{plan.recipe.name}'"
    paths: dict[str, str] = {}
    for group in plan.recipe.needs:
        present = [n for n in group if catalog.locate(n, overrides).present]
        if not present:
            try:
                catalog.require(group[0], overrides, needed_by=who)
            except catalog.MissingResource as exc:
                alternatives = ", ".join(group[1:])
                raise catalog.MissingResource(f"{exc} Or provide {alternatives} instead." if alternatives else str(exc)) from exc
        for name in present:
            paths[name] = catalog.require(name, overrides, needed_by=who)
    _, note = choose(paths)
    if note:  # which word vectors the swaps use, in the details: never plain GloVe without saying so
        paths["word_vectors"] = note
    return paths


def has_gradients(model: CachedModel) -> bool:
    return isinstance(model.classifier, HasInputGradients) and isinstance(model.classifier, HasTokenizer)


def skip_reasons(model: CachedModel, inputs: list) -> list[str | None]:
    """Per text (or (text, text_pair) tuple): "empty", "too_long" (more tokens than a transformer's
    max length) or None."""
    first, second = split_inputs(inputs)
    reasons: list[str | None] = ["empty" if not t.strip() or (second is not None and not second[i].strip()) else None
                                 for i, t in enumerate(first)]
    if not isinstance(model.classifier, HasTokenizer) or not model.classifier.max_length:
        return reasons
    tokenizer, limit = model.classifier.tokenizer, model.classifier.max_length
    todo = [i for i, r in enumerate(reasons) if r is None]
    if todo:
        import transformers

        verbosity = transformers.logging.get_verbosity()
        transformers.logging.set_verbosity_error()  # "sequence longer than the maximum" is the point here
        try:
            enc = tokenizer([first[i] for i in todo], None if second is None else [second[i] for i in todo],
                            truncation=False, padding=False, return_attention_mask=False)
        finally:
            transformers.logging.set_verbosity(verbosity)
        for i, ids in zip(todo, enc["input_ids"]):
            if len(ids) > limit:
                reasons[i] = "too_long"
    return reasons
