"""The .skops allow-list trusts audit's own PairFeatures class by full name, and nothing else of
audit: no audit function (a FunctionTransformer would call it on the data), no other audit class,
no subclass or alias; a pipeline starting with PairFeatures declares that it reads pairs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from audit.core.errors import AuditError
from audit.models import sklearn_model
from audit.models.sklearn_model import declared_input, is_trusted_type, load_sklearn_model, save_sklearn_model
from audit.training.pair_features import PairFeatures

PAIRS = [("the cat sat on the mat", "a cat lay on the mat"), ("stocks fell sharply today", "the team won the cup"),
         ("he paid the bill", "the bill was paid by him"), ("rain is expected", "the museum opens at noon")] * 3
LABELS = ["same", "other", "same", "other"] * 3

SUBCLASS = '''
from audit.training.pair_features import PairFeatures


class LoudPairFeatures(PairFeatures):
    """Same features; a class outside the allow-list all the same."""
'''


def pair_pipeline(first) -> Pipeline:
    return Pipeline([("pair_features", first), ("clf", LogisticRegression())]).fit(PAIRS, LABELS)


def refused(path, *fragments: str) -> str:
    with pytest.raises(AuditError) as info:
        load_sklearn_model(str(path), name="m")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("Refusing to load") and "--trust-model" in msg
    for fragment in fragments:
        assert fragment in msg, msg
    return msg


def test_pair_features_load_without_the_trust_flag(tmp_path):
    pipe = pair_pipeline(PairFeatures())
    path = tmp_path / "pairs.skops"
    save_sklearn_model(pipe, path)
    model = load_sklearn_model(str(path), name="pairs")
    assert model.details["input"] == "pair" and model.labels == ["other", "same"]
    np.testing.assert_allclose(model.classifier.predict_proba(PAIRS[:4]), pipe.predict_proba(PAIRS[:4]), atol=1e-12)


@pytest.mark.parametrize("name, trusted", [
    ("audit.training.pair_features.PairFeatures", True),
    ("audit.training.pair_features.overlap_figures", False),  # an audit function
    ("audit.training.pair_features._sides", False),
    ("audit.core.fileio.atomic_write_text", False),  # writes files
    ("audit.core.dataset.Dataset", False),  # an audit class not on the list
    ("audit.models.sklearn_model.SklearnClassifier", False),
    ("audit.training.pair_features.PairFeatures.fit", False),
    ("audit.training.pair_features.BaseEstimator", False),  # sklearn's class under an audit module's name
    ("audit.training.pair_features.re", False),
])
def test_allow_list_names(name, trusted):
    assert is_trusted_type(name) is trusted


def test_a_listed_name_must_resolve_to_that_very_class(monkeypatch):
    """An entry that resolves to a function, or to a class defined elsewhere (an alias), is not trusted."""
    monkeypatch.setattr(sklearn_model, "AUDIT_CLASSES", {
        "audit.training.pair_features.overlap_figures": "pair",
        "audit.training.pair_features.BaseEstimator": "pair",
        "audit.training.pair_features.Missing": "pair",
    })
    assert not any(is_trusted_type(name) for name in sklearn_model.AUDIT_CLASSES)


def test_an_audit_function_in_a_function_transformer_is_refused(tmp_path):
    from audit.core.fileio import atomic_write_text

    clf = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit([a for a, _ in PAIRS], LABELS)
    target = tmp_path / "written-by-the-model.txt"
    payload = Pipeline([("payload", FunctionTransformer(atomic_write_text, kw_args={"text": "x"})), ("clf", clf)])
    path = tmp_path / "payload.skops"
    save_sklearn_model(payload, path)
    refused(path, "audit.core.fileio.atomic_write_text", "functions never")
    assert not target.exists()
    # The payload is real: with the flag the step writes the file its caller names.
    model = load_sklearn_model(str(path), name="m", trust_pickle=True)
    model.classifier.estimator.steps[0][1].transform(str(target))
    assert target.read_text() == "x"


def test_a_class_outside_the_list_is_refused(tmp_path, monkeypatch):
    (tmp_path / "audit_test_loud_pairs.py").write_text(SUBCLASS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    from audit_test_loud_pairs import LoudPairFeatures

    pipe = pair_pipeline(LoudPairFeatures())
    path = tmp_path / "loud.skops"
    save_sklearn_model(pipe, path)
    refused(path, "audit_test_loud_pairs.LoudPairFeatures")
    model = load_sklearn_model(str(path), name="loud", trust_pickle=True)
    assert "input" not in model.details  # a subclass is not on the list, so it declares nothing
    np.testing.assert_allclose(model.classifier.predict_proba(PAIRS[:2]), pipe.predict_proba(PAIRS[:2]), atol=1e-12)


def test_declared_input():
    assert declared_input(pair_pipeline(PairFeatures())) == "pair"
    assert declared_input(PairFeatures()) == "pair"
    assert declared_input(make_pipeline(TfidfVectorizer(), LogisticRegression())) is None
    assert declared_input(LogisticRegression()) is None
