"""Perturb a dataset, or a chunk of its examples: every (perturbation, severity) cell for every example.

Each text draws from its own generator, seeded by (run seed, "noise", perturbation, severity,
example id), so its perturbed form is the same whichever other examples run and in whatever
order. The second text of a sentence pair draws from its own stream (the same parts and
"text_pair"), so one text's noise never depends on the other's; a pair cell per side
(:mod:`audit.probes.noise.sides`) combines the two. A perturbation that leaves nothing but
whitespace is undone for that text (models never see empty strings) and counted. So any chunk of
examples, or one example alone (:func:`perturb_example`), comes out as it does in the whole dataset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from audit.core.dataset import ModelInput
from audit.core.seeding import rng_for
from audit.probes.noise.catalog import Perturbation
from audit.probes.noise.sides import SIDES, touches

PAIR_STREAM = "text_pair"  # the last seed part of a pair's second text


def severity_key(severity: float) -> str:
    """The severity as written in metric names and seeds: 0.05, 0.1, 1."""
    return f"{float(severity):g}"


def cell_key(perturbation: str, severity: float, side: str | None = None) -> str:
    """``typo@0.1`` (single texts) or ``second/typo@0.1`` (pairs): the suffix of the cell's metric names."""
    key = f"{perturbation}@{severity_key(severity)}"
    return key if side is None else f"{side}/{key}"


def perturb_text(p: Perturbation, text: str, example_id: str, severity: float, seed: int,
                 *stream: str) -> tuple[str, bool]:
    """(perturbed text, whether it came out blank and was replaced by ``text``); ``stream``
    names a second text of the same example (a pair's ``text_pair``)."""
    if severity == 0:
        return text, False
    out = p(text, rng_for(seed, "noise", p.name, severity_key(severity), example_id, *stream), severity)
    if not out.strip():
        return text, True
    return out, False


@dataclass
class PerturbedSet:
    """All perturbed texts of a dataset or a chunk of its examples, cell by cell (cells in
    perturbation, severity and, for pairs, side order)."""

    cells: list[tuple[str, float]]  # (perturbation, severity) of each cell
    texts: list[list[str]]  # [cell][example]: the (first) texts
    applied: np.ndarray  # (cells, examples) bool: the input changed
    empty: np.ndarray  # (cells,) int: blank outputs replaced by the original text
    seconds: float  # wall time spent perturbing
    pairs: list[list[str]] | None = None  # [cell][example]: the second texts of a pair dataset
    sides: list[str | None] = field(default_factory=list)  # each cell's side; None for single texts

    def __post_init__(self) -> None:
        if not self.sides:
            self.sides = [None] * len(self.cells)

    def inputs(self, c: int) -> list[ModelInput]:
        """What the model is given for cell ``c``: texts, or (text, text_pair) tuples."""
        if self.pairs is None:
            return list(self.texts[c])
        return list(zip(self.texts[c], self.pairs[c]))

    def flat(self) -> list[ModelInput]:
        """Every perturbed input, cell after cell: one request to the model."""
        return [x for c in range(len(self.cells)) for x in self.inputs(c)]


def _row(p: Perturbation, s: float, ids: list[str], texts: list[str], seed: int,
         *stream: str) -> tuple[list[str], np.ndarray, int]:
    """(perturbed texts, which changed, blanks replaced) of one perturbation at one severity."""
    outs = [perturb_text(p, text, example_id, s, seed, *stream) for example_id, text in zip(ids, texts)]
    row = [o for o, _ in outs]
    return row, np.array([o != t for o, t in zip(row, texts)], dtype=bool), sum(blank for _, blank in outs)


def perturb_dataset(perturbations: dict[str, Perturbation], severities: tuple[float, ...], ids: list[str],
                    texts: list[str], seed: int, text_pairs: list[str] | None = None,
                    sides: tuple[str, ...] = SIDES) -> PerturbedSet:
    """Every cell of ``texts``; with ``text_pairs``, one cell per perturbation, severity and side
    (in ``sides``), the two texts of a pair perturbed from separate streams."""
    t0 = time.perf_counter()
    grid = [(name, float(s)) for name in perturbations for s in severities]
    n = len(texts)
    if text_pairs is None:
        rows, applied, empty = [], np.zeros((len(grid), n), dtype=bool), np.zeros(len(grid), dtype=np.int64)
        for c, (name, s) in enumerate(grid):
            row, applied[c], empty[c] = _row(perturbations[name], s, ids, texts, seed)
            rows.append(row)
        return PerturbedSet(grid, rows, applied, empty, time.perf_counter() - t0)
    unchanged = np.zeros(n, dtype=bool)
    kept = ((list(texts), unchanged, 0), (list(text_pairs), unchanged, 0))  # a side's clean text
    cells, firsts, seconds, changed, blanks = [], [], [], [], []
    for name, s in grid:
        p = perturbations[name]
        noisy = (_row(p, s, ids, texts, seed) if any(touches(side)[0] for side in sides) else kept[0],
                 _row(p, s, ids, text_pairs, seed, PAIR_STREAM) if any(touches(side)[1] for side in sides) else kept[1])
        for side in sides:
            a, b = (noisy[j] if on else kept[j] for j, on in enumerate(touches(side)))
            cells.append((name, s))
            firsts.append(a[0])
            seconds.append(b[0])
            changed.append(a[1] | b[1])
            blanks.append(a[2] + b[2])
    applied = np.array(changed, dtype=bool).reshape(len(cells), n)
    return PerturbedSet(cells, firsts, applied, np.array(blanks, dtype=np.int64), time.perf_counter() - t0,
                        pairs=seconds, sides=[side for _ in grid for side in sides])


def count_cells(perturbations: int, severities: int, sides: tuple[str, ...] | None) -> int:
    """Cells of a dataset: perturbations x severities, x sides on sentence pairs (``sides`` None: single texts)."""
    return perturbations * severities * (len(sides) if sides is not None else 1)


def perturb_example(perturbations: dict[str, Perturbation], cell: tuple[str, float], side: str | None,
                    example_id: str, text: str, text_pair: str | None, seed: int) -> tuple[str, str | None]:
    """One example's input in one cell, (text, text_pair or None), made by :func:`perturb_dataset` on that
    example alone: the same text it has in the whole dataset."""
    name, severity = cell
    one = perturb_dataset({name: perturbations[name]}, (severity,), [example_id], [text], seed,
                          text_pairs=None if text_pair is None else [text_pair], sides=(side,) if side else SIDES)
    return one.texts[0][0], None if one.pairs is None else one.pairs[0][0]
