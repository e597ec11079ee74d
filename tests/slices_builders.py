"""A dataset with a planted weak slice and a table model that errs exactly where a test says: the slices tests'
oracle (the probe's numbers are checked against the errors planted here, not against its own computation)."""

from __future__ import annotations

import numpy as np

from audit.core.dataset import Dataset
from audit.models.base import LoadedModel

LABELS = ["neg", "pos"]


class TableModel:
    """Fixed probabilities per input: wrong exactly where the test says."""

    def __init__(self, table):
        self.labels, self.table, self.fingerprint = LABELS, table, "sha256:table"

    def predict_proba(self, texts):
        return np.array([self.table[t] for t in texts])


def tag(i: int) -> str:
    return "x" + chr(97 + i % 26) + chr(97 + i // 26 % 26)  # unique, letters only (no digit slice)


def planted(n: int = 300, pairs: bool = False):
    """Negation in every third text; 10% errors outside it, 60% inside (i % 30 in 0, 3, 9, 15, 21, 27)."""
    texts = [" ".join(["it", "is", "not" if i % 3 == 0 else "so", "good"] + ["w"] * (i % 9)) + f" {tag(i)}"
             for i in range(n)]
    second = [f"yes {tag(i)}" for i in range(n)] if pairs else None
    if pairs:  # the negation moves to the second text of the pair
        texts, second = [t.replace(" not ", " so ") for t in texts], \
            [("no " if i % 3 == 0 else "") + s for i, s in enumerate(second or [])]
    gold = np.arange(n) % 2
    wrong = (np.arange(n) % 10 == 0) | np.isin(np.arange(n) % 30, [3, 9, 15, 21, 27])
    conf = 0.55 + 0.4 * (np.arange(n) % 7) / 7
    top = np.where(wrong, 1 - gold, gold)
    proba = np.zeros((n, 2))
    proba[np.arange(n), top], proba[np.arange(n), 1 - top] = conf, 1 - conf
    data = Dataset(ids=[f"r{i}" for i in range(n)], texts=texts, labels=[LABELS[g] for g in gold], source="mem",
                   text_pairs=second)
    keys = data.inputs
    model = LoadedModel("m", "mem", "callable", TableModel(dict(zip(keys, proba))))
    return data, model, wrong, conf
