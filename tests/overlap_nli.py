"""Word-overlap sentence-pair classifiers as plain functions, for ``module:function`` model specs in
tests (``overlap_nli:predict``, ``overlap_nli:paraphrase``); ``SEEN`` records every call."""

import numpy as np

LABELS = ["contradiction", "entailment", "neutral"]
SEEN = []


def predict(pairs):
    """Word overlap decides: much overlap -> entailment, none -> contradiction, else neutral."""
    SEEN.append(list(pairs))
    out = []
    for a, b in pairs:
        wa, wb = set(a.lower().split()), set(b.lower().split())
        share = len(wa & wb) / max(1, len(wb))
        scores = np.array([1.0 - share, share, 0.5]) + 1e-3
        out.append(scores / scores.sum())
    return np.array(out)


predict.labels = LABELS


def paraphrase(pairs):
    """MRPC: paraphrase (1) when the two sentences share most of their words (Jaccard)."""
    SEEN.append(list(pairs))
    rows = []
    for a, b in pairs:
        wa, wb = set(a.lower().split()), set(b.lower().split())
        p = 1 / (1 + np.exp(-12 * (len(wa & wb) / max(1, len(wa | wb)) - 0.45)))
        rows.append([1 - p, p])
    return np.array(rows)


paraphrase.labels = ["0", "1"]
