"""A transformers model given as (model, tokenizer) or as a pipeline predicts as the same model from its folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import audit
from tiny_bert import build_tiny_bert, template_sentences


@pytest.fixture(scope="module")
def bert_dir(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("bert"))


@pytest.fixture(scope="module")
def texts_frame():
    rows = template_sentences()[::3]
    return pd.DataFrame({"text": [t for t, _ in rows], "label": [y for _, y in rows]})


def test_model_and_tokenizer_and_pipeline_equal_the_folder(bert_dir, texts_frame, tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    model = AutoModelForSequenceClassification.from_pretrained(bert_dir)
    tokenizer = AutoTokenizer.from_pretrained(bert_dir)
    pipe = pipeline("text-classification", model=AutoModelForSequenceClassification.from_pretrained(bert_dir),
                    tokenizer=tokenizer, device=-1)
    result = audit.run(models={"folder": bert_dir, "pair": (model, tokenizer), "pipe": pipe}, data=texts_frame,
                       probes=["metrics"], device="cpu", out=tmp_path / "o", progress=False)
    preds = result.predictions("metrics")
    by_model = {m: np.array(g.proba.tolist()) for m, g in preds.groupby("model")}
    np.testing.assert_allclose(by_model["pair"], by_model["folder"], atol=1e-6)
    np.testing.assert_allclose(by_model["pipe"], by_model["folder"], atol=1e-6)
    # ... and all of them equal a direct forward pass
    with torch.no_grad():
        enc = tokenizer(texts_frame.text.tolist(), padding=True, truncation=True, max_length=128, return_tensors="pt")
        direct = torch.softmax(model(**enc).logits, -1).numpy()
    np.testing.assert_allclose(by_model["pair"], direct, atol=1e-5)
    models = {m["id"]: m for m in result.doc["models"]}
    assert models["pair"]["kind"] == models["pipe"]["kind"] == "huggingface"
    assert models["pair"]["labels"] == models["folder"]["labels"]
    assert models["pair"]["fingerprint"] == models["pipe"]["fingerprint"]  # the same weights and tokenizer


def test_weights_fingerprint_follows_the_weights(bert_dir):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from audit.models.in_memory import weights_fingerprint

    tokenizer = AutoTokenizer.from_pretrained(bert_dir)
    a = AutoModelForSequenceClassification.from_pretrained(bert_dir)
    b = AutoModelForSequenceClassification.from_pretrained(bert_dir)
    assert weights_fingerprint(a, tokenizer) == weights_fingerprint(b, tokenizer)
    with torch.no_grad():
        b.classifier.bias[0] += 1e-3
    assert weights_fingerprint(a, tokenizer) != weights_fingerprint(b, tokenizer)
    tokenizer.padding_side = "left"
    assert weights_fingerprint(a, tokenizer) != weights_fingerprint(b, tokenizer)


def test_pipeline_for_another_task_is_refused(bert_dir, texts_frame, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    pipe = pipeline("text-classification", model=AutoModelForSequenceClassification.from_pretrained(bert_dir),
                    tokenizer=AutoTokenizer.from_pretrained(bert_dir), device=-1)
    pipe.task = "token-classification"
    with pytest.raises(audit.UnsupportedInputError, match="pipeline for 'token-classification'"):
        audit.run(models={"p": pipe}, data=texts_frame, probes=["metrics"], out=tmp_path / "o", progress=False)
