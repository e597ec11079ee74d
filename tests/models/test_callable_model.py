"""Python-callable adapter: loading by module or file, labels, code fingerprint, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from audit.core.errors import AuditError
from audit.models.base import Classifier
from audit.models.callable_model import is_callable_spec, load_callable

MODULE = '''
import numpy as np


def predict(texts):
    """Positive when the text mentions 'good'."""
    p = np.array([0.9 if "good" in t else 0.2 for t in texts])
    return np.stack([1 - p, p], axis=1)


def with_labels(texts):
    return predict(texts)


with_labels.labels = ["neg", "pos"]


def bad_output(texts):
    return "not numbers"


class Model:
    @staticmethod
    def score(texts):
        return predict(texts)


NOT_A_FUNCTION = 3
'''


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A fresh module `audit_test_callables` importable from tmp_path."""
    (tmp_path / "audit_test_callables.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "audit_test_callables", raising=False)
    yield tmp_path / "audit_test_callables.py"
    sys.modules.pop("audit_test_callables", None)


def raises_one_line(fn, *fragments: str) -> str:
    with pytest.raises(AuditError) as info:
        fn()
    msg = str(info.value)
    assert "\n" not in msg
    for fragment in fragments:
        assert fragment in msg, msg
    return msg


def test_loads_module_function(module):
    model = load_callable("audit_test_callables:predict", name="rule", labels=["negative", "positive"])
    assert isinstance(model.classifier, Classifier)
    assert model.kind == "callable" and model.id == "rule" and model.source == "audit_test_callables:predict"
    assert model.labels == ["negative", "positive"]
    assert model.details["module"] == "audit_test_callables" and model.details["function"] == "predict"
    np.testing.assert_allclose(model.classifier.predict_proba(["good", "bad"]), [[0.1, 0.9], [0.8, 0.2]])


def test_labels_from_function_attribute_and_dotted_names(module):
    assert load_callable("audit_test_callables:with_labels", name="m", labels=None).labels == ["neg", "pos"]
    assert load_callable("audit_test_callables:with_labels", name="m", labels=["a", "b"]).labels == ["a", "b"]
    model = load_callable("audit_test_callables:Model.score", name="m", labels=[0, 1])
    assert model.labels == ["0", "1"]
    assert model.classifier.predict_proba(["good"]).shape == (1, 2)


def test_loads_from_a_file_path(module):
    model = load_callable(f"{module}:predict", name="file", labels=["n", "p"])
    np.testing.assert_allclose(model.classifier.predict_proba(["good"]), [[0.1, 0.9]])
    assert model.details["file"] == str(module.resolve())


def test_labels_are_required(module):
    raises_one_line(lambda: load_callable("audit_test_callables:predict", name="m", labels=None),
                    "Model 'm'", "no labels", "`labels:` in the model config")


def test_fingerprint_is_stable_and_changes_with_the_code(module):
    spec = "audit_test_callables:predict"
    first = load_callable(spec, name="m", labels=["n", "p"]).fingerprint
    assert first.startswith("sha256:") and len(first) == 71
    assert load_callable(spec, name="other", labels=["a", "b"]).fingerprint == first
    assert load_callable("audit_test_callables:with_labels", name="m", labels=None).fingerprint != first
    module.write_text(MODULE.replace("0.9 if", "0.8 if"))
    sys.modules.pop("audit_test_callables", None)
    assert load_callable(spec, name="m", labels=["n", "p"]).fingerprint != first
    assert load_callable(f"{module}:predict", name="m", labels=["n", "p"]).fingerprint != first


def test_errors_name_the_spec(module, tmp_path):
    raises_one_line(lambda: load_callable("audit_no_such_module_x:f", name="m", labels=["a"]),
                    "Cannot import module 'audit_no_such_module_x'", "'audit_no_such_module_x:f'", "PYTHONPATH")
    raises_one_line(lambda: load_callable("audit_test_callables:nope", name="m", labels=["a"]),
                    "no attribute 'nope'", "'audit_test_callables:nope'")
    raises_one_line(lambda: load_callable("audit_test_callables:NOT_A_FUNCTION", name="m", labels=["a"]),
                    "'audit_test_callables:NOT_A_FUNCTION' is not a function (an object of type int)")
    raises_one_line(lambda: load_callable("audit_test_callables:Model", name="m", labels=["a"]), "is not a function (a class)")
    raises_one_line(lambda: load_callable(f"{tmp_path}/missing.py:f", name="m", labels=["a"]), "not found", "missing.py:f")
    raises_one_line(lambda: load_callable("not a spec", name="m", labels=["a"]), "'package.module:function'")


def test_import_errors_inside_the_module(tmp_path, monkeypatch):
    (tmp_path / "audit_test_broken.py").write_text("import audit_missing_dependency_y\n")
    (tmp_path / "audit_test_raises.py").write_text("raise RuntimeError('boom\\nsecond line')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    raises_one_line(lambda: load_callable("audit_test_broken:f", name="m", labels=["a"]),
                    "Importing module 'audit_test_broken'", "audit_missing_dependency_y")
    raises_one_line(lambda: load_callable("audit_test_raises:f", name="m", labels=["a"]), "RuntimeError: boom")


def test_non_numeric_output(module):
    model = load_callable("audit_test_callables:bad_output", name="m", labels=["a", "b"])
    with pytest.raises(AuditError, match="returned str, not a numeric array"):
        model.classifier.predict_proba(["x"])


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("pkg.mod:predict", True),
        ("mod:Cls.method", True),
        ("path/to/file.py:predict", True),
        ("distilbert-base-uncased", False),
        ("org/model", False),
        ("./models/m.skops", False),
        ("mod:", False),
        ("1mod:f", False),
    ],
)
def test_is_callable_spec(spec, expected):
    assert is_callable_spec(spec) is expected
