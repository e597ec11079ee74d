"""`audit run` with a Hugging Face model beside a scikit-learn one, and the demo pipeline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tiny_bert import build_tiny_bert



@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("bert") / "tiny", labels=("negative", "positive"))


def test_transformer_and_sklearn_side_by_side(cli, tiny_bert, tmp_path):
    out = tmp_path / "out"
    res = cli("run", "--model", f"bert={tiny_bert}", "--model", "tfidf.skops", "--data", "test.csv",
              "--out", str(out), "--device", "cpu", "--probe", "metrics", "-q")
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "results.json").read_text())
    bert = doc["models"][0]
    assert bert["kind"] == "huggingface" and bert["labels"] == ["negative", "positive"]
    assert bert["fingerprint"].startswith("sha256:") and doc["run"]["device"] == "cpu"
    result = doc["probes"][0]["results"]["bert"]
    assert result["status"] == "ok"
    # the saved per-example probabilities equal a direct forward pass of the model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    import torch

    rows = [json.loads(line) for line in (out / result["predictions_file"]).read_text().splitlines()]
    texts = {r["id"]: r["text"] for r in _read_csv("test.csv")}
    tok = AutoTokenizer.from_pretrained(tiny_bert)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert).eval()
    with torch.inference_mode():
        for row in rows[:10]:
            enc = tok([texts[row["id"]]], truncation=True, max_length=128, return_tensors="pt")
            expected = torch.softmax(model(**enc).logits.float(), -1)[0].numpy()
            np.testing.assert_allclose(row["proba"], expected, atol=1e-5)
    assert doc["run"]["cache"]["bert"]["model_calls"] == 1


def _read_csv(path):
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_demo_pipeline_trains_caches_and_audits(cli, tiny_bert, tmp_path, monkeypatch):
    """The demo's own code path, shrunk: a tiny BERT stands in for MiniLM so it runs in seconds."""
    from audit.demo import pipeline

    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pipeline, "minilm_base", lambda: str(tiny_bert))
    monkeypatch.setattr(pipeline, "TRAIN_SIZE", 120)
    monkeypatch.setattr(pipeline, "TEST_SIZE", 60)
    monkeypatch.setattr(pipeline, "TRANSFORMER", {**pipeline.TRANSFORMER, "epochs": 1, "max_length": 32})
    out = tmp_path / "out"
    first = cli("run", "--out", str(out), "--probe", "metrics", "-q")
    assert first.exit_code == 0, first.output
    doc = json.loads((out / "results.json").read_text())
    assert [m["id"] for m in doc["models"]] == ["minilm-finetuned", "tfidf-logreg"]
    assert doc["dataset"]["size"] == 60 and doc["dataset"]["sensitive_attributes"] == ["gender", "religion"]
    assert all(r["status"] == "ok" for p in doc["probes"] for r in p["results"].values())
    cached = list((tmp_path / "cache" / "demo").glob("models-*/minilm-finetuned/training_summary.json"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime
    second = cli("run", "--out", str(tmp_path / "out2"), "--probe", "metrics", "-q")
    assert second.exit_code == 0, second.output
    assert cached[0].stat().st_mtime == stamp  # reused, not retrained


def test_model_dir_without_tokenizer_is_a_one_line_error(cli, tiny_bert, tmp_path):
    import shutil

    broken = tmp_path / "no-tokenizer"
    shutil.copytree(tiny_bert, broken)
    for f in broken.iterdir():
        if "token" in f.name or f.name == "vocab.txt":
            f.unlink()
    res = cli("run", "--model", str(broken), "--data", "test.csv", "--out", str(tmp_path / "o"), "-q")
    assert res.exit_code == 2 and "could not be loaded" in res.output and "Traceback" not in res.output
