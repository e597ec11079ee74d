"""What ``audit.run`` accepts as models and data, turned into the config the runner reads.

Paths and hub ids stay specs, exactly as on the command line; Python objects ride along in the
config (``ModelConfig.obj``, ``data["frame"]``) and results.json records only their description.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from audit.config import ModelConfig, parse_model_arg
from audit.core.errors import DataError, UnsupportedInputError

MODEL_SETTINGS = ("labels", "max_length", "batch_size", "precision", "trust_model", "trust_remote_code", "kind")
DATA_ACCEPTED = ("a path or hub dataset name (str), a pandas DataFrame, a datasets.Dataset (e.g. one split of a "
                 "DatasetDict) or a DatasetDict with split=")


def model_entries(models: Any) -> list[ModelConfig]:
    """One ModelConfig per model: ``{"name": model, ...}``, a list of ``[NAME=]SPEC`` texts as on the command
    line, or a single model (named by its spec, or "model")."""
    if models is None:
        return []
    if isinstance(models, list):
        if not all(isinstance(m, (str, os.PathLike)) for m in models):
            raise UnsupportedInputError("A list of models holds paths or hub ids ([NAME=]SPEC); give objects by name, "
                                        "as {'name': model, ...}.")
        return [ModelConfig(**parse_model_arg(os.fspath(m))) for m in models]
    if not isinstance(models, Mapping):
        models = {None: models}
    if not models:
        raise UnsupportedInputError("models is empty; pass {'name': model, ...} with at least one model.")
    return [model_entry(name, value) for name, value in models.items()]


def model_entry(name: str | None, value: Any) -> ModelConfig:
    """A path, a hub id, an object, or a mapping of one of those (``spec`` or ``model``) plus settings."""
    if name is not None and not isinstance(name, str):
        raise UnsupportedInputError(f"Model names must be text, not {type(name).__name__} ({name!r}).")
    settings: dict[str, Any] = {}
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"spec", "model", "tokenizer", *MODEL_SETTINGS})
        if unknown or ("spec" in value) == ("model" in value):
            raise UnsupportedInputError(
                f"Model '{name}': a mapping needs 'spec' (a path or hub id) or 'model' (an object), plus any of "
                f"tokenizer, {', '.join(MODEL_SETTINGS)}" + (f"; unknown: {', '.join(unknown)}." if unknown else "."))
        settings = {k: value[k] for k in MODEL_SETTINGS if value.get(k) is not None}
        if settings.get("labels") is not None:
            settings["labels"] = tuple(str(x) for x in settings["labels"])
        tokenizer = value.get("tokenizer")
        value = value["spec"] if "spec" in value else (value["model"], tokenizer) if tokenizer is not None else value["model"]
    if isinstance(value, (str, os.PathLike)):
        return ModelConfig(spec=os.fspath(value), name=name, **settings)
    from audit.models.in_memory import describe, object_kind

    object_kind(value, name or "model")  # an unsupported object fails here, before any data loads
    return ModelConfig(spec=describe(value), name=name or "model", obj=value, **settings)


def data_entry(data: Any, split: str | None) -> dict[str, Any]:
    """The ``data`` mapping of the config: ``source`` (and ``split``), plus ``frame`` for in-memory data."""
    if data is None:
        return {"split": split} if split else {}
    if isinstance(data, (str, os.PathLike)):
        return {"source": os.fspath(data), "split": split}
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return {"source": f"<in memory: pandas DataFrame, {len(data)} rows>", "frame": data, "split": split}
    datasets = _datasets_module(data)
    if datasets is not None and isinstance(data, datasets.DatasetDict):
        splits = list(data)
        if split is None and len(splits) != 1:
            raise DataError(f"data is a DatasetDict with splits {', '.join(splits)}; pass one of them, e.g. "
                            f"data=ds['{splits[-1]}'], or split='{splits[-1]}'.")
        split = split or splits[0]
        if split not in data:
            raise DataError(f"data has no split '{split}'; its splits: {', '.join(splits)}.")
        data = data[split]
    if datasets is not None and isinstance(data, datasets.Dataset):
        name = getattr(data.info, "dataset_name", None) or "datasets.Dataset"
        where = f"{name}, split {data.split}" if data.split is not None else name
        return {"source": f"<in memory: {where}, {data.num_rows} rows>", "frame": data.to_pandas(),
                "split": str(data.split) if data.split is not None else split}
    raise UnsupportedInputError(f"data is a {type(data).__module__}.{type(data).__qualname__}; pass {DATA_ACCEPTED}.")


def _datasets_module(data: Any) -> Any | None:
    """The datasets module when ``data`` could be one of its objects (it is imported), else None."""
    import sys

    return sys.modules.get("datasets") if type(data).__module__.startswith("datasets") else None
