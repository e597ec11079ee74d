"""What the noise scores read of the model's answer on each perturbed input, without the input.

The scores, the flip examples and the by-group breakdown need, per (cell, example), only the predicted
class, its probability, the probability of the clean predicted class and whether the perturbation
changed the input: (cells, n) arrays, filled chunk by chunk of examples while the chunk's texts and
probabilities are dropped (:mod:`audit.probes.noise.chunks`). Every value is the one the full
(cells, n, k) probabilities would give, so the scores do not depend on the chunking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.probes.noise.apply import PerturbedSet, cell_key


@dataclass
class Outcomes:
    """One model's outcomes on every cell (perturbation, severity and, for pairs, side) and example."""

    cells: list[tuple[str, float]]  # (perturbation, severity) of each cell
    sides: list[str | None]  # each cell's side; None for single texts
    pred: np.ndarray  # (cells, n) int: the predicted class
    top: np.ndarray  # (cells, n) float: the predicted class's probability (the confidence)
    kept: np.ndarray  # (cells, n) float: the probability of the clean predicted class
    applied: np.ndarray  # (cells, n) bool: the perturbation changed the input
    empty: np.ndarray  # (cells,) int: blank outputs replaced by the original text

    @classmethod
    def like(cls, ps: PerturbedSet, n: int) -> Outcomes:
        """Empty outcomes for ``n`` examples, with the cells of ``ps`` (any chunk's: they all share them)."""
        cells = len(ps.cells)
        return cls(list(ps.cells), list(ps.sides), np.zeros((cells, n), dtype=np.intp), np.zeros((cells, n)),
                   np.zeros((cells, n)), np.zeros((cells, n), dtype=bool), np.zeros(cells, dtype=np.int64))

    def fill(self, start: int, ps: PerturbedSet, proba: np.ndarray, clean_pred: np.ndarray) -> None:
        """Examples ``start`` to ``start + m`` from one chunk: its perturbed set and probabilities
        (cells, m, k), and the chunk's clean predictions (m,)."""
        end = start + proba.shape[1]
        self.pred[:, start:end] = proba.argmax(axis=2)
        self.top[:, start:end] = proba.max(axis=2)
        self.kept[:, start:end] = proba[:, np.arange(proba.shape[1]), clean_pred]
        self.applied[:, start:end] = ps.applied
        self.empty += ps.empty

    def key(self, c: int) -> str:
        return cell_key(*self.cells[c], self.sides[c])
