"""Texts and a negation model for the changed-text noise tests: 12 of the 35 texts hold a contraction site
("is not" -> "isn't"; "it is" -> "it's"), and the model reads "isn't good" as positive, so contractions
change 12 texts and flip 7 of them; texts are lower case and the model ignores case."""

from __future__ import annotations

import numpy as np

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.noise import NoiseProbe

FLIP_A = [f"the {w} is not good" for w in ("film", "plot", "cast", "score")]  # negative -> positive: flips, wrong
FLIP_B = [f"the {w} is not bad" for w in ("film", "plot", "cast")]  # positive -> negative: flips, wrong
KEEP = [f"it is a good {w}" for w in ("film", "plot", "cast", "score", "script")]  # "it's a good": no flip
ALONE = [f"a good {w} {i}" for i, w in enumerate(("film", "plot", "cast", "score", "script", "story") * 2)] + \
        [f"a dull {w} {i}" for i, w in enumerate(("film", "plot", "cast", "score", "script"))] + \
        [f"a dull {w} {i}" for i, w in enumerate(("film", "plot", "cast", "score", "script", "story"))]
TEXTS = FLIP_A + FLIP_B + KEEP + ALONE
LABELS = (["negative"] * 4 + ["positive"] * 3 + ["positive"] * 5 + ["positive"] * 12 + ["negative"] * 5
          + ["positive"] * 6)  # the last six are wrong for the model, clean and noisy alike
CFG = NoiseProbe.Config(perturbations=("contraction", "upper", "lower"), severities=(0.5,), bootstrap=200,
                        min_changed=5)


class Negation:
    """Positive when "good" and "not" are not both there or both missing: "isn't good" reads positive."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:negation"

    def predict_proba(self, texts):
        words = [set(t.lower().split()) for t in texts]
        p = np.array([0.9 if ("good" in w) != ("not" in w) else 0.2 for w in words])
        return np.stack([1 - p, p], axis=1)




def dataset() -> Dataset:
    return Dataset(ids=[str(i) for i in range(len(TEXTS))], texts=TEXTS, labels=LABELS, source="mem")


def run(cfg=CFG):
    """The noise probe on the negation model: (data, ProbeResult)."""
    data = dataset()
    model = LoadedModel("neg", "mem", "callable", Negation())
    return data, NoiseProbe(cfg).run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
