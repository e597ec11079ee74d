"""TF-IDF + logistic regression baseline: learns, is deterministic, loads without trust flags."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.models.sklearn_model import load_sklearn_model
from audit.training.split import stratified_split
from audit.training.tfidf import summary_path_for, train_tfidf

POS = ["great", "wonderful", "superb", "lovely", "brilliant"]
NEG = ["awful", "terrible", "dreadful", "boring", "horrid"]
FILLER = ["film", "plot", "acting", "story", "cast", "ending", "music", "scene"]


def synthetic(n: int = 240, seed: int = 0) -> Dataset:
    """Three-word reviews whose label is given by one sentiment word among fillers."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = "pos" if i % 3 else "neg"  # 2:1 imbalance
        words = list(rng.choice(FILLER, size=2)) + [rng.choice(POS if label == "pos" else NEG)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return Dataset(ids=[str(i) for i in range(n)], texts=texts, labels=labels, source="synthetic")


def test_trains_saves_and_loads_without_trust_flags(tmp_path):
    data = synthetic()
    out = tmp_path / "models" / "tfidf.skops"
    summary = train_tfidf(data, out, seed=3)
    model = load_sklearn_model(str(out), name="tfidf")  # no trust flag needed
    import skops.io as sio

    assert sio.get_untrusted_types(file=out) == []
    assert model.labels == ["neg", "pos"] == summary["labels"]
    val = summary["validation"]
    assert val["size"] == 24 and val["accuracy"] > 0.9 and val["macro_f1"] > 0.9  # chance is ~0.67
    proba = model.classifier.predict_proba(["superb story", "dreadful cast"])
    assert proba.argmax(axis=1).tolist() == [1, 0]

    written = json.loads(summary_path_for(out).read_text())
    assert summary_path_for(out) == tmp_path / "models" / "tfidf.training_summary.json"
    assert written == summary
    assert summary["data"]["fingerprint"] == data.fingerprint
    assert summary["data"] | {"label_counts": None} == {"source": "synthetic", "split": None, "fingerprint": data.fingerprint,
                                                          "size": 240, "label_counts": None, "train_size": 216, "val_size": 24,
                                                          "label_map": {}}
    assert summary["data"]["label_counts"] == {"neg": 80, "pos": 160}
    assert summary["hyperparameters"]["C"] == 4.0 and summary["hyperparameters"]["ngram_range"] == [1, 2]
    assert summary["model_fingerprint"] == model.fingerprint
    assert {"scikit-learn", "skops", "numpy", "python", "audit"} <= set(summary["versions"])
    assert summary["seconds"] >= 0


def test_same_seed_same_result(tmp_path):
    data = synthetic(seed=1)
    probe = ["great film", "boring plot", "music scene"]
    a = train_tfidf(data, tmp_path / "a.skops", seed=5, val_fraction=0.25)
    b = train_tfidf(data, tmp_path / "b.skops", seed=5, val_fraction=0.25)
    assert a["validation"] == b["validation"]
    pa = load_sklearn_model(str(tmp_path / "a.skops"), name="a").classifier.predict_proba(probe)
    pb = load_sklearn_model(str(tmp_path / "b.skops"), name="b").classifier.predict_proba(probe)
    np.testing.assert_array_equal(pa, pb)


def test_stratified_split_is_stratified_disjoint_and_seeded():
    labels = ["a"] * 90 + ["b"] * 10 + ["c"]
    train, val = stratified_split(labels, 0.2, seed=0)
    assert sorted(train + val) == list(range(101)) and not set(train) & set(val)
    assert [labels[i] for i in val].count("a") == 18 and [labels[i] for i in val].count("b") == 2
    assert "c" in [labels[i] for i in train]  # a singleton class stays in training
    assert stratified_split(labels, 0.2, seed=0) == (train, val)
    assert stratified_split(labels, 0.2, seed=1) != (train, val)


def test_no_validation_when_fraction_is_zero(tmp_path):
    summary = train_tfidf(synthetic(60), tmp_path / "m.skops", val_fraction=0.0)
    assert summary["validation"] == {"size": 0, "accuracy": None, "macro_f1": None}
    assert summary["data"]["train_size"] == 60


@pytest.mark.parametrize(
    "kwargs, out, fragment",
    [
        ({}, "m.joblib", "ending in .skops"),
        ({"val_fraction": 1.0}, "m.skops", "val_fraction must be in [0, 1)"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, out, fragment):
    with pytest.raises(AuditError) as info:
        train_tfidf(synthetic(30), tmp_path / out, **kwargs)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_single_label_is_refused(tmp_path):
    data = Dataset(ids=["0", "1"], texts=["a", "b"], labels=["x", "x"], source="s")
    with pytest.raises(AuditError, match=r"single label \('x'\)"):
        train_tfidf(data, tmp_path / "m.skops")
