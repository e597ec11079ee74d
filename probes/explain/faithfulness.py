"""Faithfulness by erasure (ERASER, DeYoung et al. 2020), against a random-attribution baseline.

For a text x explained towards class t and a share k of its words:

- comprehensiveness(k) = p(t | x) - p(t | x without its top-k words): high when the words the
  method ranks first are the ones the model needs;
- sufficiency(k) = p(t | x) - p(t | only the top-k words): low when those words alone carry the
  prediction.

AOPC is the mean over the configured k. ERASER (DeYoung et al. 2020, section 4) averages over
bins B = {1, 5, 10, 20, 50}% plus an empty k = 0 bin, dividing by |B| + 1; we leave that bin
out: it adds 0 to comprehensiveness and p(x) - p(empty text) to sufficiency, the same for every
method and for the random baseline, so it only shrinks the AOPC scale and cancels in the
faithfulness score. For the same reason k = 1 (every word) is refused by the config: its
comprehensiveness is p(x) - p(empty text) and its sufficiency 0 whatever the method.
Ties among word scores are broken by a random draw seeded per example (never by position).
Every erased text, and x itself, is joined by single spaces, so p(x) and the erased texts
differ only in the words removed, never in whitespace.
The random baseline ranks words by seeded uniform scores, drawn per (run seed, example id,
draw), so it is the same for every model; its curves are averaged over the draws. Every erased
text of every method and of the baseline goes to the prediction cache in one request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.core.seeding import rng_for
from audit.probes.explain.word_spans import erase, joined, keep_only, n_top, top_order, words_of

RANDOM = "random"


@dataclass
class Curves:
    """Per example (rows) and k (columns): comprehensiveness and sufficiency."""

    comprehensiveness: np.ndarray
    sufficiency: np.ndarray

    @property
    def aopc_comprehensiveness(self) -> np.ndarray:
        return self.comprehensiveness.mean(axis=1)

    @property
    def aopc_sufficiency(self) -> np.ndarray:
        return self.sufficiency.mean(axis=1)


def erased(x, scores: np.ndarray, ks: tuple[float, ...], rng: np.random.Generator | None = None) -> list:
    """For each k: ``x`` without its top-k words, then ``x`` with only those words (ties in
    ``scores`` broken by ``rng``). On a sentence pair the words are numbered across both texts
    and each text loses or keeps only its own words; the pair's separator is never a word.
    ``x`` may also be a text's list of words."""
    if isinstance(x, list):
        x = " ".join(x)
    order = top_order(scores, rng)
    n = len(words_of(x))
    texts = []
    for k in ks:
        top = order[: n_top(n, k)]
        texts += [erase(x, top), keep_only(x, top)]
    return texts


def tie_breaker(seed: int, example_id: str) -> np.random.Generator:
    """The rng breaking ties among equal word scores: seeded per example (the same for every
    method and model), so results are reproducible and no position is favoured."""
    return rng_for(seed, "explain", "ties", example_id)


def random_scores(seed: int, example_id: str, n_words: int, draws: int) -> list[np.ndarray]:
    """``draws`` seeded random attributions for one example (model-independent)."""
    return [rng_for(seed, "explain", "random-attribution", example_id, d).random(n_words) for d in range(draws)]


def score_all(model, texts: list, ids: list[str], targets: list[int], attributions: dict[str, list[np.ndarray]],
              ks: tuple[float, ...], seed: int, draws: int, progress=None) -> dict[str, Curves]:
    """Curves for every method in ``attributions`` and for the random baseline, from one cache request."""
    n_words = [len(words_of(t)) for t in texts]
    plan: list[tuple[str, int, list]] = []  # (method, example, erased inputs)
    for method, per_text in attributions.items():
        plan += [(method, i, erased(texts[i], per_text[i], ks, tie_breaker(seed, ids[i]))) for i in range(len(texts))]
    for i, example_id in enumerate(ids):
        plan += [(RANDOM, i, erased(texts[i], s, ks)) for s in random_scores(seed, example_id, n_words[i], draws)]
    flat = [t for _, _, group in plan for t in group]
    # p(x) on the format of the erased inputs (single spaces within each side)
    proba = model.predict_proba([joined(t) for t in texts] + flat, progress=progress)
    full = proba[np.arange(len(texts)), targets] if texts else np.zeros(0)
    rest = proba[len(texts):]
    n_k = len(ks)
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    at = 0
    for method, i, group in plan:
        p = rest[at : at + len(group), targets[i]].reshape(n_k, 2)  # columns: without top, only top
        at += len(group)
        sums.setdefault(method, np.zeros((len(texts), n_k, 2)))[i] += full[i] - p
        counts.setdefault(method, np.zeros(len(texts)))[i] += 1
    out = {}
    for method, total in sums.items():
        mean = total / counts[method][:, None, None]
        out[method] = Curves(mean[:, :, 0], mean[:, :, 1])
    return out
