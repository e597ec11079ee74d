"""Noise in chunks of examples: perturb a chunk (every cell), predict it, keep its outcomes, drop its texts.

The default config makes 63 inputs of every example (189 on sentence pairs), so 50k examples ask about
3.15M inputs: made at once they would all sit in memory together. A chunk holds about ``CHUNK_TEXTS``
inputs (whole examples, every cell of each), and only its outcomes (:mod:`audit.probes.noise.outcomes`)
outlive it. Each text's noise depends only on the seed, the perturbation, the severity and the example
id, so a chunk's texts are the ones the whole dataset would get, and the scores do not depend on the
chunk size. The prediction cache still predicts each distinct input once, whichever chunk it comes in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from audit.cache import DIGEST_BYTES, input_digest
from audit.core.dataset import ModelInput
from audit.probes.noise.apply import PerturbedSet
from audit.probes.noise.outcomes import Outcomes

CHUNK_TEXTS = 100_000  # inputs per chunk: a few tens of MB of texts, and enough per request to batch well


def spans(n: int, cells: int, chunk_texts: int = CHUNK_TEXTS) -> list[tuple[int, int]]:
    """(start, end) of each chunk of ``n`` examples, at least one example and one chunk (empty when n is 0)."""
    size = max(1, chunk_texts // max(1, cells))
    return [(start, min(n, start + size)) for start in range(0, n, size)] or [(0, 0)]


class Distinct:
    """Counts distinct inputs over all chunks from their digests (16 bytes each, not the texts)."""

    def __init__(self) -> None:
        self._seen: list[np.ndarray] = []

    def add(self, inputs: list[ModelInput]) -> None:
        digests = np.frombuffer(b"".join(input_digest(x) for x in inputs), dtype=f"V{DIGEST_BYTES}")
        self._seen.append(np.unique(digests))

    def count(self) -> int:
        return len(np.unique(np.concatenate(self._seen))) if self._seen else 0


@dataclass
class Measured:
    outcomes: Outcomes
    distinct: int | None  # distinct perturbed inputs; None when not counted
    seconds: float  # spent perturbing


def measure(make: Callable[[int, int], PerturbedSet], predict: Callable[[list[ModelInput]], np.ndarray],
            clean_pred: np.ndarray, cells: int, chunk_texts: int = CHUNK_TEXTS,
            count_distinct: bool = True) -> Measured:
    """Outcomes of every example, chunk by chunk: ``make(start, end)`` perturbs examples start to end,
    ``predict(inputs)`` gives their probabilities (rows, k); ``clean_pred`` (n,) the clean classes."""
    n = len(clean_pred)
    distinct = Distinct() if count_distinct else None
    out: Outcomes | None = None
    seconds = 0.0
    for start, end in spans(n, cells, chunk_texts):
        ps = make(start, end)
        seconds += ps.seconds
        inputs = ps.flat()
        proba = predict(inputs)
        if out is None:
            out = Outcomes.like(ps, n)
        out.fill(start, ps, proba.reshape(len(ps.cells), end - start, proba.shape[1]), clean_pred[start:end])
        if distinct is not None:
            distinct.add(inputs)
        del ps, inputs, proba  # before the next chunk is made
    assert out is not None  # spans() gives at least one chunk
    return Measured(out, None if distinct is None else distinct.count(), seconds)
