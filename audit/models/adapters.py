"""Model adapters: each claims the specs it understands, loads them, and says which device it needs.

An adapter has ``kind`` (recorded in results.json), ``claims(spec)``, ``load(model_config, name,
device) -> LoadedModel`` and ``resolve_device(requested)`` (None: it runs on the CPU and has no
accelerator to ask about). Plug-in adapters (entry-point group ``audit.models``) are asked before
the built-ins, whose claims are broad (any ``module:function``, any ``org/name``); ``kind:`` in a
model config names one outright. Built-ins import their libraries only in ``load``, so loading a
scikit-learn model never imports torch.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from audit.core.errors import AuditError
from audit.core.registry import Registry
from audit.models.base import LoadedModel
from audit.models.callable_model import is_callable_spec

SKLEARN_SUFFIXES = (".skops", ".joblib", ".pkl", ".pickle")
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")


def _labels(mc: Any) -> list[str] | None:
    return list(mc.labels) if mc.labels else None


def is_local(spec: str) -> bool:
    """Whether ``spec`` names an existing directory or file (a local path wins over any other reading)."""
    path = Path(spec)
    return path.is_dir() or path.is_file()


class ModelAdapter:
    """Base class for adapters (duck typing works too): claims nothing, runs on the CPU."""

    kind: str = ""

    def claims(self, spec: str) -> bool:
        return False

    def load(self, model_config: Any, name: str, device: str) -> LoadedModel:
        raise NotImplementedError

    def resolve_device(self, requested: str) -> str | None:
        return None


class HuggingFaceAdapter(ModelAdapter):
    """A directory saved with save_pretrained (it has config.json), or a hub id ``org/name``."""

    kind = "huggingface"

    def claims(self, spec: str) -> bool:
        path = Path(spec)
        if path.is_dir():
            return (path / "config.json").is_file()
        return not path.is_file() and bool(HUB_ID.match(spec)) and "/" in spec

    def load(self, model_config: Any, name: str, device: str) -> LoadedModel:
        from audit.models.huggingface import load_hf_model

        mc = model_config
        return load_hf_model(mc.spec, name=name, labels=_labels(mc), max_length=mc.max_length,
                             batch_size=mc.batch_size, device=device, precision=mc.precision,
                             trust_remote_code=mc.trust_remote_code)

    def resolve_device(self, requested: str) -> str | None:
        from audit.models.huggingface import resolve_device

        return resolve_device(requested)


class SklearnAdapter(ModelAdapter):
    """A scikit-learn pipeline saved as .skops (or .joblib/.pkl with trust_model)."""

    kind = "sklearn"

    def claims(self, spec: str) -> bool:
        return Path(spec).is_file() and Path(spec).suffix.lower() in SKLEARN_SUFFIXES

    def load(self, model_config: Any, name: str, device: str) -> LoadedModel:
        from audit.models.sklearn_model import load_sklearn_model

        mc = model_config
        return load_sklearn_model(mc.spec, name=name, trust_pickle=mc.trust_model, labels=_labels(mc))


class CallableAdapter(ModelAdapter):
    """A Python function ``package.module:function`` or ``path/to/file.py:function``."""

    kind = "callable"

    def claims(self, spec: str) -> bool:
        return not is_local(spec) and is_callable_spec(spec)

    def load(self, model_config: Any, name: str, device: str) -> LoadedModel:
        from audit.models.callable_model import load_callable

        return load_callable(model_config.spec, name=name, labels=_labels(model_config))


def _check(adapter: Any) -> None:
    kind = getattr(adapter, "kind", None)
    if not isinstance(kind, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", kind):
        raise AuditError(f"Model adapter {adapter!r} has no usable `kind` (a short name like 'onnx'); set one.")
    missing = [m for m in ("claims", "load") if not callable(getattr(adapter, m, None))]
    if missing:
        raise AuditError(f"Model adapter '{kind}' has no {' or '.join(missing)} method; "
                         "subclass audit.models.adapters.ModelAdapter.")


ADAPTERS: Registry[Any] = Registry("model kind", "audit.models", (__name__,), name_of=lambda a: a.kind, check=_check)
BUILTIN_ORDER = (HuggingFaceAdapter(), SklearnAdapter(), CallableAdapter())  # their claims never overlap
for _adapter in BUILTIN_ORDER:
    ADAPTERS.register(_adapter.kind, _adapter, origin=__name__)


def in_priority_order() -> list[Any]:
    """Plug-in adapters first (they add spec forms the broad built-in claims would take), then the built-ins."""
    plugins = [a for name, a in ADAPTERS.items() if ADAPTERS.origin(name) is not None]
    return plugins + [a for a in ADAPTERS.values() if a not in plugins]


def device_of(adapter: Any, requested: str) -> str | None:
    """The adapter's device for ``requested`` (auto, cpu, cuda, mps), or None when it runs on the CPU."""
    hook = getattr(adapter, "resolve_device", None)
    return hook(requested) if callable(hook) else None
