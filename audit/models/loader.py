"""Turn a model spec into a loaded classifier, picking the adapter by what the spec is.

A directory with config.json is a Hugging Face model; a .skops/.joblib/.pkl file is a
scikit-learn model; ``package.module:function`` is a Python callable; anything else that looks
like ``org/name`` is a hub id (network only when the user asked for it). Plug-in adapters
(audit/models/adapters.py) may claim other spec forms, and ``kind:`` in a model config names the
adapter outright. Adapters import their libraries lazily, so a scikit-learn model never imports torch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from audit.config import ModelConfig
from audit.core.errors import AuditError
from audit.models import adapters
from audit.models.adapters import SKLEARN_SUFFIXES  # noqa: F401  (re-exported)
from audit.models.base import LoadedModel
from audit.models.callable_model import is_callable_spec


def adapter_for_spec(spec: str) -> Any:
    """The first adapter that claims ``spec``, or an AuditError saying why none fits."""
    for adapter in adapters.in_priority_order():
        if adapter.claims(spec):
            return adapter
    path = Path(spec)
    if path.is_dir():
        raise AuditError(
            f"Model directory '{spec}' has no config.json, so it is not a Hugging Face model. "
            "Point --model at a directory saved with save_pretrained, a .skops file or module:function."
        )
    if path.is_file():
        raise AuditError(
            f"Model file '{spec}' has an unsupported type '{path.suffix}'. "
            "Use a .skops file (or .joblib/.pkl with --trust-model), a model directory, or module:function."
        )
    raise AuditError(
        f"Model '{spec}' not found: no such file or directory, and it is not a hub id (org/name) "
        "or a module:function. Check the path."
    )


def adapter_for(mc: ModelConfig) -> Any:
    """The adapter ``kind:`` names, else the one for the in-memory object, else the one that claims the spec."""
    if mc.obj is not None:
        from audit.models.in_memory import object_kind

        return adapters.ADAPTERS.get(object_kind(mc.obj, mc.name or "model"))
    return adapters.ADAPTERS.get(mc.kind) if mc.kind else adapter_for_spec(mc.spec)


def model_kind(spec: str) -> str:
    """'huggingface', 'sklearn', 'callable' or a plug-in's kind for a spec, or an AuditError saying why none fits."""
    return adapter_for_spec(spec).kind


def default_name(spec: str) -> str:
    if is_callable_spec(spec) and not os.path.exists(spec):
        return spec.rsplit(":", 1)[1].rsplit(".", 1)[-1]
    name = Path(spec.rstrip("/")).name
    return Path(name).stem if Path(spec).is_file() else name


def load_model(mc: ModelConfig, *, name: str, device: str) -> LoadedModel:
    """Load one model with the adapter its spec (or ``kind:``) calls for; an in-memory object is wrapped."""
    if mc.obj is not None:
        from audit.models.in_memory import load_object

        return load_object(mc, name=name, device=device)
    adapter = adapter_for(mc)
    loaded = adapter.load(mc, name=name, device=device)
    if not isinstance(loaded, LoadedModel):
        raise AuditError(f"Model adapter '{adapter.kind}' returned {type(loaded).__name__}, not a LoadedModel, for "
                         f"'{mc.spec}'; fix the adapter's load().")
    return loaded


def unique_names(configs: list[ModelConfig]) -> list[str]:
    """Display names: the configured one, else derived from the spec (made file-name safe);
    repeats get -2, -3 ..."""
    given = [mc.name for mc in configs if mc.name]
    twice = sorted({n for n in given if given.count(n) > 1})
    if twice:
        raise AuditError(f"Model name(s) {', '.join(repr(n) for n in twice)} given to more than one model; give each "
                         "model its own name (NAME=SPEC), or none to derive it from the spec.")
    names: list[str] = []
    for mc in configs:
        base = mc.name or re.sub(r"[^A-Za-z0-9_.-]", "_", default_name(mc.spec)).strip("._-")[:64] or "model"
        name, i = base, 2
        while name in names:
            name, i = f"{base}-{i}", i + 1
        names.append(name)
    return names
