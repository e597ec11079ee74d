"""Attention as explanation: reference computations of raw last-layer attention and rollout.

The probe reads both from the adapter's ``attention_rows`` (reduced per batch, the pooled row
only). These functions compute the same from full maps (``attentions()``), for tests and for
callers holding maps. The pooled row is the token the classification head reads: the adapter
derives it from the architecture ([CLS], the first token, for encoders; the last real token for
decoder classifiers, whether or not their tokenizer puts a special BOS first).
"""

from __future__ import annotations

import numpy as np


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
