"""Load a labelled text dataset (local file or Hugging Face dataset) into a :class:`Dataset`.

Every failure a user can cause (path, encoding, format, column, label) is a :class:`DataError`
with one line saying what is wrong and how to fix it. Texts are kept byte for byte as in the
file; labels become strings (``1`` and ``1.0`` both become ``"1"``) so that files, JSON and
Hugging Face datasets agree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from audit.core.dataset import Dataset
from audit.core.errors import DataError
from audit.core.textchars import invisible_only
from audit.data_readers import EMPTY_DATASET, is_file_source, is_saved_dataset, read_file, read_hf, read_saved

TEXT_CANDIDATES = ("text", "sentence", "review", "comment", "content", "body")
# Sentence-pair tasks (GLUE-style), found before single texts: QNLI has `question` and `sentence`.
PAIR_CANDIDATES = (("sentence1", "sentence2"), ("premise", "hypothesis"), ("question1", "question2"),
                   ("question", "sentence"), ("text_a", "text_b"), ("#1 String", "#2 String"))
LABEL_CANDIDATES = ("label", "labels", "target", "class", "sentiment", "gold_label", "quality")
NO_GOLD = "-"  # SNLI's label when the annotators did not agree: such rows have no gold label
ID_CANDIDATES = ("id", "idx", "example_id")

UNKNOWN_COLUMN = "Column '{column}' ({flag}) not found in {source}. Columns: {columns}. Pass one of these with {flag}."
NO_TEXT_COLUMN = "No text column found in {source} (looked for: {candidates}). Columns: {columns}. Name it with --text-col."
NO_LABEL_COLUMN = "No label column found in {source} (looked for: {candidates}). Columns: {columns}. Name it with --label-col."
EMPTY_TEXTS = ("{count} empty or whitespace-only text(s) in column '{column}' of {source} (row ids {first}; nothing "
               "visible: spaces, zero-width or control characters only). Clean or drop those rows.")
NOT_TEXT = "{count} value(s) in text column '{column}' of {source} are not text (first at row id '{first}': a {kind}). Store the texts as strings, or pick the text column with --text-col."
MISSING_LABELS = "{count} missing label(s) in column '{column}' of {source} (first at row id '{first}'). Fill in or drop those rows."
MISSING_IDS = "{count} missing id(s) in column '{column}' of {source} (first at row {first}). Fill them in, or leave --id-col out to use row numbers."
DUPLICATE_ID = "Duplicate id '{id}' in column '{column}' of {source}. Make the ids unique, or leave --id-col out to use row numbers."
BAD_LIMIT = "limit must be a positive number of rows, got {limit}. Pass --limit N with N >= 1, or leave it out to use every row."
UNMAPPED_LABELS = "label_map leaves labels unmapped: {labels}. Add them to the label_map (e.g. --label-map {example}=NAME)."

_INT_FLOAT = re.compile(r"[+-]?\d+\.0*")


@dataclass(frozen=True)
class DataConfig:
    """Where the data is and which columns mean what; ``None`` columns are auto-detected."""

    source: str
    text_col: str | None = None
    text_pair_col: str | None = None  # the second text of a sentence pair (paraphrase, inference)
    label_col: str | None = None
    id_col: str | None = None  # None: a unique, complete id/idx/example_id column if any, else row numbers
    sensitive: tuple[str, ...] = ()
    extra_cols: tuple[str, ...] = ()  # other columns kept as they are (not sensitive): the slices probe slices by them
    split: str | None = None
    label_map: dict | None = None
    limit: int | None = None
    seed: int = 0
    key: str | None = None  # the entry of a JSON file keyed by task (AdvGLUE's dev.json: sst2, qqp, ...)
    encoding: str | None = None  # of a text file that is not UTF-8 (e.g. latin-1)
    label_value: str | None = None  # the one label of every example (a .txt file: one text per line)
    frame: Any = None  # an in-memory pandas DataFrame (the Python API); ``source`` then only describes it


def load_dataset(cfg: DataConfig) -> Dataset:
    """Read ``cfg.source``, check it, map labels and (optionally) take a stratified sample."""
    if cfg.limit is not None and (isinstance(cfg.limit, bool) or not isinstance(cfg.limit, int) or cfg.limit <= 0):
        raise DataError(BAD_LIMIT.format(limit=cfg.limit))
    sensitive = (cfg.sensitive,) if isinstance(cfg.sensitive, str) else tuple(cfg.sensitive or ())
    extra = (cfg.extra_cols,) if isinstance(cfg.extra_cols, str) else tuple(cfg.extra_cols or ())
    path = Path(cfg.source).expanduser()
    if cfg.frame is not None:
        if not isinstance(cfg.frame, pd.DataFrame):
            raise DataError(f"data.frame must be a pandas DataFrame, not {type(cfg.frame).__name__}; pass the data "
                            "to audit.run(data=...) instead.")
        frame, split = cfg.frame.copy(deep=False), cfg.split
    elif is_file_source(cfg.source) and is_saved_dataset(path):
        frame, split = read_saved(path, cfg.split)
    elif is_file_source(cfg.source):
        frame, split = read_file(path, key=cfg.key, encoding=cfg.encoding), None
    else:
        frame, split = read_hf(cfg.source, cfg.split)
    src = f"'{cfg.source}'"
    if cfg.label_value is not None:  # every example has this label (a .txt file of texts, or a file without labels)
        if "label" in frame.columns or cfg.label_col:
            raise DataError(f"{src} has a label column; --label-value gives one label to data without one. Drop one of them.")
        frame = frame.assign(label=str(cfg.label_value))
    elif cfg.frame is None and Path(cfg.source).suffix.lower() == ".txt":
        raise DataError(f"{src} holds texts only (one per line); give their label with --label-value NAME.")
    frame.columns = columns = [str(c) for c in frame.columns]
    if len(frame) == 0:
        raise DataError(EMPTY_DATASET.format(source=src, after=" (after dropping blank lines)"))
    text_col, pair_col = _text_columns(cfg, columns, src)
    label_col = _column(cfg.label_col, "--label-col", LABEL_CANDIDATES, columns, src, NO_LABEL_COLUMN)
    _distinct_roles(src, text=text_col, text_pair=pair_col, label=label_col)
    id_col = _column(cfg.id_col, "--id-col", None, columns, src, None) if cfg.id_col else _auto_id(frame)
    for col in sensitive:
        _column(col, "--sensitive", None, columns, src, None)
    for col in extra:
        _column(col, "data.extra_cols", None, columns, src, None)

    ids = _ids(frame, id_col, src)
    raw = [normalize_label(v) for v in frame[label_col].tolist()]
    keep = [i for i, y in enumerate(raw) if y != NO_GOLD]
    dropped = {"no_gold_label": len(raw) - len(keep)} if len(keep) < len(raw) else {}
    if dropped:
        if not keep:
            raise DataError(EMPTY_DATASET.format(source=src, after=f" with a gold label (every label is '{NO_GOLD}')"))
        frame, ids, raw = frame.iloc[keep], [ids[i] for i in keep], [raw[i] for i in keep]
    texts = _texts(frame, text_col, ids, src)
    pairs = _texts(frame, pair_col, ids, src) if pair_col is not None else None
    missing = [i for i, y in enumerate(raw) if y is None]
    if missing:
        raise DataError(MISSING_LABELS.format(count=len(missing), column=label_col, source=src, first=ids[missing[0]]))
    labels, mapping = _apply_label_map(raw, cfg.label_map)
    columns_used = {"text": text_col, "label": label_col, "id": id_col, "sensitive": list(sensitive)}
    if extra:  # only when asked for, so the description of other data does not change
        columns_used["extra"] = list(extra)
    if pair_col is not None:
        columns_used = {"text": text_col, "text_pair": pair_col, **{k: v for k, v in columns_used.items() if k != "text"}}
    data = Dataset(
        ids=ids, texts=texts, labels=labels, source=cfg.source, split=split, label_map=mapping,
        columns=columns_used, attributes={col: [_value(v) for v in frame[col].tolist()] for col in sensitive},
        extras={col: [_value(v) for v in frame[col].tolist()] for col in extra},
        text_pairs=pairs, dropped=dropped,
    )
    if cfg.limit is not None and cfg.limit < len(data):
        data = data.subset(stratified_sample(data.labels, cfg.limit, cfg.seed))
    return data


def _text_columns(cfg: DataConfig, columns: list[str], src: str) -> tuple[str, str | None]:
    """(text column, second-text column or None): the flags, else a known pair, else a known text column."""
    pair = _column(cfg.text_pair_col, "--text-pair-col", None, columns, src, None) if cfg.text_pair_col else None
    if cfg.text_col is not None:
        return _column(cfg.text_col, "--text-col", TEXT_CANDIDATES, columns, src, NO_TEXT_COLUMN), pair
    lowered = {c.lower(): c for c in reversed(columns)}
    if pair is None:
        for first, second in PAIR_CANDIDATES:
            if first.lower() in lowered and second.lower() in lowered:
                return lowered[first.lower()], lowered[second.lower()]
    candidates = [c for c in TEXT_CANDIDATES if c.lower() != (pair or "").lower()]
    return _column(None, "--text-col", candidates, columns, src, NO_TEXT_COLUMN), pair


def _distinct_roles(src: str, **roles: str | None) -> None:
    """One column cannot be both the text and the label (the model would be shown the answer)."""
    given = [(role, col) for role, col in roles.items() if col is not None]
    for i, (role, col) in enumerate(given):
        for other, col2 in given[i + 1:]:
            if col == col2:
                raise DataError(f"Column '{col}' of {src} is given as both the {role} and the {other.replace('_', ' ')}; "
                                 f"name a different column for each (--text-col, --text-pair-col, --label-col).")


def _texts(frame: pd.DataFrame, column: str, ids: list[str], src: str) -> list[str]:
    """The column's texts; a value that is not text, or an empty one, is an error naming the rows."""
    cells = frame[column].tolist()
    not_text = [i for i, v in enumerate(cells) if not isinstance(v, str) and _value(v) is not None]
    if not_text:
        first = cells[not_text[0]]
        raise DataError(NOT_TEXT.format(count=len(not_text), column=column, source=src, first=ids[not_text[0]],
                                         kind=type(first).__name__))
    texts = [v if isinstance(v, str) else "" for v in cells]
    empty = [i for i, t in enumerate(texts) if invisible_only(t)]
    if empty:
        shown = ", ".join(f"'{ids[i]}'" for i in empty[:5]) + (" ..." if len(empty) > 5 else "")
        raise DataError(EMPTY_TEXTS.format(count=len(empty), column=column, source=src, first=shown))
    return texts


def normalize_label(value: Any) -> str | None:
    """A label as a string (``1``, ``1.0`` and ``"1.0"`` all give ``"1"``); ``None`` when missing."""
    text = _value(value)
    if text is None or not text.strip() or text.strip().lower() == "nan":
        return None
    text = text.strip()
    if _INT_FLOAT.fullmatch(text):
        return str(int(float(text)))
    return text


def stratified_sample(labels: list[str], limit: int, seed: int) -> list[int]:
    """Indices of ``limit`` rows keeping class proportions (largest remainder), in original order.

    Every class keeps at least one row when ``limit`` allows it; the draw within each class
    depends only on ``seed``.
    """
    by_class: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    names = sorted(by_class)
    n = len(labels)
    quotas = [limit * len(by_class[c]) / n for c in names]
    alloc = [math.floor(q) for q in quotas]
    order = sorted(range(len(names)), key=lambda k: (-(quotas[k] - alloc[k]), -len(by_class[names[k]]), names[k]))
    for k in order[: limit - sum(alloc)]:
        alloc[k] += 1
    if limit >= len(names):
        for k in range(len(names)):
            if alloc[k] == 0:
                donor = max(range(len(names)), key=lambda j: (alloc[j], -j))
                alloc[donor] -= 1
                alloc[k] = 1
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    for name, count in zip(names, alloc):
        if count:
            chosen.extend(int(i) for i in rng.choice(by_class[name], size=count, replace=False))
    return sorted(chosen)


def _column(wanted, flag, candidates, columns, src, none_found) -> str:
    if wanted is not None:
        if wanted not in columns:
            raise DataError(UNKNOWN_COLUMN.format(column=wanted, flag=flag, source=src, columns=", ".join(columns)))
        return wanted
    lowered = {c.lower(): c for c in reversed(columns)}
    for cand in candidates:
        if cand in columns:
            return cand
        if cand in lowered:
            return lowered[cand]
    raise DataError(none_found.format(source=src, candidates=", ".join(candidates), columns=", ".join(columns)))


def _auto_id(frame: pd.DataFrame) -> str | None:
    """A column named ``id`` (any case) is the id column when its values are present and unique."""
    for col in frame.columns:
        if col.lower() in ID_CANDIDATES:
            values = [normalize_label(v) for v in frame[col].tolist()]
            if None not in values and len(set(values)) == len(values):
                return col
    return None


def _ids(frame: pd.DataFrame, id_col: str | None, src: str) -> list[str]:
    if id_col is None:
        return [str(i) for i in range(len(frame))]
    ids = [normalize_label(v) for v in frame[id_col].tolist()]  # same rules: 7.0 -> "7", blank -> None
    missing = [i for i, v in enumerate(ids) if v is None]
    if missing:
        raise DataError(MISSING_IDS.format(count=len(missing), column=id_col, source=src, first=missing[0]))
    seen: set[str] = set()
    for v in ids:
        if v in seen:
            raise DataError(DUPLICATE_ID.format(id=v, column=id_col, source=src))
        seen.add(v)
    return ids


def _apply_label_map(raw: list[str], label_map: dict | None) -> tuple[list[str], dict[str, str]]:
    if not label_map:
        return raw, {}
    mapping = {normalize_label(k) or str(k): str(v) for k, v in label_map.items()}
    unmapped = sorted({y for y in raw if y not in mapping})
    if unmapped:
        raise DataError(UNMAPPED_LABELS.format(labels=", ".join(map(repr, unmapped)), example=unmapped[0]))
    return [mapping[y] for y in raw], mapping


def _value(v: Any) -> str | None:
    """A cell as a string (integral floats without '.0'); ``None`` for missing or empty."""
    if v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    text = v if isinstance(v, str) else str(v)
    return text if text != "" else None
