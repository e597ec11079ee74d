"""Attention maps and rows of a Hugging Face classifier (the ``HasAttention`` and
``HasAttentionRows`` abilities), from one eager forward pass per batch.

Used as a base of :class:`audit.models.hf_explain.HFExplanations`, whose encoding and batching
(``_explain_encode``, ``_explain_batches``, ``_token_info``, ``pooled_index``) it relies on.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import torch
import transformers

from audit.core.errors import AuditError


class ExplanationUnavailable(AuditError):
    """This model cannot give an explanation method's input (attention maps, input gradients); the
    explain probe records the method as skipped with this message as the reason."""

    unavailable = True


class HFAttention:
    """Attention methods of the HFClassifier mixin. What they use of the classifier and of
    :class:`~audit.models.hf_explain.HFExplanations` is declared here, so the contract is visible."""

    model: Any
    batch_size: int

    def _explain_encode(self, texts: list[Any]) -> Any:
        raise NotImplementedError

    def _explain_batches(self, enc: Any, rows: int, *, same_length: bool = False,
                         keep: list[int] | None = None) -> Any:
        raise NotImplementedError

    def _token_info(self, enc: Any, i: int) -> dict[str, Any]:
        raise NotImplementedError

    def pooled_index(self, n_tokens: int, ids: Any = None) -> int:
        raise NotImplementedError

    @contextlib.contextmanager
    def _eager_attention(self):
        """Switch to eager attention (sdpa/flash return no maps) and back; quiet the fallback notices."""
        cfg = self.model.config
        verbosity = transformers.logging.get_verbosity()
        previous = getattr(cfg, "_attn_implementation", None)
        transformers.logging.set_verbosity_error()
        try:
            with contextlib.suppress(Exception):  # functional attention (transformers 5): switch to eager
                self.model.set_attn_implementation("eager")
            yield
        finally:
            if previous is not None and getattr(cfg, "_attn_implementation", None) != previous:
                with contextlib.suppress(Exception):
                    self.model.set_attn_implementation(previous)
            transformers.logging.set_verbosity(verbosity)

    def _attention_passes(self, texts: list[Any], batch_size: int | None):
        """(encoding, indices, spans, maps tuple) per batch, maps from one eager forward pass; batches are
        sized so that one batch's maps (layers x heads x L x L per text) stay around 200 MB."""
        cfg = self.model.config
        per_layer_heads = int(getattr(cfg, "num_hidden_layers", 12)) * int(getattr(cfg, "num_attention_heads", 12))
        enc = self._explain_encode(texts)
        longest = max(len(x) for x in enc["input_ids"])
        rows = min(batch_size or self.batch_size, max(1, 50_000_000 // (per_layer_heads * longest**2)))  # ~200 MB
        with self._eager_attention(), torch.inference_mode():
            for idx, batch, spans in self._explain_batches(enc, rows):
                maps = getattr(self.model(**batch, output_attentions=True), "attentions", None)
                if not maps or any(m is None for m in maps):
                    raise ExplanationUnavailable("This model's attention implementation returns no attention maps (an "
                                                 "encoder-decoder's outputs have none), so attention-based probes do not apply to it.")
                yield enc, idx, spans, maps

    def attentions(self, texts: list[Any], batch_size: int | None = None) -> list[dict[str, Any]]:
        """Per text: tokens and full attention maps, float32 (layers, heads, tokens, tokens), batched.
        Memory grows with every text's maps: the explain probe uses :meth:`attention_rows`."""
        texts = list(texts)
        results: list[dict[str, Any]] = [{} for _ in texts]
        if not texts:
            return results
        for enc, idx, spans, maps in self._attention_passes(texts, batch_size):
            stacked = torch.stack(maps, 1).float().cpu().numpy()  # (batch, layers, heads, L, L)
            for row, (i, sl) in enumerate(zip(idx, spans)):
                results[i] = {**self._token_info(enc, i), "attentions": np.ascontiguousarray(stacked[row][:, :, sl, sl])}
        return results

    def attention_rows(self, texts: list[Any], batch_size: int | None = None) -> list[dict[str, Any]]:
        """Per text: tokens, ``pooled_index`` (the token the classifier reads), ``last_layer_row`` (its
        last-layer attention, mean over heads) and ``rollout_row`` (its row of attention rollout,
        Abnar and Zuidema 2020: per layer 0.5 * mean-head attention + 0.5 * I, layers multiplied from
        the first up), float64. Reduced inside the batch loop: no text's full maps are kept."""
        texts = list(texts)
        results: list[dict[str, Any]] = [{} for _ in texts]
        if not texts:
            return results
        for enc, idx, spans, maps in self._attention_passes(texts, batch_size):
            mean = torch.stack([m.mean(1) for m in maps], 1).double()  # (batch, layers, L, L)
            for row, (i, sl) in enumerate(zip(idx, spans)):
                layers = mean[row][:, sl, sl]
                n = layers.shape[-1]
                p = self.pooled_index(n, enc["input_ids"][i])
                eye = torch.eye(n, dtype=layers.dtype, device=layers.device)
                r = eye[p]
                for a in reversed(layers):  # e_p^T A_L ... A_1, vector-matrix products only
                    a = a + eye
                    r = r @ (a / a.sum(-1, keepdim=True))
                results[i] = {**self._token_info(enc, i), "pooled_index": p,
                              "last_layer_row": layers[-1][p].cpu().numpy(), "rollout_row": r.cpu().numpy()}
        return results
