"""scikit-learn adapter: skops round trip, the type allow-list, pickle refusal, errors."""

from __future__ import annotations

import hashlib

import joblib
import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from audit.core.errors import AuditError
from audit.models.base import Classifier
from audit.models.sklearn_model import is_trusted_type, load_sklearn_model, save_sklearn_model

TEXTS = ["good fun film", "great acting", "loved it", "bad plot", "awful acting", "hated it"] * 3
LABELS = ["pos", "pos", "pos", "neg", "neg", "neg"] * 3
PROBE = ["good plot", "awful fun", "unseen words entirely", ""]


@pytest.fixture
def pipeline():
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", LogisticRegression())])
    return pipe.fit(TEXTS, LABELS)


def raises_one_line(fn, *fragments: str) -> str:
    with pytest.raises(AuditError) as info:
        fn()
    msg = str(info.value)
    assert "\n" not in msg
    for fragment in fragments:
        assert fragment in msg, msg
    return msg


def test_skops_round_trip_matches_in_memory_pipeline(tmp_path, pipeline):
    path = tmp_path / "m.skops"
    save_sklearn_model(pipeline, path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.skops"]  # no temp file left behind
    model = load_sklearn_model(str(path), name="tfidf")
    assert isinstance(model.classifier, Classifier)
    assert model.kind == "sklearn" and model.id == "tfidf" and model.source == str(path)
    assert model.labels == ["neg", "pos"]
    assert model.details == {"estimator": "Pipeline", "format": "skops", "steps": ["tfidf", "clf"]}
    np.testing.assert_allclose(model.classifier.predict_proba(PROBE), pipeline.predict_proba(PROBE), rtol=0, atol=1e-12)
    assert model.classifier.predict_proba([]).shape == (0, 2)


def test_fingerprint_is_file_sha256_and_stable(tmp_path, pipeline):
    path = tmp_path / "m.skops"
    save_sklearn_model(pipeline, path)
    first = load_sklearn_model(str(path), name="a").fingerprint
    assert first == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert load_sklearn_model(str(path), name="b").fingerprint == first
    save_sklearn_model(pipeline.set_params(clf__C=0.01).fit(TEXTS, LABELS), path)
    assert load_sklearn_model(str(path), name="a").fingerprint != first


def test_integer_classes_become_strings_and_labels_can_be_overridden(tmp_path):
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(TEXTS, [1 if y == "pos" else 0 for y in LABELS])
    path = tmp_path / "i.skops"
    save_sklearn_model(pipe, path)
    assert load_sklearn_model(str(path), name="m").labels == ["0", "1"]
    assert load_sklearn_model(str(path), name="m", labels=["negative", "positive"]).labels == ["negative", "positive"]
    raises_one_line(lambda: load_sklearn_model(str(path), name="m", labels=["a", "b", "c"]),
                    "has 2 classes (0, 1) but 3 labels were given")


@pytest.mark.parametrize("ext", [".joblib", ".pkl", ".pickle"])
def test_pickle_refused_without_flag_and_loaded_with_it(tmp_path, pipeline, ext):
    path = tmp_path / f"m{ext}"
    joblib.dump(pipeline, path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="m"), "Refusing to unpickle", "runs any code", "--trust-model")
    model = load_sklearn_model(str(path), name="m", trust_pickle=True)
    assert model.details["format"] == "pickle"
    np.testing.assert_allclose(model.classifier.predict_proba(PROBE), pipeline.predict_proba(PROBE))


def test_sklearn_private_types_are_allowed_without_flag(tmp_path):
    pipe = make_pipeline(TfidfVectorizer(), CalibratedClassifierCV(LogisticRegression(), cv=2)).fit(TEXTS, LABELS)
    path = tmp_path / "cal.skops"
    save_sklearn_model(pipe, path)
    import skops.io as sio

    assert any(t.startswith("sklearn.calibration.") for t in sio.get_untrusted_types(file=path))
    model = load_sklearn_model(str(path), name="cal")
    np.testing.assert_allclose(model.classifier.predict_proba(PROBE), pipe.predict_proba(PROBE))


CUSTOM = '''
from sklearn.base import BaseEstimator, TransformerMixin

class Lower(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [t.lower() for t in X]
'''


def test_foreign_types_need_the_trust_flag(tmp_path, monkeypatch):
    (tmp_path / "audit_test_custom_step.py").write_text(CUSTOM)
    monkeypatch.syspath_prepend(str(tmp_path))
    from audit_test_custom_step import Lower

    pipe = make_pipeline(Lower(), TfidfVectorizer(), LogisticRegression()).fit(TEXTS, LABELS)
    path = tmp_path / "custom.skops"
    save_sklearn_model(pipe, path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="c"),
                    "audit_test_custom_step.Lower", "allow-list", "--trust-model")
    model = load_sklearn_model(str(path), name="c", trust_pickle=True)
    np.testing.assert_allclose(model.classifier.predict_proba(["GOOD fun"]), pipe.predict_proba(["GOOD fun"]))


def test_file_touching_numpy_functions_are_not_allowed(tmp_path):
    path = tmp_path / "f.skops"
    save_sklearn_model(FunctionTransformer(np.save), path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="f"), "numpy.save", "--trust-model")


def _payload_pipeline(func, **kw_args) -> Pipeline:
    """A fitted text classifier with a hostile first step (never fitted: fitting would run it)."""
    clf = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(TEXTS, LABELS)
    return Pipeline([("payload", FunctionTransformer(func, kw_args=kw_args)), ("clf", clf)])


def test_open_memmap_payload_is_refused_and_would_write_a_file(tmp_path):
    """Defect: numpy.* functions passed the allow-list, so a model could write files on predict."""
    from numpy.lib.format import open_memmap

    target = tmp_path / "written-by-the-model.npy"
    path = tmp_path / "memmap.skops"
    save_sklearn_model(_payload_pipeline(open_memmap, mode="w+", dtype="uint8", shape=(1,)), path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="m"),
                    "numpy.lib.format.open_memmap", "functions never", "--trust-model")
    assert not target.exists()
    # The payload is real: with the flag the step writes the file its author chose.
    model = load_sklearn_model(str(path), name="m", trust_pickle=True)
    model.classifier.estimator.steps[0][1].transform(str(target))
    assert target.exists()


def test_datasource_open_payload_is_refused(tmp_path, monkeypatch):
    """Defect: numpy.lib._datasource.open (an HTTP fetch for a URL) loaded without the flag."""
    import socket

    from numpy.lib import _datasource

    opened = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: opened.append(addr))
    path = tmp_path / "fetch.skops"
    save_sklearn_model(_payload_pipeline(_datasource.open, destpath=str(tmp_path)), path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="d"), "numpy.lib._datasource.open", "--trust-model")
    assert opened == []


def test_sklearn_functions_need_the_flag_too(tmp_path):
    from sklearn.preprocessing import normalize

    path = tmp_path / "n.skops"
    save_sklearn_model(_payload_pipeline(normalize), path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="n"), "sklearn.preprocessing._data.normalize", "--trust-model")


@pytest.mark.parametrize(
    "name, trusted",
    [
        ("sklearn.calibration._CalibratedClassifier", True),
        ("sklearn.calibration._SigmoidCalibration", True),
        ("sklearn.preprocessing._data.normalize", False),
        ("sklearn.utils._testing.TempMemmap", False),
        ("sklearn.calibration.np", False),
        ("sklearn.nonexistent.Thing", False),
        ("numpy.memmap", False),
        ("numpy.load", False),
        ("numpy.lib.format.open_memmap", False),
        ("numpy.lib._datasource.open", False),
        ("numpy.lib._datasource.DataSource", False),
        ("numpy.f2py.compile", False),
        ("scipy.io.mmwrite", False),
        ("sklearn.datasets.fetch_openml", False),
        ("posix.system", False),
        ("sklearnx.Evil", False),
        ("builtins.eval", False),
    ],
)
def test_allow_list(name, trusted):
    assert is_trusted_type(name) is trusted


def test_estimator_without_predict_proba(tmp_path):
    path = tmp_path / "svc.skops"
    save_sklearn_model(make_pipeline(TfidfVectorizer(), LinearSVC()).fit(TEXTS, LABELS), path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="svc"), "has no predict_proba", "fitted classifier")


def test_unfitted_estimator_has_no_classes(tmp_path):
    path = tmp_path / "u.skops"
    save_sklearn_model(make_pipeline(TfidfVectorizer(), LogisticRegression()), path)
    raises_one_line(lambda: load_sklearn_model(str(path), name="u"), "has no classes_")


def test_missing_unsupported_and_corrupt_files(tmp_path):
    raises_one_line(lambda: load_sklearn_model(str(tmp_path / "x.skops"), name="x"), "not found")
    other = tmp_path / "m.onnx"
    other.write_bytes(b"x")
    raises_one_line(lambda: load_sklearn_model(str(other), name="x"), "unsupported extension '.onnx'", ".skops")
    corrupt = tmp_path / "c.skops"
    corrupt.write_bytes(b"not a zip file")
    raises_one_line(lambda: load_sklearn_model(str(corrupt), name="x"), "Cannot load scikit-learn model", "BadZipFile")
