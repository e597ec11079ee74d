"""Shared inputs for the Python API tests: the small TF-IDF audit as files and as Python objects."""

from __future__ import annotations

import pandas as pd
import pytest

from tfidf_workdir import build_tfidf_workdir


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    """tfidf.skops and test.csv (60 rows, columns text, label, gender, religion ...)."""
    return build_tfidf_workdir(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="session")
def estimator(workdir):
    """The fitted pipeline of tfidf.skops, as an in-memory object."""
    from audit.models.sklearn_model import load_sklearn_model

    return load_sklearn_model(str(workdir / "tfidf.skops"), name="m").classifier.estimator


@pytest.fixture()
def frame(workdir) -> pd.DataFrame:
    return pd.read_csv(workdir / "test.csv")
