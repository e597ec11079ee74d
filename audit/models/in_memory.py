"""Models handed over as Python objects (the Python API): a transformers model with its tokenizer,
a ``pipeline("text-classification")``, a fitted estimator with ``predict_proba``, or a callable.

Each gets a fingerprint from its content (weights and tokenizer, fitted parameters, or code and
the values it reads), so the prediction cache and ``resume`` treat an unchanged object as the same
model across runs and a refitted one as new. An object whose content cannot be read (a callable
over unpicklable state) gets a fingerprint valid for this run only, and results.json says so.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import pickle
import secrets
import sys
from typing import Any

from audit.core.errors import ModelError, UnsupportedInputError
from audit.models.base import LoadedModel
from audit.models.fingerprint_objects import canonical_pickle, code_and_values

ACCEPTED = ("a path or hub id (str), a transformers model with its tokenizer as (model, tokenizer), a "
            "transformers pipeline('text-classification'), a fitted estimator with predict_proba (e.g. a "
            "scikit-learn Pipeline), or a callable from a list of texts to probabilities")
UNSUPPORTED = "Model '{name}' is a {kind}, which audit cannot use; pass {accepted}."
NEEDS_TOKENIZER = ("Model '{name}' is a transformers model without its tokenizer; pass (model, tokenizer), or "
                   "{{'model': model, 'tokenizer': tokenizer}}.")
WRONG_TASK = "Model '{name}' is a transformers pipeline for '{task}'; pass a pipeline('text-classification')."
NO_PREDICT_PROBA = ("Model '{name}' ({cls}) has no predict_proba; audit needs class probabilities: use a classifier "
                    "that has it (e.g. LogisticRegression, or CalibratedClassifierCV around an SVM).")
NO_CLASSES = ("Model '{name}' ({cls}) has no classes_ (is it fitted?) and no labels were given; fit it, or pass "
              "labels=[...] in the order of its probability columns.")
NO_LABELS = ("Model '{name}' (a callable) has no labels; pass them as audit.run(..., labels=[...]) or "
             "{{'model': fn, 'labels': [...]}}, or set fn.labels.")
LABEL_COUNT = "Model '{name}' has {n} classes ({classes}) but {m} labels were given; give one label per class, in order."


def _transformers() -> Any | None:
    """The transformers module if some object could come from it (it is imported), else None."""
    return sys.modules.get("transformers")


def object_kind(obj: Any, name: str = "model") -> str:
    """'huggingface', 'sklearn' or 'callable' for an accepted object; an UnsupportedInputError otherwise."""
    tf = _transformers()
    if isinstance(obj, tuple):
        if len(obj) == 2 and tf is not None and isinstance(obj[0], tf.PreTrainedModel):
            return "huggingface"
        raise UnsupportedInputError(UNSUPPORTED.format(name=name, kind=f"tuple of {len(obj)}", accepted=ACCEPTED))
    if tf is not None and isinstance(obj, tf.Pipeline):
        return "huggingface"
    if tf is not None and isinstance(obj, tf.PreTrainedModel):
        raise UnsupportedInputError(NEEDS_TOKENIZER.format(name=name))
    if hasattr(obj, "predict_proba"):
        return "sklearn"
    if hasattr(obj, "fit") and hasattr(obj, "predict"):  # an estimator, but without probabilities
        raise ModelError(NO_PREDICT_PROBA.format(name=name, cls=type(obj).__name__))
    if callable(obj) and not inspect.isclass(obj):
        return "callable"
    raise UnsupportedInputError(UNSUPPORTED.format(name=name, kind=describe_type(obj), accepted=ACCEPTED))


def describe_type(obj: Any) -> str:
    cls = type(obj)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def describe(obj: Any) -> str:
    """What results.json records as the model's source: the object's type, marked as in memory."""
    if isinstance(obj, tuple):
        return f"<in memory: {describe_type(obj[0])} with {describe_type(obj[1])}>"
    return f"<in memory: {describe_type(obj)}>"


def load_object(mc: Any, *, name: str, device: str) -> LoadedModel:
    """The LoadedModel for ``mc.obj`` (settings such as labels, max_length and precision from ``mc``)."""
    obj = mc.obj
    kind = object_kind(obj, name)
    labels = list(mc.labels) if mc.labels else None
    if kind == "huggingface":
        return _transformers_model(obj, mc, name=name, device=device, labels=labels)
    if kind == "sklearn":
        return _estimator(obj, name=name, labels=labels, source=mc.spec)
    return _callable(obj, name=name, labels=labels, source=mc.spec)


def _transformers_model(obj: Any, mc: Any, *, name: str, device: str, labels: list[str] | None) -> LoadedModel:
    from audit.models.huggingface import (HFClassifier, _labels_from, configure_cpu_threads, resolve_device,
                                          resolve_precision)

    if isinstance(obj, tuple):
        model, tokenizer = obj
    else:
        if getattr(obj, "task", None) not in ("text-classification", "sentiment-analysis"):
            raise UnsupportedInputError(WRONG_TASK.format(name=name, task=getattr(obj, "task", "?")))
        model, tokenizer = obj.model, obj.tokenizer
    dev = resolve_device(device)
    prec = resolve_precision(mc.precision, dev)
    if dev == "cpu":
        configure_cpu_threads()
    clf = HFClassifier(model, tokenizer, labels=_labels_from(model.config, labels, name),
                       fingerprint=weights_fingerprint(model, tokenizer), max_length=mc.max_length,
                       batch_size=mc.batch_size, device=dev, precision=prec)
    details = {"max_length": clf.max_length, "batch_size": mc.batch_size, "device": dev, "precision": prec,
               "num_parameters": int(sum(p.numel() for p in model.parameters())),
               "architecture": type(model).__name__, "in_memory": True, "fingerprint_of": "weights and tokenizer"}
    return LoadedModel(id=name, source=mc.spec, kind="huggingface", classifier=clf, details=details)


def weights_fingerprint(model: Any, tokenizer: Any) -> str:
    """sha256 over the architecture, every tensor of the state dict (name, dtype, shape, bytes) and the tokenizer."""
    import torch

    h = hashlib.sha256()
    _update(h, type(model).__qualname__)
    for key, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous().reshape(-1)
        _update(h, f"{key}|{t.dtype}|{tuple(tensor.shape)}")
        h.update(memoryview(t.view(torch.uint8).numpy()))
    backend = getattr(tokenizer, "backend_tokenizer", None)
    vocab = backend.to_str() if backend is not None else json.dumps(sorted(tokenizer.get_vocab().items()))
    _update(h, vocab)
    _update(h, json.dumps([type(tokenizer).__name__, getattr(tokenizer, "padding_side", None),
                           getattr(tokenizer, "truncation_side", None), getattr(tokenizer, "do_lower_case", None)]))
    return "sha256:" + h.hexdigest()


def _estimator(obj: Any, *, name: str, labels: list[str] | None, source: str) -> LoadedModel:
    from audit.models.sklearn_model import SklearnClassifier, declared_input

    classes = getattr(obj, "classes_", None)
    if classes is None and labels is None:
        raise ModelError(NO_CLASSES.format(name=name, cls=type(obj).__name__))
    if labels is not None and classes is not None and len(labels) != len(classes):
        raise ModelError(LABEL_COUNT.format(name=name, n=len(classes), classes=", ".join(map(str, classes)),
                                            m=len(labels)))
    names = [str(x) for x in (labels if labels is not None else classes if classes is not None else ())]
    fingerprint, basis = _content_fingerprint(obj, "fitted parameters")
    details: dict[str, Any] = {"estimator": type(obj).__name__, "in_memory": True, "fingerprint_of": basis}
    if hasattr(obj, "steps"):
        details["steps"] = [step for step, _ in obj.steps]
    if (reads := declared_input(obj)) is not None:
        details["input"] = reads
    return LoadedModel(id=name, source=source, kind="sklearn",
                       classifier=SklearnClassifier(obj, names, fingerprint, name=name), details=details)


def _callable(fn: Any, *, name: str, labels: list[str] | None, source: str) -> LoadedModel:
    from audit.models.callable_model import CallableClassifier

    labels = labels if labels is not None else getattr(fn, "labels", None)
    if not labels:
        raise ModelError(NO_LABELS.format(name=name))
    try:
        blob, basis = code_and_values(fn), "code and the values it reads"
        fingerprint = "sha256:" + hashlib.sha256(blob).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, OSError, RecursionError) as err:
        fingerprint, basis = _this_run_only(err)
    details = {"function": getattr(fn, "__qualname__", type(fn).__name__), "in_memory": True, "fingerprint_of": basis}
    module = getattr(fn, "__module__", None)
    if isinstance(module, str):
        details["module"] = module
    return LoadedModel(id=name, source=source, kind="callable",
                       classifier=CallableClassifier(fn, [str(x) for x in labels], fingerprint, name, source),
                       details=details)


def _content_fingerprint(obj: Any, basis: str) -> tuple[str, str]:
    try:
        return "sha256:" + hashlib.sha256(canonical_pickle(obj)).hexdigest(), basis
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError) as err:
        return _this_run_only(err)


def _this_run_only(err: BaseException) -> tuple[str, str]:
    """A fingerprint no other run shares: cached predictions are reused within this run only."""
    reason = f"{type(err).__name__}: {str(err).splitlines()[0][:120] if str(err) else ''}".rstrip(": ")
    return f"run-only:{secrets.token_hex(16)}", f"this run only (content not readable: {reason})"


def _update(h: Any, text: str) -> None:
    b = text.encode("utf-8")
    h.update(len(b).to_bytes(8, "little"))
    h.update(b)

