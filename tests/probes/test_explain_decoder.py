"""Explanations of decoder classifiers (GPT-2 style, last-token pooling) on tiny models built
offline: byte-level BPE words, the explained output in padded batches, left padding (position
ids), the pooled token when the tokenizer puts a special BOS first (OPT / Llama style) or appends
an EOS that is also the pad token, and encoder-decoders (BART) skipped, not failed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny_bert import build_tiny_bert, template_sentences

from audit.cache import PredictionCache
from audit.models.huggingface import load_hf_model
from audit.probes.explain.attention import raw_attention, rollout
from audit.probes.explain.methods import Skip, attention_scores, grad_x_input, run_method

TEXTS = ["the movie was great", "honestly , the plot felt boring and dull from start to finish", "dull",
         "the acting was charming", "this film is bad"]


def build_tiny_gpt2(out, bos: bool = False, eos: bool = False):
    """A 2-layer, 32-wide GPT-2 classifier with a byte-level BPE tokenizer trained in memory;
    ``bos``: the tokenizer puts <|endoftext|> first, as OPT / Llama tokenizers put their BOS;
    ``eos``: it appends <|endoftext|>, the pad token too (as ensure_pad_token sets it)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import GPT2Config, GPT2ForSequenceClassification, GPT2TokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)  # "Ġwas" starts at the space
    tok.train_from_iterator([t for t, _ in template_sentences()], trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    if bos or eos:
        eos_id = tok.token_to_id("<|endoftext|>")
        tok.post_processor = processors.Sequence([processors.ByteLevel(trim_offsets=False), processors.TemplateProcessing(
            single=("<|endoftext|> $A" if bos else "$A") + (" <|endoftext|>" if eos else ""),
            special_tokens=[("<|endoftext|>", eos_id)])])
    fast = GPT2TokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                             unk_token="<|endoftext|>")
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(fast), n_embd=32, n_layer=2, n_head=2, n_positions=64, num_labels=2,
                     pad_token_id=fast.eos_token_id)
    GPT2ForSequenceClassification(cfg).save_pretrained(out)
    fast.save_pretrained(out)
    return str(out)


@pytest.fixture(scope="module")
def gpt2_dir(tmp_path_factory):
    return build_tiny_gpt2(tmp_path_factory.mktemp("gpt2"))


@pytest.fixture(scope="module", params=["right", "left"])
def gpt2(gpt2_dir, request):
    clf = load_hf_model(gpt2_dir, name="g", device="cpu", batch_size=8).classifier
    clf.tokenizer.padding_side = request.param
    return clf


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    return load_hf_model(str(build_tiny_bert(tmp_path_factory.mktemp("bert"))), name="b", device="cpu").classifier


def alone(clf, text, target):
    """The model's probability for ``target`` on ``text`` run on its own (no padding at all)."""
    return float(clf.predict_proba([text])[0, target])


def test_byte_level_tokens_credit_their_word(gpt2_dir):
    model = PredictionCache().wrap(_loaded(gpt2_dir))
    row = model.classifier.input_gradients(["the movie was great"], [1], score="proba")[0]
    assert sum("the movie was great"[a] == " " for a, _ in row["offsets"]) == 3  # "Ġwas" starts at the space
    words = grad_x_input(model, ["the movie was great"], [1], "proba", 4)[0]
    token_scores = (row["gradients"] * row["embeddings"]).sum(-1)
    assert np.all(words != 0)  # every word gets its tokens' scores, none is dropped
    assert words.sum() == pytest.approx(token_scores.sum(), rel=1e-9)


def _loaded(path):
    return load_hf_model(path, name="g", device="cpu")


@pytest.mark.parametrize("method", ["grad", "ig"])
def test_batched_decoder_scores_equal_predict_proba_and_single_runs(gpt2, method):
    targets = [1, 0, 1, 0, 1]
    if method == "grad":
        batched = gpt2.input_gradients(TEXTS, targets, score="proba", batch_size=8)
        singles = [gpt2.input_gradients([t], [c], score="proba", batch_size=1)[0] for t, c in zip(TEXTS, targets)]
        key = "gradients"
    else:
        batched = gpt2.integrated_gradients(TEXTS, targets, steps=4, rows_per_pass=40)
        singles = [gpt2.integrated_gradients([t], [c], steps=4, rows_per_pass=5)[0] for t, c in zip(TEXTS, targets)]
        key = "attributions"
    for text, t, row, single in zip(TEXTS, targets, batched, singles):
        assert row["score"] == pytest.approx(alone(gpt2, text, t), abs=1e-5)  # the explained output is the model's
        np.testing.assert_allclose(row[key], single[key], atol=1e-6, rtol=1e-4)


def test_bert_gradient_scores_equal_predict_proba(bert):
    targets = [0, 1, 1, 0, 1]
    proba = bert.predict_proba(TEXTS)
    for row, p, t in zip(bert.input_gradients(TEXTS, targets, score="proba", batch_size=8), proba, targets):
        assert row["score"] == pytest.approx(p[t], abs=1e-5)
    for row, p, t in zip(bert.integrated_gradients(TEXTS, targets, steps=4, rows_per_pass=40), proba, targets):
        assert row["score"] == pytest.approx(p[t], abs=1e-5)


def test_decoder_with_a_bos_reads_the_last_token(tmp_path):
    model = PredictionCache().wrap(_loaded(build_tiny_gpt2(tmp_path / "bos", bos=True)))
    rows = model.classifier.attention_rows(TEXTS[:2], batch_size=2)
    full = model.classifier.attentions(TEXTS[:2])
    for row, f in zip(rows, full):
        assert row["special"][0] and row["pooled_index"] == len(row["tokens"]) - 1
        np.testing.assert_allclose(row["last_layer_row"], raw_attention(f["attentions"], row["pooled_index"]), atol=1e-6)
        np.testing.assert_allclose(row["rollout_row"], rollout(f["attentions"], row["pooled_index"]), atol=1e-6)
    for kind in ("attention", "rollout"):
        scores = attention_scores(model, TEXTS[:2], kind, 2)
        assert all(np.all(s > 0) for s in scores)  # the last token attends to every earlier word


def test_left_padded_batches_equal_single_runs(gpt2_dir, bert):
    """GPT-2 has learned absolute positions: left padding must not shift them (position ids)."""
    clf = load_hf_model(gpt2_dir, name="g", device="cpu", batch_size=8).classifier
    clf.tokenizer.padding_side = "left"
    batched = clf.predict_proba(TEXTS)
    np.testing.assert_allclose(batched, np.vstack([clf.predict_proba([t]) for t in TEXTS]), atol=1e-5)
    rows = clf.attention_rows(TEXTS, batch_size=8)
    for row, text in zip(rows, TEXTS):
        single = clf.attention_rows([text], batch_size=1)[0]
        assert row["pooled_index"] == single["pooled_index"] == len(row["tokens"]) - 1
        np.testing.assert_allclose(row["last_layer_row"], single["last_layer_row"], atol=1e-6)
        np.testing.assert_allclose(row["rollout_row"], single["rollout_row"], atol=1e-6)
    np.testing.assert_allclose(bert.predict_proba(TEXTS), np.vstack([bert.predict_proba([t]) for t in TEXTS]), atol=1e-5)


@pytest.fixture(scope="module")
def gpt2_eos(tmp_path_factory):
    return build_tiny_gpt2(tmp_path_factory.mktemp("gpt2_eos"), eos=True)


@pytest.mark.parametrize("side", ["right", "left"])
def test_appended_eos_that_is_the_pad_token_is_not_the_pooled_token(gpt2_eos, side):
    """transformers' GPT-2 classifier reads the last token that is not the pad id: the one before
    the appended EOS. The explained score must be that same output, in batches and alone."""
    clf = load_hf_model(gpt2_eos, name="g", device="cpu", batch_size=8).classifier
    clf.tokenizer.padding_side = side
    eos = clf.tokenizer.eos_token_id
    assert clf.tokenizer.pad_token_id == eos == clf.model.config.pad_token_id
    targets = [1, 0, 1, 0, 1]
    proba = clf.predict_proba(TEXTS)
    grads = clf.input_gradients(TEXTS, targets, score="proba", batch_size=8)
    igs = clf.integrated_gradients(TEXTS, targets, steps=4, rows_per_pass=40)
    rows = clf.attention_rows(TEXTS, batch_size=8)
    for text, t, p, g, ig, row in zip(TEXTS, targets, proba, grads, igs, rows):
        n = len(g["tokens"])
        assert clf.tokenizer(text)["input_ids"][-1] == eos and n == len(ig["attributions"]) == len(row["tokens"])
        assert p[t] == pytest.approx(alone(clf, text, t), abs=1e-5)
        assert g["score"] == pytest.approx(p[t], abs=1e-5)
        assert ig["score"] == pytest.approx(p[t], abs=1e-5)
        assert g["embeddings"].shape == g["gradients"].shape == (n, 32)
        assert not np.any(g["gradients"][-1]) and ig["attributions"][-1] == 0  # the EOS after it: no influence
        assert np.any(g["gradients"][-2])
        assert row["pooled_index"] == n - 2 == clf.pooled_index(n, clf.tokenizer(text)["input_ids"])


def test_encoder_decoder_methods_are_skipped_not_errors(gpt2_dir):
    """BART's classifier refuses inputs_embeds and its outputs have no ``attentions``."""
    from types import SimpleNamespace

    from transformers import AutoTokenizer, BartConfig, BartForSequenceClassification

    from audit.models.huggingface import HFClassifier

    tok = AutoTokenizer.from_pretrained(gpt2_dir)
    eos = tok.eos_token_id
    torch.manual_seed(0)
    cfg = BartConfig(vocab_size=len(tok), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=16, decoder_ffn_dim=16, max_position_embeddings=64,
                     num_labels=2, pad_token_id=eos, eos_token_id=eos, bos_token_id=eos, decoder_start_token_id=eos)
    clf = HFClassifier(BartForSequenceClassification(cfg), tok, labels=["n", "p"], fingerprint="bart")
    model = SimpleNamespace(classifier=clf, id="bart")
    texts = [TEXTS[0] + tok.eos_token]  # BART pools its (last) EOS
    assert clf.predict_proba(texts).shape == (1, 2)
    config = SimpleNamespace(batch_size=2, score="proba", ig_steps=4)
    for method in ("attention", "rollout", "grad_x_input", "integrated_gradients"):
        with pytest.raises(Skip, match="attention maps|input embeddings"):
            run_method(method, model, texts, [1], config, cache={})
