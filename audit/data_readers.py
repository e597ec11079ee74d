"""Readers behind ``load_dataset``: local files (CSV, TSV, JSON Lines, JSON, Parquet) and Hugging
Face datasets, each into a pandas frame of raw values, with one-line errors for every way a
file can be unreadable (missing, wrong type, not UTF-8, malformed)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pandas as pd

from audit.core.errors import AuditError, DataError
from audit.core.hub_reach import offline_advice, unreachable_reason

FILE_FORMATS = (".csv", ".tsv", ".jsonl", ".json", ".parquet", ".txt")
HF_SPLIT_PREFERENCE = ("test", "validation", "train")
FILE_NOT_FOUND = "Data file not found: '{path}'. Check the path, or give a Hugging Face dataset as name[:config][:split]."
UNSUPPORTED_FORMAT = "Cannot read '{path}': unsupported file type '{ext}'. Convert it to one of: {formats}."
MALFORMED_FILE = "Cannot parse '{path}' as {fmt}: {reason}. Fix the file, or save it as one of: {formats}."
NOT_UTF8 = "'{path}' is not valid UTF-8 (byte {offset}: 0x{byte:02x}). Re-encode it as UTF-8, e.g. `iconv -f latin1 -t utf-8 IN > OUT`."
HF_OFFLINE = "Hugging Face dataset '{name}' is not available offline ({reason}). Download it once with network access, or give a local file path."
HF_FAILED = "Cannot load Hugging Face dataset '{name}': {reason}. Check the name as name[:config][:split], or give a local file path."
HF_NO_SPLIT = "Split '{split}' not found in Hugging Face dataset '{name}'. Splits: {splits}. Pick one as name:config:split or with `split:` in the data config."
DUPLICATE_COLUMNS = ("'{path}' has duplicate column names: {names}. Rename them so that each column has its own name "
                     "(a silent pick would audit the wrong one).")
EMPTY_DATASET = "Dataset {source} has no rows{after}. Give data with a header and at least one row."


def is_file_source(source: str) -> bool:
    """A path if it exists or looks like one; otherwise a Hugging Face ``name[:config][:split]``."""
    path = Path(source).expanduser()
    try:
        if path.exists() or source.startswith(("/", ".", "~")) or "\\" in source:
            return True
    except OSError:  # e.g. a name too long for the file system
        return True
    return ":" not in source and bool(re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]*", path.suffix))


def is_saved_dataset(path: Path) -> bool:
    """A folder written by ``datasets``' ``save_to_disk`` (a Dataset or a DatasetDict)."""
    return path.is_dir() and any((path / f).is_file() for f in ("dataset_info.json", "state.json", "dataset_dict.json"))


def read_saved(path: Path, split: str | None) -> tuple[pd.DataFrame, str | None]:
    """A ``save_to_disk`` folder as a frame; of a DatasetDict, ``split`` or the preferred one."""
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except Exception as err:  # noqa: BLE001  (the library raises many types; all mean "not readable")
        raise DataError(MALFORMED_FILE.format(path=path, fmt="a save_to_disk folder", reason=short_reason(err),
                                               formats=", ".join(FILE_FORMATS))) from None
    if not isinstance(loaded, datasets.DatasetDict):
        return loaded.to_pandas(), None
    splits = list(loaded.keys())
    if split is None:
        split = next((s for s in HF_SPLIT_PREFERENCE if s in splits), splits[0] if splits else None)
    if split is None or split not in splits:
        raise DataError(HF_NO_SPLIT.format(split=split, name=path, splits=", ".join(splits) or "(none)"))
    return loaded[split].to_pandas(), split


def read_file(path: Path, *, key: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """A data file as a frame of strings; ``key`` picks one entry of a JSON file keyed by task
    (AdvGLUE's dev.json), ``encoding`` reads text files that are not UTF-8."""
    formats = ", ".join(FILE_FORMATS)
    ext = path.suffix.lower()
    if not path.exists():
        raise DataError(FILE_NOT_FOUND.format(path=path))
    if path.is_dir() or ext not in FILE_FORMATS:
        kind = "directory" if path.is_dir() else (ext or "(no extension)")
        raise DataError(UNSUPPORTED_FORMAT.format(path=path, ext=kind, formats=formats))
    try:
        if ext == ".parquet":
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            _refuse_duplicates(path, pq.read_schema(path).names)
            return pd.read_parquet(path)
        raw = path.read_bytes()
        try:
            text = raw.decode(encoding or "utf-8-sig")
        except LookupError:
            raise DataError(f"Unknown encoding '{encoding}'; pass a Python codec name such as latin-1 or cp1252.") from None
        except UnicodeDecodeError as err:
            if encoding:
                raise DataError(f"'{path}' is not valid {encoding} (byte {err.start}); pass its real --encoding.") from None
            raise DataError(NOT_UTF8.format(path=path, offset=err.start, byte=raw[err.start])) from None
        if ext == ".txt":  # one example per line; the loader adds the one label given for all of them
            return pd.DataFrame({"text": [line for line in text.splitlines() if line.strip()]}, dtype=object)
        if ext in (".csv", ".tsv"):
            sep, quoting = ("\t", csv.QUOTE_NONE) if ext == ".tsv" else (",", csv.QUOTE_MINIMAL)
            header = next(csv.reader(io.StringIO(text), delimiter=sep, quoting=quoting), [])  # type: ignore[arg-type]
            _refuse_duplicates(path, list(header))
            return pd.read_csv(io.StringIO(text), sep=sep, quoting=quoting, dtype=str, keep_default_na=False)
        return pd.DataFrame(json_records(text, ext, key), dtype=object)
    except AuditError:
        raise
    except DuplicateKeys as err:
        raise DataError(DUPLICATE_COLUMNS.format(path=path, names=str(err))) from None
    except KeyNeeded as err:
        raise DataError(f"Cannot read '{path}': {err}.") from None
    except pd.errors.EmptyDataError:
        raise DataError(EMPTY_DATASET.format(source=f"'{path}'", after=" (the file is empty)")) from None
    except (ValueError, OSError, TypeError) as err:  # ParserError, JSONDecodeError, ArrowInvalid are ValueErrors
        raise DataError(MALFORMED_FILE.format(path=path, fmt=ext[1:], reason=short_reason(err), formats=formats)) from None


class KeyNeeded(ValueError):
    """A JSON file keyed by task, read without (or with a wrong) ``--data-key``."""


class DuplicateKeys(ValueError):
    """A JSON object naming a key twice (json.loads would keep the last one silently)."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    names = [k for k, _ in pairs]
    twice = sorted({k for k in names if names.count(k) > 1})
    if twice:
        raise DuplicateKeys(", ".join(repr(k) for k in twice))
    return dict(pairs)


def _refuse_duplicates(path: Path, names: list[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        where = "; ".join(f"{n!r} (columns {', '.join(str(i + 1) for i, m in enumerate(names) if m == n)})" for n in twice)
        raise DataError(DUPLICATE_COLUMNS.format(path=path, names=where))


def json_records(text: str, ext: str, key: str | None = None) -> list[dict] | dict[str, list]:
    """JSON Lines of objects; or JSON as a list of objects, an object of columns, or {"key": [objects]};
    a JSON object of several such lists (one per task) needs ``key`` to pick one."""
    if ext == ".jsonl":
        records = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    obj = json.loads(line, object_pairs_hook=_unique_keys)
                except json.JSONDecodeError as err:
                    raise ValueError(f"line {lineno}: {err.msg}") from None
                if not isinstance(obj, dict):
                    raise ValueError(f"line {lineno} is a {type(obj).__name__}, not an object")
                records.append(obj)
        return records
    obj = json.loads(text, object_pairs_hook=_unique_keys)
    keyed = isinstance(obj, dict) and bool(obj) and all(
        isinstance(v, list) and v and all(isinstance(r, dict) for r in v) for v in obj.values())
    if key is not None or (keyed and len(obj) > 1):
        keys = ", ".join(map(str, obj)) if isinstance(obj, dict) else "(none: the file is not keyed)"
        if key is None:
            raise KeyNeeded(f"it holds one list of examples per key ({keys}); pick one with --data-key KEY")
        if not keyed or key not in obj:
            raise KeyNeeded(f"it has no key '{key}' holding a list of examples (keys: {keys}); pass one of them to --data-key")
        obj = obj[key]
    if isinstance(obj, dict) and len(obj) == 1:
        only = next(iter(obj.values()))
        if isinstance(only, list) and only and all(isinstance(r, dict) for r in only):
            obj = only
    if isinstance(obj, list) and all(isinstance(r, dict) for r in obj):
        return obj
    if isinstance(obj, dict) and all(isinstance(v, list) for v in obj.values()):
        return obj
    raise ValueError("expected a list of objects or an object of equal-length column lists")


def read_hf(source: str, split: str | None) -> tuple[pd.DataFrame, str]:
    """A Hugging Face dataset as a frame; ``datasets`` is imported here only (it is heavy)."""
    parts = source.split(":")
    if len(parts) > 3 or not parts[0]:
        raise DataError(HF_FAILED.format(name=source, reason="expected name[:config][:split]"))
    name, config = parts[0], (parts[1] if len(parts) > 1 and parts[1] else None)
    split = parts[2] if len(parts) > 2 and parts[2] else split
    if not datasets_offline() and unreachable_reason() is not None:
        raise DataError(offline_advice("dataset", name).replace("HF_HUB_OFFLINE=1", "HF_DATASETS_OFFLINE=1"))
    try:
        import datasets

        loaded = datasets.load_dataset(name, config)
    except ConnectionError as err:
        raise DataError(HF_OFFLINE.format(name=source, reason=short_reason(err))) from None
    except Exception as err:  # the library raises many types; all mean "cannot load this name"
        raise DataError(HF_FAILED.format(name=source, reason=short_reason(err))) from None
    splits = list(loaded.keys()) if hasattr(loaded, "keys") else []
    if split is None:
        split = next((s for s in HF_SPLIT_PREFERENCE if s in splits), splits[0] if splits else None)
    if split is None or split not in splits:
        raise DataError(HF_NO_SPLIT.format(split=split, name=source, splits=", ".join(splits) or "(none)"))
    return loaded[split].to_pandas(), split


def datasets_offline() -> bool:
    """True when HF_DATASETS_OFFLINE or HF_HUB_OFFLINE asks datasets for no network (cache only)."""
    flags = (os.environ.get(v, "").strip().lower() for v in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"))
    return any(f in ("1", "true", "yes", "on") for f in flags)


def short_reason(err: BaseException, limit: int = 200) -> str:
    """First line of an exception message, trimmed, so the error stays one line."""
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(err).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
