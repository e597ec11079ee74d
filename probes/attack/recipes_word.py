"""Word-substitution recipes: PWWS (WordNet) and TextFooler with offline substitutes.

Goal function + constraints + transformation + search, as TextAttack builds them; where
TextAttack would download (counter-fitted vectors from S3, USE from TF-Hub, an NLTK POS tagger)
we use local resources instead and say so in the recipe catalog; the word vectors used go into
the attack details (``resources.word_vectors``).
"""

from __future__ import annotations

from audit.resources.textattack_env import import_textattack
from audit.probes.attack import assets
from audit.probes.attack.kit import Kit
from audit.probes.attack.swaps import PairSwap, WordNetSwap
from audit.probes.attack.wrapper import NonEmptyText

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack import Attack  # noqa: E402
from textattack.constraints.pre_transformation import MaxModificationRate, RepeatModification, StopwordModification  # noqa: E402
from textattack.constraints.semantics import WordEmbeddingDistance  # noqa: E402
from textattack.search_methods import GreedyWordSwapWIR  # noqa: E402
from textattack.transformations import WordSwapEmbedding  # noqa: E402


def pwws(goal, kit: Kit) -> Attack:
    """Ren, Deng, He, Che (2019). Generating Natural Language Adversarial Examples through Probability
    Weighted Word Saliency. https://www.aclweb.org/anthology/P19-1103/

    WordNet synonyms; words ordered by saliency x best swap effect (softmax-weighted), then swapped
    greedily. As in TextAttack, without the paper's named-entity swaps.
    """
    assets.wordnet()  # loaded once, not by every worker at the same time
    constraints = [RepeatModification(), StopwordModification(), NonEmptyText()]
    return Attack(goal, constraints, WordNetSwap(), GreedyWordSwapWIR("weighted-saliency"))


def textfooler(goal, kit: Kit) -> Attack:
    """Jin, Jin, Zhou, Szolovits (2019). Is BERT Really Robust? A Strong Baseline for Natural Language
    Attack on Text Classification and Entailment. https://arxiv.org/abs/1907.11932

    Words ranked by deletion; up to 50 substitutes per word; word-embedding cosine >= 0.5; sentence
    similarity in a 15-word window >= 0.840845057 (angular). Offline: neighbours in our counter-fitted
    build of GloVe (``audit resources --fetch counterfit``), else synonym pairs or plain GloVe
    neighbours (recorded in the details); a MiniLM encoder instead of USE; no part-of-speech
    constraint (its tagger is a download).
    """
    embedding = assets.word_vectors(kit.paths)
    if "synonyms" in kit.paths and "counterfit" not in kit.paths:
        transformation = PairSwap(assets.synonym_table(kit.paths["synonyms"]), max_candidates=50)
    else:
        transformation = WordSwapEmbedding(max_candidates=50, embedding=embedding)
    constraints = [RepeatModification(), StopwordModification(), NonEmptyText()]
    if embedding is not None:
        constraints.append(WordEmbeddingDistance(embedding=embedding, min_cos_sim=0.5, include_unknown_words=True))
    constraints.append(assets.MiniLMEncoder(kit.encode, threshold=0.840845057, metric="angular",
                                            compare_against_original=False, window_size=15,
                                            skip_text_shorter_than_window=True))
    return Attack(goal, constraints, transformation, GreedyWordSwapWIR(wir_method="delete"))


def a2t(goal, kit: Kit) -> Attack:
    """Yoo, Qi (2021). Towards Improving Adversarial Training of NLP Models.
    https://arxiv.org/abs/2109.00544

    Words ranked by input gradients (white-box, so Hugging Face models only); up to 20 embedding
    neighbours with cosine >= 0.8; at most 10% of the words (and at least 4 allowed); whole-text
    similarity to the original >= 0.9 (cosine). Offline: our counter-fitted build of GloVe (plain
    GloVe when none is built, recorded in the details), a MiniLM encoder instead of sentence-BERT,
    no part-of-speech constraint, and the gradient of the predicted class's score instead of the loss.
    """
    embedding = assets.word_vectors(kit.paths)
    constraints = [RepeatModification(), StopwordModification(), NonEmptyText(),
                   MaxModificationRate(max_rate=0.1, min_threshold=4),
                   assets.MiniLMEncoder(kit.encode, threshold=0.9, metric="cosine"),
                   WordEmbeddingDistance(embedding=embedding, min_cos_sim=0.8)]
    transformation = WordSwapEmbedding(max_candidates=20, embedding=embedding)
    return Attack(goal, constraints, transformation, GreedyWordSwapWIR(wir_method="gradient"))
