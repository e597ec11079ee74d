"""A tiny, randomly initialised BERT classifier built offline in about a second.

Tests need a real transformers model directory (config, safetensors weights, WordPiece
tokenizer) without the hub; a 2-layer, 64-wide BERT is small enough to build, run and even
train in every test session.
"""

from __future__ import annotations

import itertools
import string
from collections import Counter
from pathlib import Path

SUBJECTS = ["the movie", "this film", "the plot", "the acting", "the story", "the ending", "our hotel", "the meal"]
POSITIVE = ["great", "wonderful", "delightful", "excellent", "charming", "moving", "brilliant", "fun"]
NEGATIVE = ["terrible", "awful", "boring", "dull", "painful", "bland", "tedious", "bad"]
FRAMES = ["{s} was {a} .", "i thought {s} was really {a}", "honestly , {s} felt {a} and {a2} from start to finish",
          "{s} is {a}"]


def template_sentences() -> list[tuple[str, str]]:
    """(text, label) pairs with a clear sentiment signal: subject x frame x adjective."""
    rows = []
    for (label, words), s, frame in itertools.product((("positive", POSITIVE), ("negative", NEGATIVE)), SUBJECTS, FRAMES):
        for i, a in enumerate(words[:4] if "a2" not in frame else words[:2]):
            rows.append((frame.format(s=s, a=a, a2=words[(i + 3) % len(words)]), label))
    for label, words in (("positive", POSITIVE), ("negative", NEGATIVE)):
        rows += [(f"{s} was {a} , {b} and {c}", label) for s, a, b, c in zip(SUBJECTS, words, words[2:], words[4:])]
    return rows


def build_tiny_bert(out_dir, labels=("negative", "positive"), texts=None, seed=0) -> Path:
    """Fit a WordPiece tokenizer on the corpus and save a random 2-layer BERT classifier into ``out_dir``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    corpus = [t for t, _ in template_sentences()] + list(texts or [])
    # A counted vocabulary (specials, characters, whole words) rather than WordPieceTrainer,
    # whose merge ties follow hash order: the same call must build the same tokenizer.
    norm, pre = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = Counter(w for text in corpus for w, _ in pre.pre_tokenize_str(norm.normalize_str(text)))
    chars = sorted({c for w in words for c in w} | set(string.ascii_lowercase + string.digits + string.punctuation))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + [f"##{c}" for c in chars]
    vocab += [w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])) if w not in vocab]
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer, tok.pre_tokenizer, tok.decoder = norm, pre, decoders.WordPiece()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    tokenizer = BertTokenizerFast(tokenizer_object=tok, model_max_length=128, do_lower_case=True)
    tokenizer.save_pretrained(out)

    labels = list(labels)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=128, max_position_embeddings=128, initializer_range=0.1, pad_token_id=0,
        id2label=dict(enumerate(labels)), label2id={name: i for i, name in enumerate(labels)},
    )
    with torch.random.fork_rng(devices=[]):  # seeded weights without touching the caller's RNG
        torch.manual_seed(seed)
        model = BertForSequenceClassification(config)
    model.save_pretrained(out)
    return out
