"""The template probe's gap test: is the spread of group means (max - min) larger than chance?

:func:`gap_permutation_test` permutes group labels *within* matched sets (cases filled from the
same template differ only in the identity term), exactly when the number of arrangements is
small, else by seeded Monte Carlo with p = (1 + hits) / (1 + permutations). The generic tests
(sign test for counterfactual pairs, Holm's adjustment) are in :mod:`audit.stats`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

TIE = 1e-12  # permuted gaps this close below the observed one count as at least as large


def gap(scores: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """max - min of group means for each row of ``groups`` (P, N) (or one labelling (N,))."""
    g = np.atleast_2d(groups)
    p = g.shape[0]
    codes = (g + (np.arange(p) * n_groups)[:, None]).ravel()
    sums = np.bincount(codes, weights=np.tile(scores, p), minlength=p * n_groups).reshape(p, n_groups)
    counts = np.bincount(codes, minlength=p * n_groups).reshape(p, n_groups)
    present = counts[0] > 0
    means = sums[:, present] / counts[:, present]
    return means.max(axis=1) - means.min(axis=1)


def _arrangements(groups: np.ndarray, sets: np.ndarray) -> int:
    """Distinct within-set arrangements of the group labels (a product of multinomials)."""
    total = 1
    for s in np.unique(sets):
        _, counts = np.unique(groups[sets == s], return_counts=True)
        total *= math.factorial(int(counts.sum())) // math.prod(math.factorial(int(c)) for c in counts)
        if total > 10**9:
            break
    return total


def _exact(groups: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Every distinct within-set arrangement of ``groups``: (arrangements, N)."""
    slots = [np.flatnonzero(sets == s) for s in np.unique(sets)]
    options = [sorted(set(itertools.permutations(groups[ix].tolist()))) for ix in slots]
    rows = []
    for choice in itertools.product(*options):
        row = groups.copy()
        for ix, labels in zip(slots, choice):
            row[ix] = labels
        rows.append(row)
    return np.array(rows)


def gap_permutation_test(scores, groups, sets, *, permutations: int, seed: int) -> tuple[float, float | None, bool]:
    """(observed gap, p-value, exact?) for group codes ``groups`` and matched-set codes ``sets``.

    p is None when no arrangement can change the statistic (e.g. every set holds one group)."""
    scores, groups, sets = (np.asarray(a) for a in (scores, groups, sets))
    scores = scores.astype(float)
    n_groups = int(groups.max()) + 1 if groups.size else 0
    if n_groups < 2 or len(np.unique(groups)) < 2:
        return 0.0, None, True
    observed = float(gap(scores, groups, n_groups)[0])
    count = _arrangements(groups, sets)
    if count <= 1:
        return observed, None, True
    if count <= max(permutations, 1):
        stats = gap(scores, _exact(groups, sets), n_groups)
        return observed, float(np.mean(stats >= observed - TIE)), True
    rng = np.random.default_rng(seed)
    blocks = _blocks(sets)
    onehot = np.zeros((len(scores), n_groups))
    onehot[np.arange(len(scores)), groups] = 1.0
    counts = onehot.sum(axis=0)
    present = counts > 0
    chunk = max(1, 2_000_000 // len(scores))
    hits, done = 0, 0
    while done < permutations:
        b = min(chunk, permutations - done)
        shuffled = np.broadcast_to(scores, (b, len(scores))).copy()
        for pos in blocks:  # sets of one size: shuffle the scores of each set among its own cases
            block = np.broadcast_to(scores[pos], (b,) + pos.shape).copy()
            rng.permuted(block, axis=2, out=block)
            shuffled[:, pos.ravel()] = block.reshape(b, -1)
        means = (shuffled @ onehot)[:, present] / counts[present]
        hits += int((means.max(axis=1) - means.min(axis=1) >= observed - TIE).sum())
        done += b
    return observed, (1 + hits) / (1 + permutations), False


def _blocks(sets: np.ndarray) -> list[np.ndarray]:
    """Case positions of the sets with two or more cases, one (sets, size) array per set size."""
    order = np.argsort(sets, kind="stable")
    sizes = np.bincount(sets)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = []
    for size in np.unique(sizes[sizes > 1]):
        ids = np.flatnonzero(sizes == size)
        out.append(order[starts[ids][:, None] + np.arange(size)[None, :]])
    return out
