"""Explanation abilities of :class:`audit.models.huggingface.HFClassifier`: attention rows and
maps, input gradients and integrated gradients, batched like ``predict_proba``.

Texts are sorted by length and padded per batch with the attention mask applied (padded keys get
zero attention weight) and, with left padding, each row's own position ids (see
:func:`audit.models.huggingface.collate`; without them a left-padded GPT-2 row differs from the
text run on its own), so each row equals the text run on its own. Gradient passes feed
``inputs_embeds``, from which a last-token (decoder) classifier cannot find its pad tokens, so
for those only texts of equal length share a batch, and each text is cut after the token the
classifier reads (the last one whose id is not the pad id, as transformers picks it: when the pad
token is the EOS the tokenizer appends, the token before it), so the last position is that token;
the cut tokens, which a causal model's pooled token cannot see, get zero gradient.
Gradients run in fp32 without autocast. Models whose outputs have no ``attentions`` or that take
no ``inputs_embeds`` (BART, T5) raise :class:`ExplanationUnavailable` for those methods.
Every method takes texts or (text, text_pair) tuples, encoded as ``predict_proba`` encodes them
(``tokenizer(a, b)``, same truncation), and returns per input its ``tokens``, ``offsets``
(character span of each token in its own text; None with a slow tokenizer), ``special`` (True
for [CLS]/[SEP]/BOS-like tokens) and, with a fast tokenizer, ``sequence_ids`` (which text of a
pair each token comes from) besides its own arrays, trimmed of padding.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import torch

from audit.core.errors import AuditError
from audit.models.base import split_inputs
from audit.models.hf_attention import ExplanationUnavailable, HFAttention
from audit.models.hf_batching import collate, pad_values_for


class HFExplanations(HFAttention):
    """Mixin for HFClassifier (uses its model, tokenizer, max_length, batch_size and device): the
    shared encoding and batching, input gradients and integrated gradients; attention maps come
    from :class:`audit.models.hf_attention.HFAttention`."""

    def _pools_last_token(self) -> bool:
        """Whether the classification head reads the last real token (decoder classifiers: GPT-2, OPT,
        Llama, Mistral have a ``score`` head; XLNet's summary is "last") rather than the first ([CLS])."""
        return hasattr(self.model, "score") or getattr(self.model.config, "summary_type", None) == "last"

    def _pad_pooling_id(self) -> int | None:
        """The pad id a ``score``-head decoder classifier skips to find its token, or None.

        transformers' *ForSequenceClassification with a ``score`` head (GPT-2, GPT-Neo, OPT, Llama,
        ...; 4.57: ``last_non_pad_token``) reads on ``input_ids`` the rightmost token whose id is not
        ``config.pad_token_id`` (index 0 when all are); fed ``inputs_embeds``, it reads the last position.
        XLNet's "last" summary reads the last position whatever its id.
        """
        if not hasattr(self.model, "score"):
            return None
        pad = getattr(self.model.config, "pad_token_id", None)
        return None if pad is None else int(pad)

    def pooled_index(self, n_tokens: int, ids: Any = None) -> int:
        """Index of the token the classifier reads in a text of ``n_tokens`` tokens (unpadded);
        ``ids`` (its token ids) lets a decoder whose pad id is its EOS skip a trailing EOS, as
        transformers does on ``input_ids``."""
        if not self._pools_last_token():
            return 0
        pad = self._pad_pooling_id()
        if ids is None or pad is None:
            return n_tokens - 1
        real = [j for j, t in enumerate(list(ids)[:n_tokens]) if int(t) != pad]
        return real[-1] if real else 0

    def _gradient_lengths(self, enc: Any) -> list[int] | None:
        """Per text, how many leading tokens the gradient passes feed: up to the pooled token for
        last-token classifiers (fed ``inputs_embeds``, they read the last position), else all (None)."""
        if not self._pools_last_token():
            return None
        return [self.pooled_index(len(ids), ids) + 1 for ids in enc["input_ids"]]

    def _check_embeds(self) -> None:
        try:
            takes = "inputs_embeds" in inspect.signature(self.model.forward).parameters
        except (TypeError, ValueError):
            takes = True
        if not takes:
            raise ExplanationUnavailable(f"{type(self.model).__name__} takes no input embeddings, so gradient-based explanations do not apply to it.")

    def _embeds_forward(self, embeds: torch.Tensor, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits of the model fed ``inputs_embeds``; a model that refuses them (BART, T5
        sequence classifiers raise NotImplementedError) is an :class:`ExplanationUnavailable`."""
        try:
            return self.model(inputs_embeds=embeds, **batch).logits
        except NotImplementedError as exc:
            raise ExplanationUnavailable(f"{type(self.model).__name__} does not accept input embeddings ({exc}), "
                                         "so gradient-based explanations do not apply to it.") from None

    def _explain_encode(self, texts: list[Any]) -> Any:
        """Tokens of each text, or of each (text, text_pair) as ``tokenizer(a, b)`` encodes it for
        ``predict_proba`` (same truncation), with special-token masks and, when fast, offsets."""
        fast = bool(getattr(self.tokenizer, "is_fast", False))
        first, second = split_inputs(list(texts))
        return self.tokenizer(first, second, truncation=True, max_length=self.max_length, padding=False,
                              return_attention_mask=False, return_special_tokens_mask=True,
                              return_offsets_mapping=fast)

    def _explain_batches(self, enc: Any, rows: int, *, same_length: bool = False, keep: list[int] | None = None):
        """(indices, padded batch, real-token slices) for batches of at most ``rows`` texts, longest first.

        ``same_length``: only texts of equal token length share a batch (no padding). Gradient
        passes need it for last-token classifiers: fed ``inputs_embeds`` they cannot find the pad
        tokens and would read the last position, padding included.
        ``keep``: per text, feed only its first ``keep[i]`` tokens (slices index those).
        """
        pads = pad_values_for(self.tokenizer, enc)
        if keep is not None:
            enc = {key: [list(row)[:m] for row, m in zip(enc[key], keep)] for key in pads if key in enc}
        lengths = [len(x) for x in enc["input_ids"]]
        order = np.argsort([-n for n in lengths], kind="stable")
        rows = max(1, rows)
        groups: list[list[int]] = []
        for i in order:
            if groups and len(groups[-1]) < rows and (not same_length or lengths[groups[-1][0]] == lengths[i]):
                groups[-1].append(int(i))
            else:
                groups.append([int(i)])
        left = self.tokenizer.padding_side == "left"
        for idx in groups:
            idx = np.array(idx)
            batch = collate(enc, idx, pads, self.tokenizer.padding_side, self.device,
                            getattr(self, "position_ids", False))
            width = batch["input_ids"].shape[1]
            spans = [slice(width - lengths[i], width) if left else slice(0, lengths[i]) for i in idx]
            yield idx, batch, spans

    def _token_info(self, enc: Any, i: int) -> dict[str, Any]:
        """Tokens, offsets and special marks of input ``i``; with a fast tokenizer also
        ``sequence_ids``: per token 0 or 1 for the text of a pair it comes from (offsets count
        within that text; always 0 for a single text), None for special tokens such as [SEP]."""
        offsets = enc["offset_mapping"][i] if "offset_mapping" in enc else None
        info = {"tokens": self.tokenizer.convert_ids_to_tokens(enc["input_ids"][i]),
                "offsets": [tuple(o) for o in offsets] if offsets is not None else None,
                "special": [bool(m) for m in enc["special_tokens_mask"][i]]}
        if offsets is not None:  # a fast tokenizer's encoding knows each token's text
            info["sequence_ids"] = list(enc.sequence_ids(i))
        return info

    def visible_characters(self, texts: list[Any]) -> list[Any]:
        """Per text: None when the model sees all of it, else the character where the last token kept
        by truncation to ``max_length`` ends (words after it are cut off). None without offsets.
        For (text, text_pair) tuples: per pair, None or a tuple of that for each text."""
        if any(isinstance(t, tuple) for t in texts):
            return self._visible_pair_characters(list(texts))
        enc = self._explain_encode(list(texts))
        out: list[int | None] = []
        for i, ids in enumerate(enc["input_ids"]):
            offsets = enc["offset_mapping"][i] if "offset_mapping" in enc else None
            if len(ids) < self.max_length or offsets is None:
                out.append(None)
                continue
            ends = [b for (a, b), sp in zip(offsets, enc["special_tokens_mask"][i]) if not sp and b > a]
            out.append(max(ends) if ends else 0)
        return out

    def _visible_pair_characters(self, pairs: list[Any]) -> list[Any]:
        """Per (text, text_pair): None when both texts fit in ``max_length`` tokens, else per text the
        character where its last kept token ends (0 when none of it is kept; None when it is whole),
        told apart by the tokenizer's sequence ids. None without offsets."""
        first, second = split_inputs(pairs)
        tok, limit = self.tokenizer, self.max_length  # type: ignore[attr-defined]  # the HF classifier's
        if not getattr(tok, "is_fast", False):
            return [None] * len(pairs)
        enc = tok(first, second, truncation=True, max_length=limit, padding=False, return_attention_mask=False,
                  return_offsets_mapping=True)
        full = tok(first, second, truncation=False, padding=False, return_attention_mask=False)
        out: list[Any] = []
        for i, ids in enumerate(enc["input_ids"]):
            if len(ids) >= len(full["input_ids"][i]):
                out.append(None)
                continue
            seq = enc.sequence_ids(i)
            whole = full.sequence_ids(i)
            sides: list[int | None] = []
            for side in (0, 1):
                ends = [b for (a, b), s in zip(enc["offset_mapping"][i], seq) if s == side and b > a]
                kept = sum(s == side for s in seq) == sum(s == side for s in whole)
                sides.append(None if kept else (max(ends) if ends else 0))
            out.append(tuple(sides))
        return out

    @staticmethod
    def _target_score(logits: torch.Tensor, target: torch.Tensor, score: str) -> torch.Tensor:
        """Per row, the explained output: the target's ``logit``, ``proba`` or ``log_proba``."""
        if score not in ("logit", "proba", "log_proba"):
            raise AuditError(f"Unknown score '{score}' to explain; use logit, proba or log_proba.")
        out = logits.float()
        out = torch.softmax(out, -1) if score == "proba" else torch.log_softmax(out, -1) if score == "log_proba" else out
        return out.gather(1, target[:, None])[:, 0]

    def _check_targets(self, texts: list[Any], target: list[int]) -> torch.Tensor:
        if len(target) != len(texts):
            raise AuditError(f"Got {len(texts)} texts but {len(target)} targets; pass one target class per text.")
        return torch.tensor([int(t) for t in target], dtype=torch.long, device=self.device)

    def input_gradients(self, texts: list[Any], target: list[int], score: str = "logit",
                        batch_size: int | None = None) -> list[dict[str, Any]]:
        """Per text: tokens, input embeddings and d(score of target) / d(embeddings), each (tokens, hidden),
        float64, and ``score``, the explained value (the target's logit by default, proba or log_proba),
        equal to what ``predict_proba`` gives. Batched (equal lengths only for last-token classifiers)."""
        texts = list(texts)
        targets = self._check_targets(texts, target)
        results: list[dict[str, Any]] = [{} for _ in texts]
        if not texts:
            return results
        self._check_embeds()
        enc = self._explain_encode(texts)
        embed = self.model.get_input_embeddings()
        keep = self._gradient_lengths(enc)
        batches = self._explain_batches(enc, batch_size or self.batch_size, same_length=self._pools_last_token(), keep=keep)
        for idx, batch, spans in batches:
            ids = batch.pop("input_ids")
            with torch.enable_grad():
                emb = embed(ids).detach().float().requires_grad_(True)
                values = self._target_score(self._embeds_forward(emb, batch), targets[idx], score)
                (grad,) = torch.autograd.grad(values.sum(), emb)  # rows are independent: one backward for all
            emb, grad = emb.detach().double().cpu().numpy(), grad.double().cpu().numpy()
            values = values.detach().double().cpu().numpy()
            for row, (i, sl) in enumerate(zip(idx, spans)):
                e, g = emb[row, sl], grad[row, sl]
                cut = enc["input_ids"][i][len(e):]
                if len(cut):  # tokens after the pooled token: their embeddings, zero gradient
                    with torch.no_grad():
                        tail = embed(torch.tensor(list(cut), device=self.device)).double().cpu().numpy()
                    e, g = np.concatenate([e, tail]), np.concatenate([g, np.zeros_like(tail)])
                results[i] = {**self._token_info(enc, i), "embeddings": e, "gradients": g, "score": float(values[row])}
        return results

    def integrated_gradients(self, texts: list[Any], target: list[int], *, steps: int = 32, score: str = "proba",
                             rows_per_pass: int | None = None) -> list[dict[str, Any]]:
        """Integrated gradients (Sundararajan et al. 2017) of the target's ``score`` per token, batched.

        Path: from a baseline where every non-special token's embedding is the [PAD] embedding
        (special tokens kept: "an empty text of the same length") straight to the input, in the
        word-embedding space. The path integral uses the trapezoid rule on ``steps`` equal
        intervals (steps + 1 gradient evaluations), so completeness holds up to O(1/steps^2):
        sum(attributions) ~= score(x) - score(baseline), both returned per text.
        A forward/backward pass holds at most ``rows_per_pass`` rows (default batch_size): the
        points of several texts share a pass, and a long path is split over several passes whose
        weighted gradients are summed, so memory does not grow with ``steps``.
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
        cap = max(1, rows_per_pass or self.batch_size)
        self._check_embeds()
        enc = self._explain_encode(texts)
        embed = self.model.get_input_embeddings()
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        keep = self._gradient_lengths(enc)
        batches = self._explain_batches(enc, max(1, cap // n_points), same_length=self._pools_last_token(), keep=keep)
        for idx, batch, spans in batches:
            ids = batch.pop("input_ids")
            kept = torch.ones_like(ids, dtype=torch.bool)  # padding and special tokens keep their ids
            for row, (i, sl) in enumerate(zip(idx, spans)):
                kept[row, sl] = torch.tensor(enc["special_tokens_mask"][i][: sl.stop - sl.start], dtype=torch.bool, device=self.device)
            with torch.no_grad():
                x = embed(ids).float()
                base = embed(torch.where(kept, ids, torch.full_like(ids, pad_id))).float()
            mean_grad = torch.zeros_like(x)
            values = torch.zeros(len(idx), n_points, device=self.device)
            pairs = torch.cartesian_prod(torch.arange(len(idx)), torch.arange(n_points)).to(self.device)
            for chunk in pairs.split(cap):  # (text row, path point) pairs, at most ``cap`` per pass
                r, k = chunk[:, 0], chunk[:, 1]
                path = (base[r] + alphas[k, None, None] * (x[r] - base[r])).requires_grad_(True)
                with torch.enable_grad():
                    out = self._target_score(self._embeds_forward(path, {n: v[r] for n, v in batch.items()}),
                                             targets[idx][r], score)
                    (grad,) = torch.autograd.grad(out.sum(), path)
                mean_grad.index_add_(0, r, grad * weights[k, None, None])
                values[r, k] = out.detach()
            attr = ((x - base) * mean_grad).sum(-1).double().cpu().numpy()
            values = values.double().cpu().numpy()
            for row, (i, sl) in enumerate(zip(idx, spans)):
                cut = len(enc["input_ids"][i]) - (sl.stop - sl.start)  # tokens after the pooled one: 0
                results[i] = {**self._token_info(enc, i), "attributions": np.concatenate([attr[row, sl], np.zeros(cut)]),
                              "score": float(values[row, -1]), "baseline_score": float(values[row, 0])}
        return results
