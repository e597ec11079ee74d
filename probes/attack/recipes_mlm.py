"""Masked-language-model recipes: BAE and BERT-Attack, on a local masked LM.

TextAttack downloads bert-base-uncased from the hub and pads every masked query to 512 tokens;
here the masked LM comes from a local directory (``resources.masked_lm`` / AUDIT_MASKED_LM) and
its queries are padded only to their longest member. A MiniLM encoder stands in for USE.
"""

from __future__ import annotations

import threading

from audit.resources.textattack_env import import_textattack
from audit.probes.attack import assets
from audit.probes.attack.kit import Kit
from audit.probes.attack.wrapper import NonEmptyText

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack import Attack  # noqa: E402
from textattack.constraints.overlap import MaxWordsPerturbed  # noqa: E402
from textattack.constraints.pre_transformation import RepeatModification, StopwordModification  # noqa: E402
from textattack.search_methods import GreedyWordSwapWIR  # noqa: E402
from textattack.shared import utils  # noqa: E402
from textattack.transformations import WordSwapMaskedLM  # noqa: E402


class DynamicMaskedLM(WordSwapMaskedLM):
    """WordSwapMaskedLM with dynamic padding, capped at the masked LM's own positions.

    Worker threads share one masked LM and its fast tokenizer, which fails ("Already borrowed")
    when two threads call it at once, so candidate generation is serialised.
    """

    _lock = threading.Lock()

    def _get_transformations(self, current_text, indices_to_modify):
        with self._lock:
            return super()._get_transformations(current_text, indices_to_modify)

    def _encode_text(self, text):
        encoding = self._lm_tokenizer(text, max_length=self.max_length, truncation=True, padding=True,
                                      return_tensors="pt")
        return encoding.to(utils.device)


@assets.loaded_once
def masked_lm(path: str):
    """(model, tokenizer, max_length) of a local masked LM directory (or a hub id when online)."""
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    model = AutoModelForMaskedLM.from_pretrained(path).eval()
    tokenizer = AutoTokenizer.from_pretrained(path, use_fast=True)
    limit = min(512, int(getattr(model.config, "max_position_embeddings", 512) or 512))
    return model, tokenizer, limit


def _transformation(kit: Kit, **kwargs) -> DynamicMaskedLM:
    model, tokenizer, limit = masked_lm(kit.paths["masked_lm"])
    return DynamicMaskedLM(masked_language_model=model, tokenizer=tokenizer, max_length=limit, **kwargs)


def bae(goal, kit: Kit) -> Attack:
    """Garg, Ramakrishnan (2020). BAE: BERT-based Adversarial Examples for Text Classification.
    https://arxiv.org/abs/2004.01970

    BAE-R: words ranked by deletion, each replaced by one of the masked LM's 50 best tokens,
    sentence similarity (15-word window, against the original) >= 0.936338023 (cosine). Without
    the part-of-speech constraint, whose tagger is a download.
    """
    constraints = [RepeatModification(), StopwordModification(), NonEmptyText(),
                   assets.MiniLMEncoder(kit.encode, threshold=0.936338023, metric="cosine",
                                        compare_against_original=True, window_size=15,
                                        skip_text_shorter_than_window=True)]
    transformation = _transformation(kit, method="bae", max_candidates=50, min_confidence=0.0)
    return Attack(goal, constraints, transformation, GreedyWordSwapWIR(wir_method="delete"))


def bert_attack(goal, kit: Kit) -> Attack:
    """Li, Ma, Guo, Xue, Qiu (2020). BERT-ATTACK: Adversarial Attack Against BERT Using BERT.
    https://arxiv.org/abs/2004.09984

    Words ranked by [UNK] replacement; 8 masked-LM candidates per word (sub-word aware); at most
    40% of words changed; whole-text similarity to the original >= 0.2 (cosine).
    """
    constraints = [RepeatModification(), StopwordModification(), MaxWordsPerturbed(max_percent=0.4), NonEmptyText(),
                   assets.MiniLMEncoder(kit.encode, threshold=0.2, metric="cosine", compare_against_original=True,
                                        window_size=None)]
    transformation = _transformation(kit, method="bert-attack", max_candidates=8)
    return Attack(goal, constraints, transformation, GreedyWordSwapWIR(wir_method="unk"))
