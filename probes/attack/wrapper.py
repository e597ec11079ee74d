"""TextAttack's view of an audit model, and a goal function with an optional time budget.

Imports textattack (its offline import-time needs met first), so only attack runs import it.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from audit.probes.attack.pairs import model_input
from audit.resources.textattack_env import import_textattack

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack.constraints import Constraint  # noqa: E402
from textattack.goal_functions import UntargetedClassification  # noqa: E402
from textattack.models.wrappers import ModelWrapper  # noqa: E402


class AuditModelWrapper(ModelWrapper):
    """Queries go to ``predict`` (the cross-example batcher in front of the prediction cache).

    Any model kind works (transformers, scikit-learn, callables): TextAttack only sees
    probabilities. Unlike ``HuggingFaceModelWrapper`` nothing is padded to 512 tokens here; the
    audit adapter sorts by length and pads each batch to its longest text. A sentence pair's
    candidates arrive as tuples of its two columns and go to the model as (text, text_pair).
    """

    def __init__(self, predict, model, gradients=None, tokens=None) -> None:
        self.predict = predict
        self.model = model  # TextAttack's compatibility check looks at the class of ``.model``
        # White-box recipes only, both through the batcher so that the model and its tokenizer are
        # only ever used from one thread: texts -> [{"tokens", "gradients"}] and texts -> [tokens].
        self.gradients = gradients
        self.tokens = tokens

    def __call__(self, text_input_list, **kwargs):
        return np.asarray(self.predict([model_input(t) for t in text_input_list]), dtype=np.float32)

    def get_grad(self, text_input):
        """Gradient of the predicted class's score with respect to each token's embedding."""
        if self.gradients is None:
            raise NotImplementedError("this model provides no input gradients")
        return {"ids": None, "gradient": np.asarray(self.gradients([str(text_input)])[0]["gradients"])}

    def _tokenize(self, inputs):
        if self.tokens is None:
            raise NotImplementedError("this model exposes no tokenizer")
        return [list(row) for row in self.tokens([str(x) for x in inputs])]


class TimeBudgetSpent(Exception):
    """Raised inside an example's search when its time budget is spent: the example is inconclusive."""


class BudgetedUntargeted(UntargetedClassification):
    """Untargeted classification with TextAttack's query budget and, when ``time_budget_s`` is
    set, a per-example deadline. The clock decides nothing without a time budget; with one, the
    first query asked after the deadline raises :class:`TimeBudgetSpent` instead of running, so
    the example ends neither a success nor a failure."""

    def __init__(self, model_wrapper, *, query_budget: int, time_budget_s: float | None) -> None:
        # No TextAttack-side cache (the audit cache holds every prediction) and no batching of
        # our own: one call per search step lets the batcher merge it with other examples' steps.
        with warnings.catch_warnings():  # its compatibility check warns (deprecated logger.warn) on any new class
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__(model_wrapper, use_cache=False, query_budget=query_budget, model_batch_size=1 << 30)
        self.time_budget_s = time_budget_s
        self.query_cap = query_budget
        self.deadline = float("inf")
        self.initial = None  # the clean example's result, kept for an inconclusive record

    def init_attack_example(self, attacked_text, ground_truth_output):
        self.deadline = float("inf")  # the clean query always runs
        self.initial, search_over = super().init_attack_example(attacked_text, ground_truth_output)
        if self.time_budget_s is not None:
            self.deadline = time.monotonic() + self.time_budget_s
        return self.initial, search_over

    def get_results(self, attacked_text_list, check_skip=False):
        if self.time_budget_s is not None and attacked_text_list and time.monotonic() > self.deadline:
            raise TimeBudgetSpent()
        return super().get_results(attacked_text_list, check_skip=check_skip)


class NonEmptyText(Constraint):
    """Reject candidates that perturbation left empty (either side, for a sentence pair): they are not
    text, and some models fail on them."""

    def __init__(self) -> None:
        super().__init__(compare_against_original=False)

    def _check_constraint(self, transformed_text, reference_text):
        parts = model_input(transformed_text.tokenizer_input)
        return all(part.strip() for part in ((parts,) if isinstance(parts, str) else parts))
