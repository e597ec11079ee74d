"""Attention, rollout and gradient attributions of the Hugging Face adapter against transformers
itself on a tiny BERT: raw maps, rollout, autograd, batching and integrated-gradients completeness."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny_bert import build_tiny_bert
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from audit.models.huggingface import load_hf_model
from audit.probes.explain.attention import raw_attention, rollout, rollout_matrix

TEXTS = ["the movie was great", "dull", "honestly , the plot felt boring and dull from start to finish",
         "a zebra wandered into the plot"]
IG_TOLERANCE = 0.01  # |sum(IG) - (f(x) - f(baseline))| <= 1% of |f(x) - f(baseline)| + 1e-5 at 32 steps


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = build_tiny_bert(tmp_path_factory.mktemp("explain_bert"))
    model = AutoModelForSequenceClassification.from_pretrained(path, attn_implementation="eager").eval()
    return path, model, AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def clf(tiny):
    return load_hf_model(str(tiny[0]), name="tiny", device="cpu", batch_size=3).classifier


def direct_maps(tiny, text):
    _, model, tok = tiny
    with torch.no_grad():
        out = model(**tok([text], return_tensors="pt"), output_attentions=True)
    return np.stack([a[0].double().numpy() for a in out.attentions])


def test_raw_attention_equals_output_attentions(tiny, clf):
    rows = clf.attentions(TEXTS)  # batch of 3 + 1: padding inside a batch must not change the maps
    for text, row in zip(TEXTS, rows):
        expected = direct_maps(tiny, text)
        np.testing.assert_allclose(row["attentions"], expected, atol=1e-5)
        assert row["tokens"][0] == "[CLS]" and row["special"][0] and row["special"][-1]
        np.testing.assert_allclose(raw_attention(row["attentions"], 0), expected[-1].mean(axis=0)[0], atol=1e-5)


def test_rollout_rows_sum_to_one_and_match_a_direct_product(tiny, clf):
    for text, row in zip(TEXTS, clf.attentions(TEXTS)):
        maps = direct_maps(tiny, text)
        n = maps.shape[-1]
        expected = np.eye(n)
        for layer in maps:  # Abnar & Zuidema: 0.5 * mean-head attention + 0.5 * I, layers multiplied upwards
            expected = (0.5 * layer.mean(axis=0) + 0.5 * np.eye(n)) @ expected
        got = rollout_matrix(row["attentions"])
        np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-9)
        np.testing.assert_allclose(got, expected, atol=1e-5)
        np.testing.assert_allclose(rollout(row["attentions"], clf.pooled_index(n)), expected[0], atol=1e-5)


def test_attention_rows_equal_the_reference_from_full_maps(clf):
    """The per-batch reduced rows (no maps kept) match raw attention / rollout of the full maps."""
    for row, full in zip(clf.attention_rows(TEXTS, batch_size=3), clf.attentions(TEXTS)):
        assert row["pooled_index"] == 0 and row["tokens"] == full["tokens"]  # BERT reads [CLS]
        np.testing.assert_allclose(row["last_layer_row"], raw_attention(full["attentions"], 0), atol=1e-6)
        np.testing.assert_allclose(row["rollout_row"], rollout(full["attentions"], 0), atol=1e-6)
        assert row["rollout_row"].sum() == pytest.approx(1.0, abs=1e-9)


def autograd_grad_x_input(tiny, text, target, score):
    _, model, tok = tiny
    enc = tok([text], return_tensors="pt")
    emb = model.get_input_embeddings()(enc.pop("input_ids")).detach().requires_grad_(True)
    logits = model(inputs_embeds=emb, **enc).logits
    value = torch.softmax(logits, -1)[0, target] if score == "proba" else logits[0, target]
    (grad,) = torch.autograd.grad(value, emb)
    return (grad[0] * emb[0]).sum(-1).detach().double().numpy(), grad[0].double().numpy()


@pytest.mark.parametrize("score", ["proba", "logit"])
def test_grad_x_input_equals_direct_autograd(tiny, clf, score):
    targets = [1, 0, 1, 0]
    rows = clf.input_gradients(TEXTS, targets, score=score)
    for text, t, row in zip(TEXTS, targets, rows):
        gxi, grad = autograd_grad_x_input(tiny, text, t, score)
        np.testing.assert_allclose(row["gradients"], grad, atol=1e-6, rtol=1e-4)
        np.testing.assert_allclose((row["gradients"] * row["embeddings"]).sum(-1), gxi, atol=1e-6, rtol=1e-4)
        assert np.abs(gxi).sum() > 0


def test_batched_gradients_equal_unbatched(clf):
    targets = [0, 1, 1, 0]
    batched = clf.input_gradients(TEXTS, targets, score="proba", batch_size=4)
    for text, t, row in zip(TEXTS, targets, batched):
        single = clf.input_gradients([text], [t], score="proba", batch_size=1)[0]
        assert row["tokens"] == single["tokens"] and row["offsets"] == single["offsets"]
        np.testing.assert_allclose(row["gradients"], single["gradients"], atol=1e-6, rtol=1e-4)
    ig_batched = clf.integrated_gradients(TEXTS, targets, steps=8, rows_per_pass=64)
    for text, t, row in zip(TEXTS, targets, ig_batched):
        single = clf.integrated_gradients([text], [t], steps=8, rows_per_pass=9)[0]
        np.testing.assert_allclose(row["attributions"], single["attributions"], atol=1e-6, rtol=1e-4)


def test_integrated_gradients_completeness_within_tolerance(tiny, clf):
    targets = [1, 0, 1, 1]
    rows = clf.integrated_gradients(TEXTS, targets, steps=32, score="proba")
    _, model, tok = tiny
    for text, t, row in zip(TEXTS, targets, rows):
        with torch.no_grad():
            p = torch.softmax(model(**tok([text], return_tensors="pt")).logits, -1)[0, t].item()
        assert row["score"] == pytest.approx(p, abs=1e-5)  # f(x) is the model's own probability
        delta = row["score"] - row["baseline_score"]
        assert abs(delta) > 1e-4  # a real path, not a zero difference
        assert abs(row["attributions"].sum() - delta) <= IG_TOLERANCE * abs(delta) + 1e-5
        special = np.array(row["special"])
        assert np.all(row["attributions"][special] == 0)  # the baseline keeps special tokens: nothing to attribute


def test_integrated_gradients_gap_shrinks_with_steps(clf):
    gaps = []
    for steps in (2, 8, 32):
        rows = clf.integrated_gradients(TEXTS[:2], [1, 0], steps=steps)
        gaps.append(sum(abs(r["attributions"].sum() - (r["score"] - r["baseline_score"])) for r in rows))
    assert gaps[0] > gaps[1] > gaps[2]
