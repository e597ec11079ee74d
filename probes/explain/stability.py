"""Stability: do a text's word attributions keep their order when the text gets a little noise?

Each explained text gets ``versions`` noisy copies from a character-level perturbation of the
`noise` probe (seeded by run seed, example id and version, so every model sees the same
copies); each copy is explained towards the same class as the original, and the Spearman rank
correlation of the two word-attribution vectors is averaged per text. Character noise keeps
the word count, so word i of the copy is word i of the original; a copy whose word count
changed anyway, or a pair with a constant vector (no ranking), is left out and not counted.
On a sentence pair both texts get noise, each from its own seed (the first text's seed is a
single text's), so word i of the copy is still word i of the pair.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from audit.core.seeding import rng_for
from audit.probes.noise.catalog import build


TIE = 1e-9  # scores this close (relative to the largest) are one value: rounding noise is no ranking


def ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties sharing their average rank (as scipy.stats.rankdata), where values within
    ``TIE`` of the largest magnitude count as tied: words whose erasure changes the prediction by
    the same amount differ only in the last bits, which depend on the CPU's summation order."""
    x = np.asarray(x, dtype=np.float64)
    tol = TIE * float(np.max(np.abs(x))) if len(x) else 0.0
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    out = np.empty(len(x))
    start = 0
    while start < len(x):
        end = start
        while end + 1 < len(x) and sorted_x[end + 1] - sorted_x[start] <= tol:
            end += 1
        out[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rho (Pearson on average ranks); None when undefined (under 2 words, or no variation)."""
    if len(a) != len(b) or len(a) < 2:
        return None
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else None


def noisy_copies(texts: list, ids: list[str], noise: str, severity: float, versions: int,
                 seed: int) -> list[tuple[int, Any]]:
    """(index of the original, noisy input) for every text or pair and version; unchanged copies are dropped."""
    perturb = build((noise,), {})[noise]
    out: list[tuple[int, Any]] = []
    for i, (text, example_id) in enumerate(zip(texts, ids)):
        for v in range(versions):
            parts = text if isinstance(text, tuple) else (text,)
            noisy = tuple(perturb(part, rng_for(seed, "explain", "stability", noise, severity, example_id, v,
                                                *(("pair",) if side else ())), severity)
                          for side, part in enumerate(parts))
            copy = noisy if isinstance(text, tuple) else noisy[0]
            if copy != text:
                out.append((i, copy))
    return out


def per_example(original: list[np.ndarray], copies: list[tuple[int, Any]], copy_scores: list[np.ndarray]) -> np.ndarray:
    """Mean Spearman rho per original text over its usable copies (NaN for a text with none)."""
    sums, counts = np.zeros(len(original)), np.zeros(len(original))
    for (i, _), scores in zip(copies, copy_scores):
        rho = spearman(original[i], scores)
        if rho is not None:
            sums[i] += rho
            counts[i] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
