"""Counter-fitting (Mrkšić et al., NAACL 2016): word vectors pushed to respect synonymy and antonymy.

The procedure of the reference code (github.com/nmrksic/counter-fitting, ``counterfitting.py``),
vectorised with numpy. Vectors are unit-normalised; ``d(u, v) = 1 - u·v``. Each of the 20 full-batch
steps takes, for every ordered pair ``(i, j)`` (constraint files are read in both directions):

* antonym repel, when ``d < delta``: ``+k1 * g(v_i, v_j)`` to ``v_i``;
* synonym attract, when ``d > gamma``: ``-k2 * g(v_j, v_i)`` to ``v_j``;
* vector space preservation, for pairs within ``rho`` at the start, when ``d0 <= d``: ``-k3 * g(v_i, v_j)``
  to ``v_i``;

with ``g(u, v) = u (u·v) - v``, the gradient of ``d`` in ``u``. A word's update is the sum of its
active terms divided by their count; then every vector is renormalised. Antonym pairs are removed
from the synonym and VSP pairs first. VSP pairs are searched within the given vocabulary only.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

Log = Callable[[str], None]
CHUNK = 1 << 18  # pairs per gather: bounds the (chunk, dim) temporaries


@dataclass(frozen=True)
class Params:
    """The hyperparameters of the paper and of the reference code's ``experiment_parameters.cfg``."""

    delta: float = 1.0  # antonym margin: repel while closer than this
    gamma: float = 0.0  # synonym margin: attract while farther than this
    rho: float = 0.2  # VSP neighbourhood: pairs this close (cosine distance) at the start
    k1: float = 0.1  # antonym repel weight
    k2: float = 0.1  # synonym attract weight
    k3: float = 0.1  # vector space preservation weight
    iterations: int = 20  # SGD steps (max_iter in the reference code)

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows divided by ``sqrt(|v|^2 + 1e-6)``, as the reference code does."""
    return matrix / np.sqrt((matrix * matrix).sum(axis=1, keepdims=True) + 1e-6)


def read_pairs(path: str | Path, index: dict[str, int]) -> np.ndarray:
    """Ordered index pairs (both directions, unique, no self-pairs) of a 'word word' file, both words known."""
    rows = []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0] != parts[1] and parts[0] in index and parts[1] in index:
                rows.append((index[parts[0]], index[parts[1]]))
    return symmetric(np.asarray(rows, dtype=np.int64).reshape(-1, 2))


def symmetric(pairs: np.ndarray) -> np.ndarray:
    both = np.concatenate([pairs, pairs[:, ::-1]]).reshape(-1, 2)
    return np.unique(both[both[:, 0] != both[:, 1]], axis=0)


def distances(vectors: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """``1 - v_i·v_j`` for each pair, in chunks."""
    out = np.empty(len(pairs), dtype=vectors.dtype)
    for s in range(0, len(pairs), CHUNK):
        a, b = vectors[pairs[s : s + CHUNK, 0]], vectors[pairs[s : s + CHUNK, 1]]
        out[s : s + CHUNK] = 1 - np.einsum("ij,ij->i", a, b)
    return out


def vsp_pairs(unit: np.ndarray, rho: float, rows: int = 256) -> np.ndarray:
    """Ordered pairs of distinct words whose cosine distance is at most ``rho`` (a blocked upper triangle)."""
    found = []
    for s in range(0, len(unit), rows):
        sims = unit[s : s + rows] @ unit[s:].T
        r, c = np.nonzero(sims >= 1 - rho)
        keep = c > r
        found.append(np.stack([r[keep] + s, c[keep] + s], axis=1))
    upper = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    return symmetric(upper.astype(np.int64))


def without(pairs: np.ndarray, drop: np.ndarray, n: int) -> np.ndarray:
    """``pairs`` minus the ordered pairs in ``drop``."""
    if not len(pairs) or not len(drop):
        return pairs
    keys, gone = pairs[:, 0] * n + pairs[:, 1], drop[:, 0] * n + drop[:, 1]
    return pairs[~np.isin(keys, gone)]


def sgd_step(vectors: np.ndarray, synonyms: np.ndarray, antonyms: np.ndarray, vsp: np.ndarray,
             vsp_start: np.ndarray, p: Params) -> np.ndarray:
    """One full-batch step of the reference code's ``one_step_SGD``; returns new normalised vectors."""
    on_ant = distances(vectors, antonyms) < p.delta
    on_syn = distances(vectors, synonyms) > p.gamma
    on_vsp = vsp_start <= distances(vectors, vsp)
    # (word updated, other word, signed weight) of every active term
    target = np.concatenate([antonyms[on_ant, 0], synonyms[on_syn, 1], vsp[on_vsp, 0]])
    other = np.concatenate([antonyms[on_ant, 1], synonyms[on_syn, 0], vsp[on_vsp, 1]])
    weight = np.concatenate([np.full(on_ant.sum(), p.k1), np.full(on_syn.sum(), -p.k2),
                             np.full(on_vsp.sum(), -p.k3)]).astype(vectors.dtype)
    update = np.zeros_like(vectors)
    for s in range(0, len(target), CHUNK):
        u, v = vectors[target[s : s + CHUNK]], vectors[other[s : s + CHUNK]]
        grad = u * np.einsum("ij,ij->i", u, v)[:, None] - v
        np.add.at(update, target[s : s + CHUNK], weight[s : s + CHUNK, None] * grad)
    count = np.bincount(target, minlength=len(vectors))
    moved = count > 0
    new = vectors.copy()
    new[moved] += update[moved] / count[moved, None]
    return normalise(new)


def counter_fit(matrix: np.ndarray, synonyms: np.ndarray, antonyms: np.ndarray, p: Params = Params(),
                log: Log = lambda _: None) -> tuple[np.ndarray, dict]:
    """Counter-fitted (unit-norm, float32) vectors and how the run went (pair counts, seconds)."""
    t0 = time.perf_counter()
    vectors = normalise(np.asarray(matrix, dtype=np.float32))
    n = len(vectors)
    vsp = vsp_pairs(vectors, p.rho) if p.k3 > 0 else np.zeros((0, 2), dtype=np.int64)
    synonyms, vsp = without(synonyms, antonyms, n), without(vsp, antonyms, n)
    vsp_start = distances(vectors, vsp)  # the same arithmetic as in the steps: a pair starts active
    t_vsp = time.perf_counter() - t0
    log(f"counterfit: {len(synonyms)} synonym, {len(antonyms)} antonym and {len(vsp)} VSP pairs (ordered) "
        f"over {n} words; {p.iterations} steps ...")
    for _ in range(p.iterations):
        vectors = sgd_step(vectors, synonyms, antonyms, vsp, vsp_start, p)
    stats = {"words": n, "synonym_pairs": int(len(synonyms)), "antonym_pairs": int(len(antonyms)),
             "vsp_pairs": int(len(vsp)), "vsp_seconds": round(t_vsp, 2),
             "sgd_seconds": round(time.perf_counter() - t0 - t_vsp, 2)}
    return vectors.astype(np.float32), stats
