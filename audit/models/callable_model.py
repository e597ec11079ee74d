"""Any Python function from texts to probabilities, named ``package.module:function``.

As in CheckList, a model can be just a function: ``f(list[str]) -> array (n, k)``. A spec may
also name a file, ``path/to/file.py:function``. The fingerprint hashes the code, so editing the
function (or its module) invalidates cached predictions.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from audit.core.errors import AuditError
from audit.models.base import LoadedModel

_MODULE_SPEC = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_FILE_SPEC = re.compile(r".+\.py:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")

BAD_SPEC = "Model spec '{spec}' is not 'package.module:function' or 'path/to/file.py:function'. Fix the spec."
MODULE_NOT_FOUND = "Cannot import module '{module}' for model '{spec}': no such module. Install it or add its folder to PYTHONPATH."
IMPORT_FAILED = "Importing module '{module}' for model '{spec}' failed: {reason}. Fix the module so that it imports."
FILE_NOT_FOUND = "Python file '{file}' for model '{spec}' not found. Check the path."
ATTRIBUTE_MISSING = "Module '{module}' has no attribute '{attr}' (model '{spec}'). Check the function name after ':'."
NOT_CALLABLE = "'{spec}' is not a function ({kind}). Name a function taking a list of texts and returning probabilities."
LABELS_REQUIRED = (
    "Model '{name}' ({spec}) has no labels. Give the callable's labels with `labels:` in the model config "
    "(one per probability column), or set a `labels` attribute on the function."
)
BAD_OUTPUT = "Model '{name}' ({spec}) returned {kind}, not a numeric array of probabilities (n_texts, n_labels). Fix the function."


def is_callable_spec(spec: str) -> bool:
    """Whether ``spec`` names a Python function (``module:function`` or ``file.py:function``)."""
    return bool(_MODULE_SPEC.fullmatch(spec) or _FILE_SPEC.fullmatch(spec))


class CallableClassifier:
    """Wraps ``fn(list[str]) -> (n, k)``; the output is checked by the prediction cache."""

    def __init__(self, fn: Callable[[list[str]], Any], labels: list[str], fingerprint: str, name: str, spec: str) -> None:
        self.fn = fn
        self.labels = labels
        self.fingerprint = fingerprint
        self._who = (name, spec)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        out = self.fn(list(texts))
        try:
            return np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            raise AuditError(BAD_OUTPUT.format(name=self._who[0], spec=self._who[1], kind=type(out).__name__)) from None


def load_callable(spec: str, *, name: str, labels: list[str] | None) -> LoadedModel:
    """Import the function named by ``spec``; ``labels`` (or ``fn.labels``) name its columns."""
    if not is_callable_spec(spec):
        raise AuditError(BAD_SPEC.format(spec=spec))
    target, attr = spec.rsplit(":", 1)
    module = _import_file(target, spec) if target.endswith(".py") else _import_module(target, spec)
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise AuditError(ATTRIBUTE_MISSING.format(module=module.__name__, attr=attr, spec=spec))
        obj = getattr(obj, part)
    if not callable(obj) or inspect.isclass(obj):
        raise AuditError(NOT_CALLABLE.format(spec=spec, kind="a class" if inspect.isclass(obj) else f"an object of type {type(obj).__name__}"))
    if labels is None:
        labels = getattr(obj, "labels", None)
    if not labels:
        raise AuditError(LABELS_REQUIRED.format(name=name, spec=spec))
    labels = [str(x) for x in labels]
    fingerprint = code_fingerprint(module, attr, obj)
    details = {"spec": spec, "module": module.__name__, "function": attr}
    if getattr(module, "__file__", None):
        details["file"] = str(module.__file__)
    return LoadedModel(
        id=name,
        source=spec,
        kind="callable",
        classifier=CallableClassifier(obj, labels, fingerprint, name, spec),
        details=details,
    )


def code_fingerprint(module: ModuleType, qualname: str, fn: Any) -> str:
    """sha256 over module name, qualname and source (the module's, else the function's).

    Code without Python source (a C extension) falls back to its module's version, if any.
    """
    h = hashlib.sha256()
    source = None
    for target in (module, fn):
        try:
            source = inspect.getsource(target)
            break
        except (OSError, TypeError):
            continue
    if source is None:
        source = f"<no source; version {getattr(module, '__version__', 'unknown')}>"
    for part in (module.__name__, qualname, source):
        b = part.encode("utf-8")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return "sha256:" + h.hexdigest()


def _import_module(module_name: str, spec: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        top = module_name.split(".")[0]
        here = Path.cwd()
        if err.name == top and str(here) not in sys.path and (
                (here / f"{top}.py").is_file() or (here / top / "__init__.py").is_file()):
            sys.path.insert(0, str(here))  # the user's module in the current directory, as `python -m` would find it
            return _import_module(module_name, spec)
        if err.name and (module_name == err.name or module_name.startswith(err.name + ".")):
            raise AuditError(MODULE_NOT_FOUND.format(module=module_name, spec=spec)) from None
        raise AuditError(IMPORT_FAILED.format(module=module_name, spec=spec, reason=_reason(err))) from None
    except Exception as err:  # the user's module raised while importing
        raise AuditError(IMPORT_FAILED.format(module=module_name, spec=spec, reason=_reason(err))) from None


def _import_file(file: str, spec: str) -> ModuleType:
    """Execute a .py file as a fresh module (registered in sys.modules, so pickling works)."""
    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise AuditError(FILE_NOT_FOUND.format(file=file, spec=spec))
    mod_name = "audit_callable_" + path.stem + "_" + hashlib.sha256(str(path).encode()).hexdigest()[:8]
    module_spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[mod_name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as err:
        del sys.modules[mod_name]
        raise AuditError(IMPORT_FAILED.format(module=str(path), spec=spec, reason=_reason(err))) from None
    return module


def _reason(err: BaseException) -> str:
    lines = [x.strip() for x in str(err).splitlines() if x.strip()]
    return f"{type(err).__name__}: {lines[0][:200]}" if lines else type(err).__name__
