"""scikit-learn text classifiers (a Pipeline from raw text to classes) saved with skops or pickle.

Unpickling runs arbitrary code, so ``.joblib``/``.pkl`` files load only with ``trust_pickle``
(``--trust-model``). A ``.skops`` file names every type and function it rebuilds; without the
flag it may hold only what skops trusts by default plus scikit-learn *estimator classes*
(e.g. ``sklearn.calibration._CalibratedClassifier``) and the few audit estimator classes named in
``AUDIT_CLASSES``. Functions are never accepted: a ``FunctionTransformer`` calls its ``func`` on
the input, so an allowed ``numpy.lib.format.open_memmap`` writes files and
``numpy.lib._datasource.open`` makes requests.
"""

from __future__ import annotations

import hashlib
import importlib
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from audit.core.errors import AuditError
from audit.core.fileio import temp_path_for
from audit.models.base import LoadedModel, split_inputs

SKOPS_EXTENSIONS = (".skops",)
PICKLE_EXTENSIONS = (".joblib", ".pkl", ".pickle")

# Beyond skops' own defaults, only classes defined in scikit-learn (outside these modules, which
# read files, download or exist for tests) that behave as estimators load without --trust-model.
TRUSTED_CLASS_PACKAGE = "sklearn."
DENIED_MODULE_PREFIXES = ("sklearn.datasets", "sklearn.externals", "sklearn.utils._testing")
ESTIMATOR_METHODS = ("fit", "predict", "predict_proba", "transform")
# audit's own estimator classes that load without --trust-model, by full name (these classes only:
# no other audit class, no audit function), each with the input it reads as a pipeline's first step.
AUDIT_CLASSES = {"audit.training.pair_features.PairFeatures": "pair"}

PAIRS_REFUSED = ("Model '{name}' cannot read sentence pairs ({reason}); it looks like a single-text pipeline. Audit "
                 "it on single texts (drop --text-pair-col), or give a pipeline whose first step takes "
                 "(text, text_pair) tuples.")
NOT_FOUND = "Model file not found: '{path}'. Check the path."
UNSUPPORTED = "Cannot load '{path}' as a scikit-learn model: unsupported extension '{ext}'. Save it with skops (.skops) or joblib (.joblib, .pkl)."
PICKLE_REFUSED = (
    "Refusing to unpickle '{path}': loading a pickle/joblib file runs any code inside it. "
    "Re-save the model with skops (.skops), or pass --trust-model if you trust its source."
)
UNTRUSTED_TYPES = (
    "Refusing to load '{path}': it contains types outside the allow-list (skops defaults, scikit-learn "
    "estimator classes and audit's PairFeatures; functions never), which could run code: {types}. Pass --trust-model if you trust its source."
)
LOAD_FAILED = "Cannot load scikit-learn model '{path}': {reason}. Check that the file is complete and was saved with compatible versions."
NOT_A_CLASSIFIER = "Model '{path}' ({cls}) has no {missing}; it must be a fitted classifier with predict_proba (e.g. a Pipeline ending in LogisticRegression)."
LABELS_MISMATCH = "Model '{name}' has {n} classes ({classes}) but {m} labels were given; give exactly one label per class, in classes_ order."


class SklearnClassifier:
    """Texts in, ``estimator.predict_proba(list_of_str)`` out; a sentence-pair pipeline gets the
    (text, text_pair) tuples as they are (its first step must take them)."""

    def __init__(self, estimator: Any, labels: list[str], fingerprint: str, name: str = "model") -> None:
        self.estimator = estimator
        self.labels = labels
        self.fingerprint = fingerprint
        self.name = name

    def predict_proba(self, texts: list[Any]) -> np.ndarray:
        first, second = split_inputs(list(texts))
        if not first:
            return np.zeros((0, len(self.labels)))
        if second is None:
            return np.asarray(self.estimator.predict_proba(first), dtype=np.float64)
        try:
            return np.asarray(self.estimator.predict_proba(list(zip(first, second))), dtype=np.float64)
        except (TypeError, ValueError, AttributeError) as err:  # e.g. a TfidfVectorizer given tuples
            raise AuditError(PAIRS_REFUSED.format(name=self.name, reason=f"{type(err).__name__}: {err}"[:200])) from None


def is_trusted_type(name: str) -> bool:
    """Whether a type skops reports as untrusted may load without ``--trust-model``.

    True only for a class defined in scikit-learn that behaves as an estimator (``BaseEstimator``
    or fit/predict/transform methods), or for a class named in ``AUDIT_CLASSES``. Names are
    resolved by importing those modules only, the way skops resolves them (module, then one
    attribute), so what is checked is what loads.
    """
    if name in AUDIT_CLASSES:
        return _is_audit_class(name)
    if not name.startswith(TRUSTED_CLASS_PACKAGE) or name.startswith(DENIED_MODULE_PREFIXES):
        return False
    module_name, _, attr = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        return False
    if not isinstance(obj, type) or not str(getattr(obj, "__module__", "")).startswith(TRUSTED_CLASS_PACKAGE):
        return False
    from sklearn.base import BaseEstimator

    return issubclass(obj, BaseEstimator) or any(callable(getattr(obj, m, None)) for m in ESTIMATOR_METHODS)


def _is_audit_class(name: str) -> bool:
    """The name resolves to an estimator class defined under that very name (not a function, not an alias)."""
    module_name, _, attr = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        return False
    from sklearn.base import BaseEstimator

    return (isinstance(obj, type) and issubclass(obj, BaseEstimator)
            and f"{obj.__module__}.{obj.__qualname__}" == name)


def declared_input(estimator: Any) -> str | None:
    """``"pair"`` when the pipeline's first step is an audit class that reads pairs; None: not declared."""
    steps = getattr(estimator, "steps", None)
    first = type(steps[0][1] if steps else estimator)
    return AUDIT_CLASSES.get(f"{first.__module__}.{first.__qualname__}")


def load_sklearn_model(path: str, *, name: str, trust_pickle: bool = False, labels: list[str] | None = None) -> LoadedModel:
    """Load a fitted estimator from ``.skops`` (checked types) or pickle (only with ``trust_pickle``)."""
    file = Path(path).expanduser()
    ext = file.suffix.lower()
    if not file.is_file():
        raise AuditError(NOT_FOUND.format(path=path))
    if ext not in SKOPS_EXTENSIONS + PICKLE_EXTENSIONS:
        raise AuditError(UNSUPPORTED.format(path=path, ext=ext or "(none)"))
    if ext in PICKLE_EXTENSIONS:
        if not trust_pickle:
            raise AuditError(PICKLE_REFUSED.format(path=path))
        estimator = _load(path, lambda: _load_pickle(file))
    else:
        estimator = _load(path, lambda: _load_skops(file, path, trust_pickle))
    missing = [a for a in ("predict_proba", "classes_") if not hasattr(estimator, a)]
    if missing:
        raise AuditError(NOT_A_CLASSIFIER.format(path=path, cls=type(estimator).__name__, missing=" or ".join(missing)))
    classes = [str(c) for c in estimator.classes_]
    if labels is not None:
        if len(labels) != len(classes):
            raise AuditError(LABELS_MISMATCH.format(name=name, n=len(classes), classes=", ".join(classes), m=len(labels)))
        classes = [str(x) for x in labels]
    details: dict[str, Any] = {"estimator": type(estimator).__name__, "format": "pickle" if ext in PICKLE_EXTENSIONS else "skops"}
    if hasattr(estimator, "steps"):
        details["steps"] = [step for step, _ in estimator.steps]
    if (reads := declared_input(estimator)) is not None:
        details["input"] = reads  # checked against the data by the runner
    return LoadedModel(
        id=name,
        source=str(path),
        kind="sklearn",
        classifier=SklearnClassifier(estimator, classes, file_sha256(file), name=name),
        details=details,
    )


def save_sklearn_model(estimator: Any, path: str | Path) -> None:
    """Write ``estimator`` with skops, atomically (temp file, then rename).

    Vectorizer vocabularies are first turned from numpy to Python ints (same behaviour):
    skops stores every numpy scalar as a separate array file, which took ~45 s for a 45k-term
    vocabulary and well under a second with ints.
    """
    import skops.io as sio

    _plain_int_vocabularies(estimator)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(target)
    try:
        sio.dump(estimator, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=6)  # ~25x smaller, no slower
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _plain_int_vocabularies(estimator: Any) -> None:
    parts = [estimator]
    if hasattr(estimator, "get_params"):
        parts += [v for v in estimator.get_params(deep=True).values() if hasattr(v, "get_params")]
    for part in parts:
        vocab = getattr(part, "vocabulary_", None)
        if isinstance(vocab, dict) and any(isinstance(v, np.integer) for v in vocab.values()):
            part.vocabulary_ = {k: int(v) for k, v in vocab.items()}


def _load_skops(file: Path, path: str, trust: bool) -> Any:
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=file)
    refused = [t for t in untrusted if not is_trusted_type(t)]
    if refused and not trust:
        raise AuditError(UNTRUSTED_TYPES.format(path=path, types=", ".join(refused)))
    return sio.load(file, trusted=untrusted)


def _load_pickle(file: Path) -> Any:
    import joblib  # a scikit-learn dependency; reads plain pickles too

    return joblib.load(file)


def _load(path: str, loader) -> Any:
    try:
        return loader()
    except AuditError:
        raise
    except Exception as err:  # corrupt zip, missing module of a pickled class, version skew...
        lines = [x for x in str(err).splitlines() if x.strip()]
        reason = f"{type(err).__name__}: {lines[0].strip()[:200]}" if lines else type(err).__name__
        raise AuditError(LOAD_FAILED.format(path=path, reason=reason)) from None


def file_sha256(file: Path) -> str:
    h = hashlib.sha256()
    with open(file, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()
