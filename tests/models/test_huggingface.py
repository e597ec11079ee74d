"""The Hugging Face adapter against a plain transformers forward pass, on a tiny offline BERT."""

from __future__ import annotations

import random
import shutil
import time

import numpy as np
import pytest
import torch
from tiny_bert import build_tiny_bert, template_sentences
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from audit.core.errors import AuditError
from audit.models.base import Classifier, HasAttention, HasInputGradients, LoadedModel
from audit.models.huggingface import load_hf_model, resolve_device, resolve_precision

TEXTS = [t for t, _ in template_sentences()][::5] + [
    "",
    "ok",
    "THE MOVIE WAS GREAT!!!",
    "a zebra 🦓 wandered into the plot , 42 times",
    " ".join(["the acting was dull"] * 6),
]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"))


@pytest.fixture(scope="module")
def reference(tiny_dir):
    """Probabilities from transformers directly, one text at a time (no padding at all)."""
    model = AutoModelForSequenceClassification.from_pretrained(tiny_dir).eval()
    tok = AutoTokenizer.from_pretrained(tiny_dir)

    def run(texts):
        with torch.inference_mode():
            rows = [torch.softmax(model(**tok([t], padding=True, truncation=True, max_length=128, return_tensors="pt")).logits, -1)[0]
                    for t in texts]
        return torch.stack(rows).double().numpy()

    return run


@pytest.fixture(scope="module")
def loaded(tiny_dir):
    return load_hf_model(str(tiny_dir), name="tiny", device="cpu")


def test_loaded_model_describes_itself(loaded, tiny_dir):
    assert isinstance(loaded, LoadedModel) and loaded.kind == "huggingface"
    assert isinstance(loaded.classifier, Classifier)
    assert isinstance(loaded.classifier, HasAttention) and isinstance(loaded.classifier, HasInputGradients)
    assert loaded.labels == ["negative", "positive"]
    assert loaded.fingerprint.startswith("sha256:") and len(loaded.fingerprint) == 7 + 64
    d = loaded.details
    assert d["max_length"] == 128 and d["batch_size"] == 32 and d["device"] == "cpu" and d["precision"] == "fp32"
    assert d["architecture"] == "BertForSequenceClassification"
    assert d["num_parameters"] == sum(p.numel() for p in AutoModelForSequenceClassification.from_pretrained(tiny_dir).parameters())


@pytest.mark.parametrize("batch_size", [1, 3, 32])
def test_predict_proba_matches_a_plain_forward_pass(tiny_dir, reference, batch_size):
    model = load_hf_model(str(tiny_dir), name="tiny", batch_size=batch_size, device="cpu")
    proba = model.classifier.predict_proba(TEXTS)
    assert proba.dtype == np.float64 and proba.shape == (len(TEXTS), 2)
    np.testing.assert_allclose(proba, reference(TEXTS), atol=1e-5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert proba[:, 1].std() > 0.01  # the check is not vacuous: texts get different scores


def test_predict_proba_keeps_the_order_of_shuffled_input(loaded, reference):
    texts = list(TEXTS)
    random.Random(3).shuffle(texts)
    np.testing.assert_allclose(loaded.classifier.predict_proba(texts), reference(texts), atol=1e-5)
    # and a text's row does not depend on its neighbours in the batch
    alone = loaded.classifier.predict_proba([texts[4]])
    np.testing.assert_allclose(alone[0], loaded.classifier.predict_proba(texts)[4], atol=1e-5)


def test_empty_input_gives_zero_rows(loaded):
    out = loaded.classifier.predict_proba([])
    assert out.shape == (0, 2) and out.dtype == np.float64


def test_very_long_text_is_truncated(tiny_dir, reference):
    long_text = "the plot was dull and " * 400
    model = load_hf_model(str(tiny_dir), name="tiny", max_length=16, device="cpu")
    assert model.details["max_length"] == 16
    proba = model.classifier.predict_proba([long_text, "great"])
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    np.testing.assert_allclose(proba[0], reference([tok.decode(tok(long_text)["input_ids"][1:15])])[0], atol=1e-5)
    # a max_length past the model's 128 positions is capped, not an index error
    capped = load_hf_model(str(tiny_dir), name="tiny", max_length=4096, device="cpu")
    assert capped.details["max_length"] == 128
    assert np.isfinite(capped.classifier.predict_proba([long_text])).all()


def test_fingerprint_is_stable_and_follows_the_weights(tiny_dir, loaded, tmp_path):
    assert load_hf_model(str(tiny_dir), name="again", device="cpu").fingerprint == loaded.fingerprint
    copy = shutil.copytree(tiny_dir, tmp_path / "copy")
    (copy / "training_summary.json").write_text("{}")  # run metadata is not part of the model
    assert load_hf_model(str(copy), name="copy", device="cpu").fingerprint == loaded.fingerprint
    model = AutoModelForSequenceClassification.from_pretrained(copy)
    with torch.no_grad():
        model.classifier.bias[0] += 1e-3
    model.save_pretrained(copy)
    assert load_hf_model(str(copy), name="changed", device="cpu").fingerprint != loaded.fingerprint


def test_labels_override_and_mismatch(tiny_dir):
    model = load_hf_model(str(tiny_dir), name="tiny", labels=["neg", "pos"], device="cpu")
    assert model.labels == ["neg", "pos"]
    with pytest.raises(AuditError, match="2 output classes but 3 labels"):
        load_hf_model(str(tiny_dir), name="tiny", labels=["a", "b", "c"], device="cpu")
    with pytest.raises(AuditError, match="distinct"):
        load_hf_model(str(tiny_dir), name="tiny", labels=["a", "a"], device="cpu")


def test_missing_model_fails_fast_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(AuditError, match="not a local directory and the Hugging Face hub is unreachable") as err:
        load_hf_model("no-such-org/no-such-model", name="missing")
    assert time.perf_counter() - start < 5
    assert "\n" not in str(err.value) and "HF_HUB_OFFLINE" in str(err.value)
    with pytest.raises(AuditError, match="does not exist"):
        load_hf_model("./models/not/here", name="missing")


def test_bad_directories_are_audit_errors(tiny_dir, tmp_path):
    with pytest.raises(AuditError, match="is a file"):
        load_hf_model(str(tiny_dir / "config.json"), name="file")
    with pytest.raises(AuditError, match="could not be loaded"):
        load_hf_model(str(tmp_path), name="empty")


def test_base_encoder_without_head_is_refused(tiny_dir, tmp_path):
    from transformers import BertModel

    BertModel.from_pretrained(tiny_dir).save_pretrained(tmp_path)
    for f in tiny_dir.iterdir():  # the tokenizer's files (transformers 5 saves no vocab.txt nor special_tokens_map.json)
        if "token" in f.name or f.name == "vocab.txt":
            shutil.copy(f, tmp_path / f.name)
    with pytest.raises(AuditError, match="no trained weights for .*classifier"):
        load_hf_model(str(tmp_path), name="encoder", device="cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU error")
def test_cuda_without_gpu_is_an_audit_error(tiny_dir):
    with pytest.raises(AuditError, match="CUDA is not available"):
        resolve_device("cuda")
    with pytest.raises(AuditError, match="CUDA is not available"):
        load_hf_model(str(tiny_dir), name="tiny", device="cuda")
    with pytest.raises(AuditError, match="needs a CUDA GPU"):
        resolve_precision("bf16", "cpu")


def test_device_and_precision_names():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda", "mps")
    assert resolve_precision("auto", "cpu") == "fp32"
    with pytest.raises(AuditError, match="Unknown device 'tpu'"):
        resolve_device("tpu")
    with pytest.raises(AuditError, match="Unknown precision"):
        resolve_precision("int8", "cpu")


def test_attentions_and_input_gradients(loaded):
    att = loaded.classifier.attentions(["the movie was great", "dull"])
    assert att[0]["tokens"] == ["[CLS]", "the", "movie", "was", "great", "[SEP]"]
    assert att[0]["attentions"].shape == (2, 2, 6, 6) and att[1]["attentions"].shape == (2, 2, 3, 3)
    np.testing.assert_allclose(att[0]["attentions"].sum(-1), 1.0, atol=1e-5)
    grads = loaded.classifier.input_gradients(["the movie was great"], [1])
    g = grads[0]
    assert g["gradients"].shape == g["embeddings"].shape == (6, 64) and np.abs(g["gradients"]).sum() > 0
    # the gradients of the two classes' logits differ (they are not the same scalar)
    other = loaded.classifier.input_gradients(["the movie was great"], [0])[0]["gradients"]
    assert not np.allclose(other, g["gradients"])


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_path_uses_the_gpu_and_autocast(tiny_dir, reference):
    model = load_hf_model(str(tiny_dir), name="tiny", device="auto")
    clf = model.classifier
    assert model.details["device"].startswith("cuda") and next(clf.model.parameters()).is_cuda
    expected = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    assert model.details["precision"] == expected
    seen = []
    hook = clf.model.classifier.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    proba = clf.predict_proba(TEXTS)
    hook.remove()
    assert seen and all(dt == {"bf16": torch.bfloat16, "fp16": torch.float16}[expected] for dt in seen)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(proba, reference(TEXTS), atol=3e-2)
    fp32 = load_hf_model(str(tiny_dir), name="tiny", device="cuda", precision="fp32").classifier.predict_proba(TEXTS)
    np.testing.assert_allclose(fp32, reference(TEXTS), atol=1e-4)


def test_left_padding_passes_positions_counted_from_the_first_real_token(loaded):
    from transformers import RobertaConfig, RobertaForSequenceClassification

    from audit.models.hf_batching import collate, takes_position_ids

    enc = {"input_ids": [[5, 6, 7], [8]]}
    pads = {"input_ids": 0, "attention_mask": 0}
    left = collate(enc, [0, 1], pads, "left", "cpu", position_ids=True)
    assert left["input_ids"].tolist() == [[5, 6, 7], [0, 0, 8]]
    assert left["position_ids"].tolist() == [[0, 1, 2], [0, 0, 0]]
    assert "position_ids" not in collate(enc, [0, 1], pads, "right", "cpu", position_ids=True)  # default is right
    assert "position_ids" not in collate(enc, [0, 1], pads, "left", "cpu")  # the trainer's call: unchanged
    assert loaded.classifier.position_ids  # BERT's forward takes them (used only when padding on the left)
    small = {"num_labels": 2}

    class NoPositions(torch.nn.Module):  # a forward without position_ids (DistilBERT's before transformers 5)
        def forward(self, input_ids=None, attention_mask=None):
            return input_ids

    assert not takes_position_ids(NoPositions())
    # RoBERTa counts positions from its pad ids itself, starting at padding_idx + 1: leave it alone
    assert not takes_position_ids(RobertaForSequenceClassification(RobertaConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                                                                 intermediate_size=16, **small)))
