"""Fit a TF-IDF + logistic-regression baseline and save it with skops.

A fast, CPU-only reference model: an audit can set a fine-tuned transformer beside it. The
training summary written next to the model records what data and settings produced it. On
sentence pairs the first step is :class:`audit.training.pair_features.PairFeatures` (TF-IDF of
each side plus overlap figures), which also tells `audit run` that the model reads pairs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.core.fileio import atomic_write_text
from audit.core.versions import package_versions
from audit.training.split import stratified_split

NOT_SKOPS = "TF-IDF models are saved with skops: give an output path ending in .skops, not '{path}'."
BAD_VAL_FRACTION = "val_fraction must be in [0, 1), got {value}. Use e.g. 0.1, or 0 to skip validation."
ONE_CLASS = "Training data has a single label ({label}); a classifier needs at least two. Check the label column."
NOT_IN_LABELS = "Training labels {unknown} are not in the label list {labels}; add them or fix the data."


def train_tfidf(
    train: Dataset,
    out_path: str | Path,
    *,
    labels: list[str] | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    C: float = 4.0,
    max_features: int = 50000,
    ngram_range: tuple[int, int] = (1, 2),
) -> dict[str, Any]:
    """Fit on a stratified training part, score the held-out part, save model and summary.

    The saved model is the one fitted on the training part, so the validation figures in the
    summary describe exactly the file on disk. ``labels`` sets the class order (the model's
    ``classes_``, which the sklearn adapter reads as its labels); None: sorted. scikit-learn
    always sorts the classes it fits, so the fit is on class numbers and ``classes_`` then holds
    the names in the chosen order. Returns the summary (also written as JSON).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import Pipeline

    from audit.models.sklearn_model import file_sha256, save_sklearn_model
    from audit.training.pair_features import PairFeatures

    out = Path(out_path)
    if out.suffix.lower() != ".skops":
        raise AuditError(NOT_SKOPS.format(path=out))
    if not 0 <= val_fraction < 1:
        raise AuditError(BAD_VAL_FRACTION.format(value=val_fraction))
    if len(set(train.labels)) < 2:
        raise AuditError(ONE_CLASS.format(label=repr(train.labels[0]) if train.labels else "none"))
    order = sorted(set(train.labels)) if labels is None else [str(y) for y in labels]
    unknown = sorted(set(train.labels) - set(order))
    if unknown:
        raise AuditError(NOT_IN_LABELS.format(unknown=unknown, labels=order))
    code = {name: i for i, name in enumerate(order)}

    start = time.perf_counter()
    tr, va = stratified_split(train.labels, val_fraction, seed)
    hyper = {"C": C, "max_features": max_features, "ngram_range": list(ngram_range), "sublinear_tf": True,
             "min_df": 1, "max_iter": 2000, "val_fraction": val_fraction, "seed": seed}
    if train.is_pair:
        features: Any = ("pair_features", PairFeatures(ngram_range=(ngram_range[0], ngram_range[1]),
                                                       max_features=max_features))
    else:
        features = ("tfidf", TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(ngram_range), min_df=1,
                                             max_features=max_features))
    pipe = Pipeline([features, ("clf", LogisticRegression(C=C, max_iter=2000, random_state=seed))])
    inputs = train.inputs  # texts, or (text, text_pair) tuples
    pipe.fit([inputs[i] for i in tr], [code[train.labels[i]] for i in tr])
    clf = pipe.named_steps["clf"]
    clf.classes_ = np.array([order[int(c)] for c in clf.classes_])  # predict() and the adapter see the names
    validation: dict[str, Any] = {"size": len(va), "accuracy": None, "macro_f1": None}
    if va:
        gold = [train.labels[i] for i in va]
        pred = pipe.predict([inputs[i] for i in va])
        validation["accuracy"] = float(accuracy_score(gold, pred))
        validation["macro_f1"] = float(f1_score(gold, pred, average="macro"))
    save_sklearn_model(pipe, out)
    counts = {y: train.labels.count(y) for y in order}
    summary = {
        "kind": "tfidf-logreg",
        "task": "pair" if train.is_pair else "text",
        "model_path": str(out),
        "model_fingerprint": file_sha256(out),
        "data": {"source": train.source, "split": train.split, "fingerprint": train.fingerprint,
                 "size": len(train), "label_counts": counts, "train_size": len(tr), "val_size": len(va),
                 "label_map": dict(train.label_map)},
        "labels": [str(c) for c in pipe.classes_],
        "hyperparameters": hyper,
        "validation": validation,
        "seconds": round(time.perf_counter() - start, 3),
        "versions": package_versions(),
    }
    summary_path = summary_path_for(out)
    atomic_write_text(summary_path, json.dumps(summary, indent=2) + "\n")
    return summary


def summary_path_for(model_path: str | Path) -> Path:
    """``dir/name.skops`` -> ``dir/name.training_summary.json``."""
    p = Path(model_path)
    return p.with_name(p.stem + ".training_summary.json")
