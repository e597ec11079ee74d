"""Hugging Face sequence classifiers (local directory or hub id) as :class:`Classifier`.

The only module of the project that imports torch/transformers at top level: everything else
imports it lazily, so ``audit --help`` stays light. Inference sorts texts by tokenized length
and pads each batch to its longest member (dynamic padding), which on short texts is several
times less compute than padding every query to ``max_length``.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

# Idle OpenMP threads sleep instead of spinning. With another process on the cores (CI, a second
# audit) spinning threads made MiniLM inference 4x and tiny-BERT training 10-70x slower on the
# 2-core dev machine, at < 5% cost when idle. Only works before torch is first imported; a
# user's own OMP_WAIT_POLICY wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import SafetensorError  # noqa: E402
from transformers import AutoModelForSequenceClassification, AutoTokenizer  # noqa: E402

from audit.core.errors import AuditError
from audit.models.base import LoadedModel, split_inputs
from audit.models.hf_batching import collate, pad_values_for, takes_position_ids
from audit.models.hf_explain import HFExplanations
from audit.models.hf_source import (  # noqa: F401  (re-exported for the trainer)
    fingerprint_dir,
    hub_kwargs,
    load_error,
    snapshot_dir,
)

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
# config.json key `audit train` writes: what the model reads, "pair" or "text" (absent: not declared).
INPUT_MARKER = "audit_input"
INPUTS = ("pair", "text")
_AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
# What a model that cannot load raises (missing/corrupt files, size mismatches, missing packages).
# TypeError too: transformers raises it for a directory without tokenizer files.
LOAD_ERRORS = (OSError, ValueError, KeyError, RuntimeError, ImportError, SafetensorError, TypeError, AttributeError)


# ----------------------------------------------------------------------------- environment

def resolve_device(device: str) -> str:
    """``auto`` -> cuda, then mps, then cpu; an explicit device that is absent is an AuditError."""
    d = (device or "auto").strip().lower()
    if d == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if d == "cpu":
        return "cpu"
    if d == "cuda" or d.startswith("cuda:"):
        if not torch.cuda.is_available():
            build = "a CPU-only torch build" if torch.version.cuda is None else "no visible GPU"
            raise AuditError(f"Device '{device}' was requested but CUDA is not available ({build}); use device 'auto' or 'cpu'.")
        index = d.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise AuditError(f"Device '{device}' does not exist; this machine has {torch.cuda.device_count()} GPU(s) (cuda:0 ...).")
        return d
    if d == "mps":
        if getattr(torch.backends, "mps", None) is None or not torch.backends.mps.is_available():
            raise AuditError("Device 'mps' was requested but Apple MPS is not available; use device 'auto' or 'cpu'.")
        return "mps"
    raise AuditError(f"Unknown device '{device}'; use auto, cpu, cuda, cuda:N or mps.")


def resolve_precision(precision: str, device: str) -> str:
    """``auto`` -> bf16 (or fp16 where bf16 is unsupported) on CUDA, fp32 elsewhere."""
    p = (precision or "auto").strip().lower()
    if p not in PRECISIONS:
        raise AuditError(f"Unknown precision '{precision}'; use one of {', '.join(PRECISIONS)}.")
    if not device.startswith("cuda"):
        if p in ("auto", "fp32"):
            return "fp32"
        raise AuditError(f"Precision '{p}' needs a CUDA GPU but the model runs on '{device}'; use precision 'auto' or 'fp32'.")
    if p == "auto":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if p == "bf16" and not torch.cuda.is_bf16_supported():
        raise AuditError("Precision 'bf16' is not supported by this GPU; use precision 'fp16', 'fp32' or 'auto'.")
    return p


def configure_cpu_threads() -> int:
    """Use every CPU this process may run on, but no more (torch can count the host's cores)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        available = os.cpu_count() or 1
    try:  # a container's CPU quota (cgroup v2), e.g. docker --cpus=2
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            available = min(available, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    if "OMP_NUM_THREADS" not in os.environ and torch.get_num_threads() > available:
        torch.set_num_threads(available)
    return torch.get_num_threads()


def autocast(device: str, precision: str):
    """A CUDA autocast context for bf16/fp16, or a no-op for fp32."""
    if precision in _AMP_DTYPES:
        return torch.autocast(device_type="cuda", dtype=_AMP_DTYPES[precision])
    return contextlib.nullcontext()


# ----------------------------------------------------------------------------- batching
def effective_max_length(tokenizer: Any, config: Any, max_length: int) -> int:
    """``max_length`` capped by what the model can embed (tokenizer limit or positions)."""
    if max_length < 1:
        raise AuditError(f"max_length must be a positive number of tokens, got {max_length}.")
    limit = getattr(tokenizer, "model_max_length", None)
    if not limit or limit > 100_000:  # transformers' "no limit" sentinel is ~1e30
        limit = getattr(config, "max_position_embeddings", None)
    return min(max_length, int(limit)) if limit else max_length


def ensure_pad_token(model: Any, tokenizer: Any) -> None:
    """Decoder-style classifiers (GPT-2) ship no pad token; batching needs one."""
    if tokenizer.pad_token_id is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    if getattr(model.config, "pad_token_id", None) is None and tokenizer.pad_token_id is not None:
        model.config.pad_token_id = tokenizer.pad_token_id


class HFClassifier(HFExplanations):
    """A transformers sequence-classification model and its tokenizer, batched for throughput."""

    def __init__(self, model: Any, tokenizer: Any, *, labels: list[str], fingerprint: str, max_length: int = 128,
                 batch_size: int = 32, device: str = "cpu", precision: str = "fp32") -> None:
        if batch_size < 1:
            raise AuditError(f"batch_size must be at least 1, got {batch_size}.")
        ensure_pad_token(model, tokenizer)
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.fingerprint = fingerprint
        self.max_length = effective_max_length(tokenizer, model.config, max_length)
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.position_ids = takes_position_ids(self.model)  # checked once: signature inspection is slow

    def _encode(self, texts: list[Any]) -> Any:
        """Token ids of texts, or of (text, text_pair) tuples as the tokenizer joins a pair (with its
        separator and, for BERT, token type ids); a pair longer than max_length loses tokens from
        its longer side first."""
        first, second = split_inputs(list(texts))
        return self.tokenizer(first, second, truncation=True, max_length=self.max_length, padding=False,
                              return_attention_mask=False)

    def _batches(self, enc: Any) -> list[np.ndarray]:
        """The rows of each batch, longest texts first (padding then costs least)."""
        order = np.argsort([-len(x) for x in enc["input_ids"]], kind="stable")
        return [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]

    def request_batches(self, texts: list[Any]) -> list[np.ndarray]:
        """How ``predict_proba(texts)`` batches them (row indices per batch): a Ray pool sends whole batches
        to each worker in this order, so every batch, and every probability, is the local run's."""
        return self._batches(self._encode(list(texts)))

    def predict_proba(self, texts: list[Any]) -> np.ndarray:
        """Softmax probabilities (n, k) in the order of ``texts`` (texts or (text, text_pair) tuples)."""
        texts = list(texts)
        out = np.empty((len(texts), len(self.labels)), dtype=np.float64)
        if not texts:
            return out
        enc = self._encode(texts)
        pads = pad_values_for(self.tokenizer, enc)
        with torch.inference_mode(), autocast(self.device, self.precision):
            for idx in self._batches(enc):
                batch = collate(enc, idx, pads, self.tokenizer.padding_side, self.device, self.position_ids)
                logits = self.model(**batch).logits
                out[idx] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return out


# ----------------------------------------------------------------------------- loading
def _labels_from(config: Any, labels: list[str] | None, source: str) -> list[str]:
    k = int(config.num_labels)
    if labels is None:
        id2label = {int(i): str(name) for i, name in (config.id2label or {}).items()}
        return [id2label.get(i, f"LABEL_{i}") for i in range(k)]
    labels = [str(x) for x in labels]
    if len(labels) != k:
        raise AuditError(f"Model '{source}' has {k} output classes but {len(labels)} labels were given ({', '.join(labels)}); give exactly {k} labels in the model's class order.")
    if len(set(labels)) != len(labels):
        raise AuditError(f"The labels given for model '{source}' repeat a name ({', '.join(labels)}); give {k} distinct labels.")
    return labels


def load_hf_model(source: str, *, name: str, labels: list[str] | None = None, max_length: int = 128,
                  batch_size: int = 32, device: str = "auto", precision: str = "auto",
                  trust_remote_code: bool = False) -> LoadedModel:
    """Load a sequence classifier from a local directory or (online) a hub id."""
    source = str(source)
    kwargs = hub_kwargs(source)
    dev = resolve_device(device)
    prec = resolve_precision(precision, dev)
    if dev == "cpu":
        configure_cpu_threads()
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # missing weights are reported below, as an AuditError
    try:
        tokenizer = AutoTokenizer.from_pretrained(**kwargs, trust_remote_code=trust_remote_code)
        model, info = AutoModelForSequenceClassification.from_pretrained(
            **kwargs, trust_remote_code=trust_remote_code, output_loading_info=True
        )
        snapshot = snapshot_dir(source, kwargs["local_files_only"])
    except LOAD_ERRORS as exc:
        raise load_error(source, exc) from exc
    finally:
        transformers.logging.set_verbosity(verbosity)
    if len(tokenizer) <= len(set(tokenizer.all_special_ids)):
        # transformers 5 builds a tokenizer of special tokens alone from a directory without tokenizer
        # files (4.x raised); every word would read as [UNK]
        raise load_error(source, ValueError("it holds no tokenizer files"))
    missing = list(info.get("missing_keys") or [])
    if missing:
        raise AuditError(
            f"Model '{source}' has no trained weights for {', '.join(sorted(missing)[:3])}"
            f"{' ...' if len(missing) > 3 else ''} (a base encoder without a classification head?); fine-tune it into a classifier first."
        )
    clf = HFClassifier(model.float(), tokenizer, labels=_labels_from(model.config, labels, source),
                       fingerprint=fingerprint_dir(snapshot), max_length=max_length, batch_size=batch_size,
                       device=dev, precision=prec)
    details: dict[str, Any] = {
        "max_length": clf.max_length,
        "batch_size": batch_size,
        "device": dev,
        "precision": prec,
        "num_parameters": int(sum(p.numel() for p in model.parameters())),
        "architecture": type(model).__name__,
    }
    if getattr(model.config, INPUT_MARKER, None) in INPUTS:
        details["input"] = getattr(model.config, INPUT_MARKER)  # checked against the data by the runner
    if not os.path.isdir(os.path.expanduser(source)):
        details["revision"] = snapshot.name  # the hub commit the snapshot came from
    return LoadedModel(id=name, source=source, kind="huggingface", classifier=clf, details=details)
