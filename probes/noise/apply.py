"""Perturb a dataset: every (perturbation, severity) cell for every example.

Each text draws from its own generator, seeded by (run seed, "noise", perturbation, severity,
example id), so its perturbed form is the same whichever other examples run and in whatever
order. A perturbation that leaves nothing but whitespace is undone for that example (models
never see empty strings) and counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from audit.core.seeding import rng_for
from audit.probes.noise.catalog import Perturbation


def severity_key(severity: float) -> str:
    """The severity as written in metric names and seeds: 0.05, 0.1, 1."""
    return f"{float(severity):g}"


def cell_key(perturbation: str, severity: float) -> str:
    """``typo@0.1``: the suffix of the cell's metric names."""
    return f"{perturbation}@{severity_key(severity)}"


def perturb_text(p: Perturbation, text: str, example_id: str, severity: float, seed: int) -> tuple[str, bool]:
    """(perturbed text, whether it came out blank and was replaced by ``text``)."""
    if severity == 0:
        return text, False
    out = p(text, rng_for(seed, "noise", p.name, severity_key(severity), example_id), severity)
    if not out.strip():
        return text, True
    return out, False


@dataclass
class PerturbedSet:
    """All perturbed texts of one dataset, cell by cell (cells in perturbation, severity order)."""

    cells: list[tuple[str, float]]
    texts: list[list[str]]  # [cell][example]
    applied: np.ndarray  # (cells, examples) bool: the text changed
    empty: np.ndarray  # (cells,) int: blank outputs replaced by the original text
    seconds: float  # wall time spent perturbing

    def flat(self) -> list[str]:
        """Every perturbed text, cell after cell: one request to the model."""
        return [t for row in self.texts for t in row]


def perturb_dataset(perturbations: dict[str, Perturbation], severities: tuple[float, ...], ids: list[str],
                    texts: list[str], seed: int) -> PerturbedSet:
    t0 = time.perf_counter()
    cells = [(name, float(s)) for name in perturbations for s in severities]
    rows, applied, empty = [], np.zeros((len(cells), len(texts)), dtype=bool), np.zeros(len(cells), dtype=np.int64)
    for c, (name, s) in enumerate(cells):
        p = perturbations[name]
        row = []
        for i, (example_id, text) in enumerate(zip(ids, texts)):
            out, blank = perturb_text(p, text, example_id, s, seed)
            row.append(out)
            applied[c, i] = out != text
            empty[c] += blank
        rows.append(row)
    return PerturbedSet(cells, rows, applied, empty, time.perf_counter() - t0)
