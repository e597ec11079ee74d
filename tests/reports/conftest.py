"""Fixtures for the report tests: the hand-written sample results (tests/reports/sample_results.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

SAMPLE = Path(__file__).with_name("sample_results.json")


@pytest.fixture(scope="session")
def _sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample(_sample) -> dict:
    """A fresh copy per test, so a test may edit it."""
    return copy.deepcopy(_sample)


@pytest.fixture(scope="session")
def tfidf_audit(tmp_path_factory) -> Path:
    """A real small audit, run once per session: two TF-IDF models (unigram on the demo corpus's skewed
    training split; uni+bigram, more regularised, on a balanced one) through every probe on 60 test texts
    with gender and religion as sensitive attributes. Returns the folder holding results.json."""
    from click.testing import CliRunner
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from tfidf_workdir import build_tfidf_workdir

    from audit.cli import main
    from audit.demo.corpus import generate
    from audit.models.sklearn_model import save_sklearn_model

    root = build_tfidf_workdir(tmp_path_factory.mktemp("tfidf-audit"))
    train = generate(300, seed=2, skewed=False)
    bigram = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(C=0.5, max_iter=500))
    bigram.fit([r["text"] for r in train], [r["label"] for r in train])
    save_sklearn_model(bigram, root / "bigram.skops")
    out = root / "out"
    res = CliRunner().invoke(main, ["run", "--model", f"unigram={root / 'tfidf.skops'}",
                                    "--model", f"bigram={root / 'bigram.skops'}", "--data", str(root / "test.csv"),
                                    "--sensitive", "gender", "--sensitive", "religion", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture
def tfidf_results(tfidf_audit) -> dict:
    """A fresh copy of the small audit's results.json."""
    return json.loads((tfidf_audit / "results.json").read_text(encoding="utf-8"))
