"""Turn a model spec into a loaded classifier, picking the adapter by what the spec is.

A directory with config.json is a Hugging Face model; a .skops/.joblib/.pkl file is a
scikit-learn model; ``package.module:function`` is a Python callable; anything else that looks
like ``org/name`` is a hub id (network only when the user asked for it). Adapters are imported
lazily so that loading a scikit-learn model never imports torch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from audit.config import ModelConfig
from audit.core.errors import AuditError
from audit.models.base import LoadedModel
from audit.models.callable_model import is_callable_spec

SKLEARN_SUFFIXES = (".skops", ".joblib", ".pkl", ".pickle")
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")


def model_kind(spec: str) -> str:
    """'huggingface', 'sklearn' or 'callable' for a spec, or an AuditError saying why none fits."""
    path = Path(spec)
    if path.is_dir():
        if (path / "config.json").is_file():
            return "huggingface"
        raise AuditError(
            f"Model directory '{spec}' has no config.json, so it is not a Hugging Face model. "
            "Point --model at a directory saved with save_pretrained, a .skops file or module:function."
        )
    if path.is_file():
        if path.suffix.lower() in SKLEARN_SUFFIXES:
            return "sklearn"
        raise AuditError(
            f"Model file '{spec}' has an unsupported type '{path.suffix}'. "
            "Use a .skops file (or .joblib/.pkl with --trust-model), a model directory, or module:function."
        )
    if is_callable_spec(spec):
        return "callable"
    if HUB_ID.match(spec) and "/" in spec:
        return "huggingface"
    raise AuditError(
        f"Model '{spec}' not found: no such file or directory, and it is not a hub id (org/name) "
        "or a module:function. Check the path."
    )


def default_name(spec: str) -> str:
    if is_callable_spec(spec) and not os.path.exists(spec):
        return spec.rsplit(":", 1)[1].rsplit(".", 1)[-1]
    name = Path(spec.rstrip("/")).name
    return Path(name).stem if Path(spec).is_file() else name


def load_model(mc: ModelConfig, *, name: str, device: str) -> LoadedModel:
    """Load one model with the adapter its spec calls for."""
    kind = model_kind(mc.spec)
    labels = list(mc.labels) if mc.labels else None
    if kind == "huggingface":
        from audit.models.huggingface import load_hf_model

        return load_hf_model(
            mc.spec,
            name=name,
            labels=labels,
            max_length=mc.max_length,
            batch_size=mc.batch_size,
            device=device,
            precision=mc.precision,
            trust_remote_code=mc.trust_remote_code,
        )
    if kind == "sklearn":
        from audit.models.sklearn_model import load_sklearn_model

        return load_sklearn_model(mc.spec, name=name, trust_pickle=mc.trust_model, labels=labels)
    from audit.models.callable_model import load_callable

    return load_callable(mc.spec, name=name, labels=labels)


def unique_names(configs: list[ModelConfig]) -> list[str]:
    """Display names: the configured one, else derived from the spec (made file-name safe);
    repeats get -2, -3 ..."""
    names: list[str] = []
    for mc in configs:
        base = mc.name or re.sub(r"[^A-Za-z0-9_.-]", "_", default_name(mc.spec)).strip("._-")[:64] or "model"
        name, i = base, 2
        while name in names:
            name, i = f"{base}-{i}", i + 1
        names.append(name)
    return names
