"""Where a Hugging Face model comes from, and its fingerprint.

Resolving a source (local directory or hub id) fails fast offline or when the hub cannot be
reached (a cached model then loads from the cache) instead of spending minutes in retries; the fingerprint hashes exactly the files that decide predictions.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from audit.core.errors import AuditError
from audit.core.hub_reach import offline_advice, unreachable_reason

# Files whose bytes decide a model's predictions (weights, config, tokenizer, remote code).
_FINGERPRINT_SUFFIXES = (".safetensors", ".bin", ".json", ".txt", ".model", ".py", ".tiktoken")
# Written by training runs; they change from run to run without changing the model.
_FINGERPRINT_EXCLUDE = {"training_summary.json", "trainer_state.json", "training_args.bin"}


def hub_offline() -> bool:
    """True when HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE asks for no network."""
    flags = (os.environ.get(v, "").strip().lower() for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
    return any(f in ("1", "true", "yes", "on") for f in flags)


def _looks_like_path(source: str) -> bool:
    return source.startswith((".", "/", "~")) or "\\" in source or source.count("/") > 1


def hub_kwargs(source: str) -> dict[str, Any]:
    """from_pretrained kwargs for ``source``; fails fast (no retries) when it cannot be found."""
    path = os.path.expanduser(source)
    if os.path.isdir(path):
        return {"pretrained_model_name_or_path": path, "local_files_only": True}
    if os.path.exists(path):
        raise AuditError(f"Model source '{source}' is a file, not a model directory; pass the directory holding config.json and the weights.")
    if _looks_like_path(source):
        raise AuditError(f"Model directory '{source}' does not exist; check the path.")
    if hub_offline():
        return {"pretrained_model_name_or_path": source, "local_files_only": True}
    if unreachable_reason() is None:
        return {"pretrained_model_name_or_path": source, "local_files_only": False}
    if not _cached(source):  # no hub and no copy: say so now rather than after minutes of retries
        raise AuditError(offline_advice("model", source))
    return {"pretrained_model_name_or_path": source, "local_files_only": True}


def _cached(repo_id: str) -> bool:
    """Whether the hub cache holds ``repo_id``'s config.json (a model downloaded before)."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # noqa: BLE001  (an id the hub library rejects is not cached)
        return False


def load_error(source: str, exc: Exception) -> AuditError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "trust_remote_code" in str(exc):
        return AuditError(f"Model '{source}' needs its own Python code to load; pass trust_remote_code (--trust-remote-code) only if you trust it.")
    if os.path.isdir(os.path.expanduser(source)):
        return AuditError(f"Model directory '{source}' could not be loaded ({first}); it must be a Hugging Face model directory (config.json, weights, tokenizer files).")
    if hub_offline():
        return AuditError(
            f"Model '{source}' is not a local directory and the Hugging Face hub is unreachable (HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set) "
            "and it is not in the local cache; pass a local model directory, or unset HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE to download it."
        )
    return AuditError(f"Model '{source}' is not a local directory and could not be loaded from the Hugging Face hub ({first}); check the id and your network, or pass a local model directory.")


def model_files(directory: str | Path) -> list[Path]:
    """The weight, config, tokenizer and code files at the top of a model directory, sorted."""
    root = Path(directory)
    return sorted(
        p for p in root.iterdir()
        if p.is_file() and p.suffix in _FINGERPRINT_SUFFIXES and p.name not in _FINGERPRINT_EXCLUDE
    )


def fingerprint_dir(directory: str | Path, chunk_size: int = 1 << 20) -> str:
    """sha256 over the sorted relative paths and bytes of :func:`model_files` (streamed)."""
    h = hashlib.sha256()
    for path in model_files(directory):
        name = path.name.encode("utf-8")
        h.update(len(name).to_bytes(8, "little") + name + path.stat().st_size.to_bytes(8, "little"))
        with open(path, "rb") as f:
            while block := f.read(chunk_size):
                h.update(block)
    return "sha256:" + h.hexdigest()


def snapshot_dir(source: str, local_files_only: bool) -> Path:
    """The directory the files of ``source`` were read from (a hub id's cached snapshot)."""
    path = os.path.expanduser(source)
    if os.path.isdir(path):
        return Path(path)
    from transformers.utils import cached_file

    return Path(cached_file(source, "config.json", local_files_only=local_files_only)).parent


def labels_before_loading(source: str, labels: list[str] | None = None) -> list[str] | None:
    """The labels a local model directory will report, read from its config.json alone (no weights),
    as ``_labels_from`` derives them; None when that cannot be told without loading (a hub id, no
    config, or a config without labels)."""
    path = Path(os.path.expanduser(source)) / "config.json"
    if not path.is_file():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        id2label = {int(i): str(name) for i, name in (config.get("id2label") or {}).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    k = int(config.get("num_labels") or len(id2label) or 0)
    if labels is not None:
        return [str(x) for x in labels] if len(labels) == k else None  # a wrong count fails at loading, with its message
    return [id2label.get(i, f"LABEL_{i}") for i in range(k)] if k else None
