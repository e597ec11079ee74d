"""The Classifier interface every model adapter implements, and the optional abilities.

A classifier is anything with ``labels``, ``predict_proba(texts)`` and ``fingerprint``.
Probes never call a classifier directly: they go through :class:`audit.cache.CachedModel`,
so each unique text reaches a model once per audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from audit.core.errors import AuditError


@runtime_checkable
class Classifier(Protocol):
    """Texts in, one probability row per text out (rows sum to 1, columns follow ``labels``)."""

    labels: list[str]
    fingerprint: str

    def predict_proba(self, texts: list[str]) -> np.ndarray: ...


# The optional abilities below return one dict per text with ``tokens``, ``offsets`` (character
# span of each token; None when sub-words cannot be mapped back) and ``special`` (flags for
# [CLS]/[SEP]-like tokens), plus the arrays named in each docstring. Implementations batch.

@runtime_checkable
class HasAttention(Protocol):
    """Optional ability: per-layer attention maps, ``attentions`` (layers, heads, tokens, tokens)."""

    def attentions(self, texts: list[Any], batch_size: int | None = None) -> list[Any]: ...


@runtime_checkable
class HasAttentionRows(Protocol):
    """Optional ability: what attention explanations need, reduced per batch (no full maps kept):
    ``pooled_index`` (the token the classifier reads), ``last_layer_row`` (its last-layer attention,
    mean over heads) and ``rollout_row`` (its attention-rollout row), one value per token.
    Token-level abilities (this and the gradient ones) return per input ``tokens``, ``offsets``
    and ``special``; to explain (text, text_pair) tuples they also return ``sequence_ids`` (0 or 1
    per token: which text it comes from), or the explain probe skips them on pairs."""

    def attention_rows(self, texts: list[Any], batch_size: int | None = None) -> list[Any]: ...


@runtime_checkable
class HasTokenizer(Protocol):
    """Optional ability: the Hugging Face ``tokenizer`` the model reads its input with and the
    ``max_length`` in tokens it keeps (longer texts are truncated)."""

    tokenizer: Any
    max_length: int


@runtime_checkable
class HasTruncation(Protocol):
    """Optional ability: per text, None when the model sees all of it, else the character offset
    where the last token kept by truncation ends."""

    def visible_characters(self, texts: list[str]) -> list[int | None]: ...


@runtime_checkable
class HasInputGradients(Protocol):
    """Optional ability: ``gradients`` of a class score with respect to the input ``embeddings``
    (tokens, hidden); ``score`` picks the target's logit, proba or log_proba."""

    def input_gradients(self, texts: list[Any], target: list[int], score: str = "logit",
                        batch_size: int | None = None) -> list[Any]: ...


@runtime_checkable
class HasIntegratedGradients(Protocol):
    """Optional ability: integrated-gradients ``attributions`` per token, with the ``score`` of the
    input and ``baseline_score`` of the baseline (their difference is what the attributions sum to)."""

    def integrated_gradients(self, texts: list[Any], target: list[int], *, steps: int = 32,
                             score: str = "proba", rows_per_pass: int | None = None) -> list[Any]: ...


MIXED_INPUTS = ("Got {pairs} sentence pairs and {texts} single texts in one call; give a model either texts or "
                "(text, text_pair) tuples.")


def split_inputs(inputs: list[Any]) -> tuple[list[str], list[str] | None]:
    """(first texts, second texts or None): what a tokenizer takes for texts or for sentence pairs."""
    pairs = [x for x in inputs if isinstance(x, tuple)]
    if not pairs:
        return [str(x) for x in inputs], None
    if len(pairs) != len(inputs) or any(len(p) != 2 for p in pairs):
        raise AuditError(MIXED_INPUTS.format(pairs=len(pairs), texts=len(inputs) - len(pairs)))
    return [str(a) for a, _ in pairs], [str(b) for _, b in pairs]


@dataclass
class LoadedModel:
    """A classifier plus what the results file records about it."""

    id: str
    source: str
    kind: str  # the adapter's: "huggingface" | "sklearn" | "callable" | a plug-in's (audit/models/adapters.py)
    classifier: Classifier
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return list(self.classifier.labels)

    @property
    def fingerprint(self) -> str:
        return self.classifier.fingerprint

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "fingerprint": self.fingerprint,
            "labels": self.labels,
            "details": self.details,
        }


def check_probabilities(proba: Any, n_texts: int, n_labels: int, who: str) -> np.ndarray:
    """Validate a model's output shape and values; a wrong shape is the model author's error."""
    arr = np.asarray(proba, dtype=np.float64)
    if arr.shape != (n_texts, n_labels):
        raise AuditError(
            f"Model '{who}' returned probabilities of shape {arr.shape} for {n_texts} texts "
            f"and {n_labels} labels; it must return an array of shape ({n_texts}, {n_labels})."
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < -1e-6):
        raise AuditError(f"Model '{who}' returned NaN, infinite or negative probabilities; fix the model's output.")
    sums = arr.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3):
        raise AuditError(
            f"Model '{who}' returned probability rows that do not sum to 1 (e.g. {sums[0]:.4f}); "
            "return softmax probabilities, not logits."
        )
    return arr
