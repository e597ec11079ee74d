"""Shared pieces for the attack tests (imported by the test_attack_* modules; holds no tests).

A keyword classifier (batch-independent, so outcomes must be identical whatever the
concurrency), a tiny BERT trained for a second, the template dataset, and an isolated audit
cache dir in which TextAttack is imported once per process (about 6 s).
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny_bert import NEGATIVE, POSITIVE, template_sentences

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.models.base import LoadedModel
from audit.resources import catalog

# Found in the developer's own environment before the tests isolate the cache dir: PWWS tests
# run when WordNet is installed anywhere NLTK or audit would find it, and skip otherwise.
try:
    REAL_WORDNET = catalog.locate("wordnet").path
except Exception:  # noqa: BLE001 - nltk missing: no WordNet either
    REAL_WORDNET = None

WEIGHTS = {**{w: 2.0 for w in POSITIVE}, **{w: -2.0 for w in NEGATIVE}}


class KeywordModel:
    """P(positive) from a sentiment lexicon; counts calls and texts so tests can check the cache."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:keyword-model-v1"

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls = 0
        self.texts = 0
        self.fail_after = fail_after

    def predict_proba(self, texts):
        self.calls += 1
        self.texts += len(texts)
        if self.fail_after is not None and self.calls > self.fail_after:
            raise Interrupted("simulated interruption")
        score = np.array([sum(WEIGHTS.get(w, 0.0) for w in t.lower().split()) + 0.1 for t in texts])
        p = 1 / (1 + np.exp(-score))
        return np.stack([1 - p, p], axis=1)


class Interrupted(Exception):
    """Stands in for Ctrl-C inside a model call (a real KeyboardInterrupt would stop pytest)."""


def template_data(n: int | None = None) -> Dataset:
    rows = template_sentences()[:n] if n else template_sentences()
    return Dataset(ids=[f"t{i}" for i in range(len(rows))], texts=[t for t, _ in rows], labels=[y for _, y in rows],
                   source="templates")


def cached(classifier, name: str = "m", kind: str = "callable", details: dict | None = None):
    return PredictionCache().wrap(LoadedModel(name, "mem", kind, classifier, details or {}))


def without_timing(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def records_of(result) -> list[dict]:
    cols = result.predictions
    return [{k: cols[k][i] for k in cols} for i in range(len(cols["id"]))]


@pytest.fixture(scope="module")
def attack_env(tmp_path_factory):
    """An isolated audit cache dir, WordNet passed in when the developer has it, TextAttack imported.

    TextAttack is a hard dependency: when it does not import, every test using this fixture errors
    (it never skips), showing why the import failed."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("AUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("audit_cache")))
        mp.delenv("AUDIT_NLTK_DATA", raising=False)
        if REAL_WORDNET:
            mp.setenv("AUDIT_WORDNET", REAL_WORDNET)
        from audit.resources.textattack_env import import_textattack

        import_textattack()
        yield
    finally:
        mp.undo()


def needs_wordnet() -> None:
    if not REAL_WORDNET:
        pytest.skip("WordNet is not installed (audit resources --fetch wordnet)")
