"""Attention as explanation: raw last-layer attention and attention rollout, from the maps.

Both read the row of the token the classification head reads (the first token, [CLS] in
BERT-style models; the last real token for decoder models such as GPT-2, which put no special
token first).
"""

from __future__ import annotations

import numpy as np


def pooled_row(special: list[bool]) -> int:
    """Index of the token the classifier reads: the first if it is special ([CLS], <s>), else the last."""
    return 0 if special and special[0] else len(special) - 1


def raw_attention(maps: np.ndarray, row: int) -> np.ndarray:
    """Last layer, averaged over heads, the attention from token ``row`` to every token."""
    return np.asarray(maps, dtype=np.float64)[-1].mean(axis=0)[row]


def rollout_matrix(maps: np.ndarray) -> np.ndarray:
    """Attention rollout (Abnar and Zuidema, 2020) over ``maps`` (layers, heads, n, n).

    Per layer: heads averaged, the residual connection added as the identity, rows normalised
    (``0.5 * A + 0.5 * I`` for row-stochastic ``A``); layers multiplied from the first upward,
    so entry (i, j) is how much of token j's input flows into token i's last-layer output.
    Each row sums to 1, as a product of row-stochastic matrices does.
    """
    maps = np.asarray(maps, dtype=np.float64)
    n = maps.shape[-1]
    out = np.eye(n)
    for layer in maps:
        a = layer.mean(axis=0) + np.eye(n)
        a = a / a.sum(axis=-1, keepdims=True)
        out = a @ out
    return out


def rollout(maps: np.ndarray, row: int) -> np.ndarray:
    """The pooled token's row of the rollout matrix."""
    return rollout_matrix(maps)[row]
