"""Dynamic padding for Hugging Face batches: which keys to pad, with what, and position ids for
left padding. Shared by inference (``huggingface``) and attributions (``hf_explain``)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import torch


def collate(encodings: Any, indices: Any, pad_values: dict[str, int], padding_side: str, device: str,
            position_ids: bool = False) -> dict[str, torch.Tensor]:
    """Pad the rows ``indices`` of an unpadded batch encoding to their longest row (dynamic padding).

    ``position_ids`` (for models where :func:`takes_position_ids`): with left padding, also pass
    each row's positions counted from its first real token (0 on the padding), as a text run on
    its own gets them; the forward's default counts from the first column, padding included, which
    shifts learned absolute positions (GPT-2, GPT-Neo) and changes the output. Right padding
    needs none: the real tokens are first and get 0, 1, 2, ... by default.
    """
    ids = encodings["input_ids"]
    lengths = [len(ids[i]) for i in indices]
    longest = max(lengths)
    batch: dict[str, torch.Tensor] = {}
    for key, pad in pad_values.items():
        arr = np.full((len(lengths), longest), pad, dtype=np.int64)
        for row, (i, n) in enumerate(zip(indices, lengths)):
            values = encodings[key][i] if key != "attention_mask" else 1
            if padding_side == "left":
                arr[row, longest - n :] = values
            else:
                arr[row, :n] = values
        batch[key] = torch.from_numpy(arr).to(device)
    if position_ids and padding_side == "left" and "attention_mask" in batch:
        batch["position_ids"] = (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0)
    return batch


def takes_position_ids(model: Any) -> bool:
    """Whether left-padded batches should pass ``position_ids`` to ``model`` (see :func:`collate`): its
    forward accepts them, and it does not count positions from the pad ids itself (RoBERTa-style
    embeddings with a ``padding_idx`` do, and start them at padding_idx + 1, not 0)."""
    try:
        if "position_ids" not in inspect.signature(model.forward).parameters:
            return False  # e.g. DistilBERT, XLNet, BART
    except (TypeError, ValueError):
        return False
    embeddings = getattr(getattr(model, "base_model", None), "embeddings", None)
    return getattr(embeddings, "padding_idx", None) is None


def pad_values_for(tokenizer: Any, encodings: Any) -> dict[str, int]:
    """Which encoding keys to pad and with what; the attention mask is rebuilt from lengths."""
    pads = {"input_ids": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0, "attention_mask": 0}
    if "token_type_ids" in encodings:
        pads["token_type_ids"] = getattr(tokenizer, "pad_token_type_id", 0)
    return pads
