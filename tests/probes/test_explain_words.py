"""Words: sub-word tokens credit the right word whatever the tokenizer puts in their offsets,
ties in a ranking are broken at random (seeded per example), truncation keeps the seen words."""

from __future__ import annotations

import numpy as np
import pytest

from audit.core.seeding import rng_for
from audit.probes.explain.faithfulness import erased, tie_breaker
from audit.probes.explain.word_spans import aggregate, top_order, visible_prefix, word_spans

TEXT = "the movie was  great"
CORPUS = ["the movie was great", "honestly , the plot felt boring and dull"] * 20


def trained(pre_tokenizer, post_processor=None):
    from tokenizers import Tokenizer, models, trainers

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizer
    if post_processor is not None:
        tok.post_processor = post_processor
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=120, special_tokens=["<unk>"]))
    return tok


@pytest.mark.parametrize("kind", ["byte_level", "metaspace"])
def test_tokens_starting_at_the_space_credit_the_next_word(kind):
    from tokenizers import pre_tokenizers, processors

    if kind == "byte_level":
        tok = trained(pre_tokenizers.ByteLevel(add_prefix_space=False), processors.ByteLevel(trim_offsets=False))
    else:
        tok = trained(pre_tokenizers.Metaspace())
    enc = tok.encode(TEXT)
    assert any(TEXT[a].isspace() for a, _ in enc.offsets)  # "Ġwas" / "▁was" start at the space
    scores = np.arange(1, len(enc.ids) + 1, dtype=float)
    words = aggregate(scores, enc.offsets, [False] * len(enc.ids), TEXT)
    assert np.all(words > 0) and words.sum() == pytest.approx(scores.sum())  # no token lost, none doubled
    spans = word_spans(TEXT)
    for (a, b), s in zip(enc.offsets, scores):  # each token lands in the word its letters belong to
        letters = [i for i in range(a, b) if not TEXT[i].isspace()]
        if letters:
            j = next(j for j, (ws, we) in enumerate(spans) if ws <= letters[0] < we)
            assert words[j] >= s


def test_whitespace_only_token_goes_to_the_following_word():
    offsets = [(0, 3), (3, 4), (4, 9), (9, 11)]  # "the", " ", "movie", "  " (trailing: no word)
    words = aggregate(np.array([1.0, 2.0, 3.0, 4.0]), offsets, [False] * 4, "the movie  ")
    assert list(words) == [1.0, 5.0]


def test_ties_are_broken_by_a_seeded_draw_not_by_position():
    flat = np.zeros(30)
    orders = [tuple(top_order(flat, rng_for(0, "explain", "ties", f"id{i}"))) for i in range(5)]
    assert tuple(range(30)) not in orders and len(set(orders)) == 5
    assert orders[0] == tuple(top_order(flat, rng_for(0, "explain", "ties", "id0")))  # reproducible
    ranked = top_order(np.array([0.0, 2.0, 0.0, 1.0]), np.random.default_rng(3))
    assert list(ranked[:2]) == [1, 3]  # scores still come first
    words = [f"w{i}" for i in range(30)]  # erasure with all-equal scores no longer removes the first words
    assert erased(words, flat, (0.1,), tie_breaker(0, "id0"))[1] != "w0 w1 w2"


def test_visible_prefix_keeps_the_words_seen_whole():
    text = "the movie was great fun"
    assert visible_prefix(text, None) == text.split()
    assert visible_prefix(text, 13) == ["the", "movie", "was"]
    assert visible_prefix(text, 11) == ["the", "movie"]  # "was" cut in the middle: not seen whole
