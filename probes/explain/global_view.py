"""The global view: which tokens push each class most, across a sample of the dataset.

Per predicted class, the mean attribution of each token (a word lower-cased, punctuation at
its edges stripped) over its occurrences in texts predicted as that class, explained towards
that class. Tokens seen fewer than ``min_count`` times are left out (one strong occurrence is
an anecdote, not a pattern). Tokens in the fairness probes' identity-term lists are flagged
with their axis and group ("gender/female"): a model whose top tokens for a class are
identity terms has learnt them as evidence, which the fairness section should confirm.
"""

from __future__ import annotations

import functools
import re

import numpy as np

_EDGES = re.compile(r"^\W+|\W+$")


def token_of(word: str) -> str:
    return _EDGES.sub("", word.lower())


@functools.lru_cache(maxsize=1)
def identity_lexicon() -> dict[str, str]:
    """Single-word identity terms of the bundled fairness lists -> "axis/group"."""
    from audit.probes.fairness.terms import load_axes, normalize

    out: dict[str, str] = {}
    for axis in load_axes().values():
        for slot in axis.slots:
            for group, terms in slot.terms.items():
                for term in terms:
                    key = normalize(term)
                    if " " not in key:
                        out.setdefault(key, f"{axis.name}/{group}")
    return out


def global_tokens(words: list[list[str]], attributions: list[np.ndarray], targets: list[int], labels: list[str], *,
                  top: int, min_count: int, lexicon: dict[str, str]) -> dict[str, list[dict]]:
    """{label: the ``top`` tokens by mean attribution towards it, each with count and identity flag}."""
    sums: dict[tuple[int, str], float] = {}
    counts: dict[tuple[int, str], int] = {}
    for ws, scores, t in zip(words, attributions, targets):
        for w, s in zip(ws, scores):
            tok = token_of(w)
            if tok:
                sums[(t, tok)] = sums.get((t, tok), 0.0) + float(s)
                counts[(t, tok)] = counts.get((t, tok), 0) + 1
    out: dict[str, list[dict]] = {}
    for j, label in enumerate(labels):
        rows = [(tok, sums[(c, tok)] / n, n) for (c, tok), n in counts.items() if c == j and n >= min_count]
        rows.sort(key=lambda r: (-r[1], r[0]))
        out[label] = [{"token": tok, "mean_attribution": mean, "count": n, "identity": lexicon.get(tok)}
                      for tok, mean, n in rows[:top]]
    return out
