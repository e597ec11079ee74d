"""Explanation abilities of :class:`audit.models.huggingface.HFClassifier`: attention maps,
input gradients and integrated gradients, batched like ``predict_proba``.

Texts are sorted by length and padded per batch with the attention mask applied (padded keys get
zero attention weight, so each row equals the text run on its own). Gradients run in fp32 without
autocast. Each method returns, per text, its ``tokens``, ``offsets`` (character span of each
token in the text; None with a slow tokenizer) and ``special`` (True for [CLS]/[SEP]-like
tokens) besides its own arrays, trimmed of padding.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import torch
import transformers

from audit.errors import AuditError


class HFExplanations:
    """Mixin for HFClassifier (uses its model, tokenizer, max_length, batch_size and device)."""

    def _explain_encode(self, texts: list[str]) -> Any:
        fast = bool(getattr(self.tokenizer, "is_fast", False))
        return self.tokenizer(list(texts), truncation=True, max_length=self.max_length, padding=False,
                              return_attention_mask=False, return_special_tokens_mask=True,
                              return_offsets_mapping=fast)

    def _explain_batches(self, enc: Any, rows: int):
        """(indices, padded batch, real-token slices) for batches of at most ``rows`` texts, longest first."""
        from audit.models.huggingface import collate, pad_values_for  # loaded already: it imports this module

        pads = pad_values_for(self.tokenizer, enc)
        order = np.argsort([-len(x) for x in enc["input_ids"]], kind="stable")
        for start in range(0, len(order), max(1, rows)):
            idx = order[start : start + max(1, rows)]
            batch = collate(enc, idx, pads, self.tokenizer.padding_side, self.device)
            width = batch["input_ids"].shape[1]
            left = self.tokenizer.padding_side == "left"
            spans = [slice(width - len(enc["input_ids"][i]), width) if left else slice(0, len(enc["input_ids"][i])) for i in idx]
            yield idx, batch, spans

    def _token_info(self, enc: Any, i: int) -> dict[str, Any]:
        offsets = enc["offset_mapping"][i] if "offset_mapping" in enc else None
        return {"tokens": self.tokenizer.convert_ids_to_tokens(enc["input_ids"][i]),
                "offsets": [tuple(o) for o in offsets] if offsets is not None else None,
                "special": [bool(m) for m in enc["special_tokens_mask"][i]]}

    @staticmethod
    def _target_score(logits: torch.Tensor, target: torch.Tensor, score: str) -> torch.Tensor:
        """Per row, the explained output: the target's ``logit``, ``proba`` or ``log_proba``."""
        if score not in ("logit", "proba", "log_proba"):
            raise AuditError(f"Unknown score '{score}' to explain; use logit, proba or log_proba.")
        out = logits.float()
        out = torch.softmax(out, -1) if score == "proba" else torch.log_softmax(out, -1) if score == "log_proba" else out
        return out.gather(1, target[:, None])[:, 0]

    def attentions(self, texts: list[str], batch_size: int | None = None) -> list[dict[str, Any]]:
        """Per text: tokens and attention maps, float32 (layers, heads, tokens, tokens), batched."""
        texts = list(texts)
        results: list[dict[str, Any]] = [{} for _ in texts]
        if not texts:
            return results
        enc = self._explain_encode(texts)
        cfg = self.model.config
        longest = max(len(x) for x in enc["input_ids"])
        per_text = int(getattr(cfg, "num_hidden_layers", 12)) * int(getattr(cfg, "num_attention_heads", 12)) * longest**2
        rows = min(batch_size or self.batch_size, max(1, 50_000_000 // per_text))  # maps of one batch stay under ~200 MB
        verbosity = transformers.logging.get_verbosity()
        previous = getattr(cfg, "_attn_implementation", None)
        transformers.logging.set_verbosity_error()  # sdpa -> eager fallback notices
        try:
            with contextlib.suppress(Exception):  # functional attention (transformers 5): switch to eager
                self.model.set_attn_implementation("eager")
            with torch.inference_mode():
                for idx, batch, spans in self._explain_batches(enc, rows):
                    maps = self.model(**batch, output_attentions=True).attentions
                    if not maps or any(m is None for m in maps):
                        raise AuditError("This model's attention implementation returns no attention maps, so attention-based probes do not apply to it.")
                    stacked = torch.stack(maps, 1).float().cpu().numpy()  # (batch, layers, heads, L, L)
                    for row, (i, sl) in enumerate(zip(idx, spans)):
                        results[i] = {**self._token_info(enc, i), "attentions": np.ascontiguousarray(stacked[row][:, :, sl, sl])}
        finally:
            if previous is not None and getattr(cfg, "_attn_implementation", None) != previous:
                with contextlib.suppress(Exception):
                    self.model.set_attn_implementation(previous)
            transformers.logging.set_verbosity(verbosity)
        return results

    def _check_targets(self, texts: list[str], target: list[int]) -> torch.Tensor:
        if len(target) != len(texts):
            raise AuditError(f"Got {len(texts)} texts but {len(target)} targets; pass one target class per text.")
        return torch.tensor([int(t) for t in target], dtype=torch.long, device=self.device)

    def input_gradients(self, texts: list[str], target: list[int], score: str = "logit",
                        batch_size: int | None = None) -> list[dict[str, Any]]:
        """Per text: tokens, input embeddings and d(score of target) / d(embeddings), each (tokens, hidden),
        float64; ``score`` is the target's logit (default), proba or log_proba. Batched."""
        texts = list(texts)
        targets = self._check_targets(texts, target)
        results: list[dict[str, Any]] = [{} for _ in texts]
        if not texts:
            return results
        enc = self._explain_encode(texts)
        embed = self.model.get_input_embeddings()
        for idx, batch, spans in self._explain_batches(enc, batch_size or self.batch_size):
            ids = batch.pop("input_ids")
            with torch.enable_grad():
                emb = embed(ids).detach().float().requires_grad_(True)
                values = self._target_score(self.model(inputs_embeds=emb, **batch).logits, targets[idx], score)
                (grad,) = torch.autograd.grad(values.sum(), emb)  # rows are independent: one backward for all
            emb, grad = emb.detach().double().cpu().numpy(), grad.double().cpu().numpy()
            values = values.detach().double().cpu().numpy()
            for row, (i, sl) in enumerate(zip(idx, spans)):
                results[i] = {**self._token_info(enc, i), "embeddings": emb[row, sl], "gradients": grad[row, sl],
                              "score": float(values[row])}
        return results

    def integrated_gradients(self, texts: list[str], target: list[int], *, steps: int = 32, score: str = "proba",
                             rows_per_pass: int | None = None) -> list[dict[str, Any]]:
        """Integrated gradients (Sundararajan et al. 2017) of the target's ``score`` per token, batched.

        Path: from a baseline where every non-special token's embedding is the [PAD] embedding
        (special tokens kept: "an empty text of the same length") straight to the input, in the
        word-embedding space. The path integral uses the trapezoid rule on ``steps`` equal
        intervals (steps + 1 gradient evaluations), so completeness holds up to O(1/steps^2):
        sum(attributions) ~= score(x) - score(baseline), both returned per text.
        Interpolated rows of several texts share one forward/backward pass of up to
        ``rows_per_pass`` rows (default: max(batch_size, steps + 1)).
        """
        if steps < 1:
            raise AuditError(f"Integrated gradients needs at least 1 step, got {steps}.")
        texts = list(texts)
        targets = self._check_targets(texts, target)
        results: list[dict[str, Any]] = [{} for _ in texts]
        if not texts:
            return results
        n_points = steps + 1
        alphas = torch.linspace(0, 1, n_points, device=self.device)
        weights = torch.full((n_points,), 1.0 / steps, device=self.device)
        weights[0] = weights[-1] = 0.5 / steps
        cap = max(rows_per_pass or max(self.batch_size, n_points), n_points)
        enc = self._explain_encode(texts)
        embed = self.model.get_input_embeddings()
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        for idx, batch, spans in self._explain_batches(enc, cap // n_points):
            ids = batch.pop("input_ids")
            keep = torch.ones_like(ids, dtype=torch.bool)  # padding and special tokens keep their ids
            for row, (i, sl) in enumerate(zip(idx, spans)):
                keep[row, sl] = torch.tensor(enc["special_tokens_mask"][i], dtype=torch.bool, device=self.device)
            with torch.no_grad():
                x = embed(ids).float()
                base = embed(torch.where(keep, ids, torch.full_like(ids, pad_id))).float()
            g = len(idx)
            path = (base[:, None] + alphas[None, :, None, None] * (x - base)[:, None]).reshape(g * n_points, *x.shape[1:])
            extra = {k: v.repeat_interleave(n_points, dim=0) for k, v in batch.items()}
            with torch.enable_grad():
                path.requires_grad_(True)
                values = self._target_score(self.model(inputs_embeds=path, **extra).logits,
                                            targets[idx].repeat_interleave(n_points), score)
                (grad,) = torch.autograd.grad(values.sum(), path)
            mean_grad = (grad.reshape(g, n_points, *x.shape[1:]) * weights[None, :, None, None]).sum(1)
            attr = ((x - base) * mean_grad).sum(-1).double().cpu().numpy()
            values = values.detach().reshape(g, n_points).double().cpu().numpy()
            for row, (i, sl) in enumerate(zip(idx, spans)):
                results[i] = {**self._token_info(enc, i), "attributions": attr[row, sl],
                              "score": float(values[row, -1]), "baseline_score": float(values[row, 0])}
        return results
