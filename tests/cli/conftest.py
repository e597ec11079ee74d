"""Fixtures for CLI tests: a small review dataset and a TF-IDF model trained on it."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from audit.cli import main
from audit.demo.corpus import generate
from audit.models.sklearn_model import save_sklearn_model

SCRIPT_TEXT = '<script>alert("pwned")</script> the acting was dull.'


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    train = generate(300, seed=0, skewed=True)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    pipe.fit([r["text"] for r in train], [r["label"] for r in train])
    save_sklearn_model(pipe, root / "tfidf.skops")
    test = generate(60, seed=1, skewed=False)
    test[0]["text"] = SCRIPT_TEXT
    with (root / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(test[0]))
        writer.writeheader()
        writer.writerows(test)
    (root / "callables.py").write_text(
        "import numpy as np\n"
        "def length_model(texts):\n"
        "    p = np.array([min(len(t), 200) / 200 for t in texts])\n"
        "    return np.stack([1 - p, p], axis=1)\n"
        "length_model.labels = ['negative', 'positive']\n"
        "def foreign(texts):\n"
        "    return np.full((len(texts), 2), 0.5)\n"
        "foreign.labels = ['spam', 'ham']\n"
        "def logits(texts):\n"
        "    return np.full((len(texts), 2), 3.0)\n"
        "logits.labels = ['negative', 'positive']\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture()
def cli(workdir, monkeypatch):
    """Run `audit ...` in the work dir; returns the click Result."""
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=True)

    return invoke
