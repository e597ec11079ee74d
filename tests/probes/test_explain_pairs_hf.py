"""Attention and gradient explanations of a Hugging Face pair model: each token's score goes to a
word of the text it comes from, never to [CLS] or the separator. Checked against a direct
``tokenizer(a, b)`` forward pass whose tokens are mapped to words by the tokenizer's own
``word_ids`` and ``sequence_ids`` (the texts have no punctuation, so its words are whitespace words)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pair_fixtures import NLI, nli_pairs
from tiny_bert import build_tiny_bert

from audit.cache import PredictionCache
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.explain import ExplainProbe
from audit.probes.explain.methods import NO_SEQUENCE_IDS, Skip, attention_scores, grad_x_input, integrated_gradients, word_scores

# "xylophone" and "gutiar" are not in the tiny vocabulary: WordPiece splits them into pieces
PAIRS = [("a man is playing a guitar on stage", "a man plays a xylophone"),
         ("two dogs run through the snow", "dogs are outside"),
         ("kids play football outside", "a gutiar is loud")]
METHODS = ("attention", "rollout", "grad_x_input", "integrated_gradients", "occlusion")


@pytest.fixture(scope="module")
def pair_bert(tmp_path_factory):
    from audit.models.huggingface import load_hf_model

    data = nli_pairs()
    path = build_tiny_bert(tmp_path_factory.mktemp("hf_pair_explain"), labels=NLI, texts=data.texts + data.text_pairs)
    loaded = load_hf_model(str(path), name="pair-bert", max_length=64, batch_size=2, device="cpu")
    return PredictionCache().wrap(LoadedModel("pair-bert", str(path), "huggingface", loaded.classifier))


def per_word(clf, a: str, b: str, token_scores) -> np.ndarray:
    """Token scores summed into the words of a, then of b, by the tokenizer's own word and sequence ids."""
    enc = clf.tokenizer(a, b)
    out = np.zeros(len(a.split()) + len(b.split()))
    for t, (word, side) in enumerate(zip(enc.word_ids(), enc.sequence_ids())):
        if side is not None:
            out[word + (len(a.split()) if side == 1 else 0)] += float(token_scores[t])
    return out


def forward(clf, a: str, b: str, **kwargs):
    enc = clf.tokenizer(a, b, return_tensors="pt")
    with torch.no_grad():
        return enc, clf.model(**enc, **kwargs)


def test_attention_on_a_pair_goes_to_each_texts_words_and_not_the_separator(pair_bert):
    from transformers import AutoModelForSequenceClassification

    clf = pair_bert.classifier
    got = attention_scores(pair_bert, PAIRS, "attention", batch_size=2)
    # the reference: the same weights with eager attention (sdpa returns no maps on transformers 5)
    eager = AutoModelForSequenceClassification.from_pretrained(clf.model.name_or_path, attn_implementation="eager").eval()
    for (a, b), scores in zip(PAIRS, got):
        enc = clf.tokenizer(a, b, return_tensors="pt")
        with torch.no_grad():
            out = eager(**enc, output_attentions=True)
        row = out.attentions[-1][0].mean(0)[0].double().numpy()  # [CLS]'s last-layer row, mean over heads
        np.testing.assert_allclose(scores, per_word(clf, a, b, row), atol=1e-6)
        special = enc["input_ids"][0].tolist()
        specials = sum(row[t] for t, tok in enumerate(special) if tok in clf.tokenizer.all_special_ids)
        assert specials > 0 and abs(scores.sum() + specials - 1) < 1e-6  # [CLS] and both [SEP]s hold the rest


def test_grad_x_input_on_a_pair_equals_a_direct_backward_pass(pair_bert):
    clf = pair_bert.classifier
    targets = [0, 1, 2]
    got = grad_x_input(pair_bert, PAIRS, targets, score="logit", batch_size=2)
    embed = clf.model.get_input_embeddings()
    for (a, b), t, scores in zip(PAIRS, targets, got):
        enc = clf.tokenizer(a, b, return_tensors="pt")
        emb = embed(enc.pop("input_ids")).detach().requires_grad_(True)
        logit = clf.model(inputs_embeds=emb, **enc).logits[0, t]
        (grad,) = torch.autograd.grad(logit, emb)
        tokens = (grad * emb).sum(-1)[0].detach().double().numpy()
        np.testing.assert_allclose(scores, per_word(clf, a, b, tokens), atol=1e-5)
        assert len(scores) == len(a.split()) + len(b.split())


def test_integrated_gradients_on_a_pair_keep_completeness_over_both_texts(pair_bert):
    clf = pair_bert.classifier
    targets = [int(p.argmax()) for p in clf.predict_proba(PAIRS)]
    words, info = integrated_gradients(pair_bert, PAIRS, targets, score="proba", steps=16, rows_per_pass=17)
    rows = clf.integrated_gradients(PAIRS, targets, steps=16, score="proba")
    proba = clf.predict_proba(PAIRS)
    for (a, b), t, w, row in zip(PAIRS, targets, words, rows):
        assert abs(row["score"] - proba[PAIRS.index((a, b)), t]) < 1e-5  # the pair as predict_proba sees it
        # special tokens keep their embedding on the path (zero attribution), so the words hold it all
        assert not np.asarray(row["attributions"])[np.array(row["special"])].any()
        np.testing.assert_allclose(w.sum(), np.sum(row["attributions"]), atol=1e-6)
        assert abs(w.sum() - (row["score"] - row["baseline_score"])) <= 0.05 * abs(row["score"] - row["baseline_score"]) + 0.005
        assert row["sequence_ids"].count(1) > 0 and w[len(a.split()):].any()
    assert info["unconverged"] == 0


def test_a_pair_row_without_sequence_ids_is_skipped_with_the_reason():
    row = {"offsets": [(0, 0), (0, 1), (0, 0), (0, 1), (0, 0)], "special": [True, False, True, False, True]}
    np.testing.assert_allclose(word_scores(row, "a", [9, 1, 9, 5, 9]), [6.0])  # a single text needs none
    with pytest.raises(Skip, match="sequence_ids"):
        word_scores(row, ("a", "b"), [9, 1, 9, 2, 9])
    assert "occlusion explains pairs" in NO_SEQUENCE_IDS
    np.testing.assert_allclose(word_scores({**row, "sequence_ids": [None, 0, None, 1, None]}, ("a", "b"), [9, 1, 9, 2, 9]),
                               [1.0, 2.0])


def test_probe_runs_every_method_on_a_hf_pair_model(pair_bert):
    data = nli_pairs()
    cfg = {"bootstrap": 50, "ig_steps": 4, "global_examples": 8, "random_baselines": 2, "random": 4, "misclassified": 2}
    res = ExplainProbe.from_mapping(cfg).run(pair_bert, data, ProbeContext(seed=0))
    methods = res.details["methods"]
    assert {m: methods[m]["status"] for m in METHODS} == {m: "ok" for m in METHODS}
    for m in METHODS:
        assert f"faithfulness/{m}" in res.metrics and f"stability/{m}" in res.metrics
    for ex in res.examples:
        for m in METHODS:
            assert len(ex["attributions"][m]) == len(ex["words"])
            assert len(ex["attributions_pair"][m]) == len(ex["words_pair"])
    assert any(any(ex["attributions_pair"]["grad_x_input"]) for ex in res.examples)
