"""Fixtures for CLI tests: a small review dataset and a TF-IDF model trained on it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from tfidf_workdir import build_tfidf_workdir

from audit.cli import main

SCRIPT_TEXT = '<script>alert("pwned")</script> the acting was dull.'


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    root = build_tfidf_workdir(tmp_path_factory.mktemp("cli"), first_text=SCRIPT_TEXT)
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
