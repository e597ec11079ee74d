"""Character-level recipes: goal function + constraints + transformation + search, as in TextAttack.

Each factory takes the example-independent goal function (our budgeted one) and a :class:`Kit`
of resources, and returns a ``textattack.Attack``. The random edits are our seeded versions of
TextAttack's (:mod:`audit.probes.attack.swaps`); otherwise the recipes are the papers' as TextAttack
0.3.11 builds them.
"""

from __future__ import annotations

from audit.resources.textattack_env import import_textattack
from audit.probes.attack import assets
from audit.probes.attack.kit import Kit
from audit.probes.attack.swaps import CharDeletion, CharInsertion, CharSubstitution, NeighbourSwap, QwertySwap, VisualCharSwap
from audit.probes.attack.wrapper import NonEmptyText

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack import Attack  # noqa: E402
from textattack.constraints.overlap import LevenshteinEditDistance, MaxWordsPerturbed  # noqa: E402
from textattack.constraints.pre_transformation import MinWordLength, RepeatModification, StopwordModification  # noqa: E402
from textattack.search_methods import GreedySearch, GreedyWordSwapWIR  # noqa: E402
from textattack.transformations import CompositeTransformation, WordSwapEmbedding  # noqa: E402


def deepwordbug(goal, kit: Kit) -> Attack:
    """Gao, Lanchantin, Soffa, Qi (2018). Black-box Generation of Adversarial Text Sequences to Evade
    Deep Learning Classifiers. https://arxiv.org/abs/1801.04354

    Words ranked by how much replacing them with [UNK] lowers the gold score, then one random
    character edit (swap, substitution, deletion, insertion) per word, within 30 edits in all.
    """
    transformation = CompositeTransformation(
        [NeighbourSwap(), CharSubstitution(), CharDeletion(), CharInsertion()]
    )
    constraints = [RepeatModification(), StopwordModification(), LevenshteinEditDistance(30), NonEmptyText()]
    return Attack(goal, constraints, transformation, GreedyWordSwapWIR())


def pruthi(goal, kit: Kit, max_num_word_swaps: int = 1) -> Attack:
    """Pruthi, Dhingra, Lipton (2019). Combating Adversarial Misspellings with Robust Word Recognition.
    https://arxiv.org/abs/1905.11268

    Typos inside words of four or more letters (swap, deletion, insertion, adjacent QWERTY key),
    first and last letters kept, at most one word changed; greedy search.
    """
    kwargs = {"random_one": False, "skip_first_char": True, "skip_last_char": True}
    transformation = CompositeTransformation(
        [NeighbourSwap(**kwargs), CharDeletion(**kwargs), CharInsertion(**kwargs), QwertySwap(**kwargs)]
    )
    constraints = [
        MinWordLength(min_length=4),
        StopwordModification(),
        MaxWordsPerturbed(max_num_words=max_num_word_swaps),
        RepeatModification(),
        NonEmptyText(),
    ]
    return Attack(goal, constraints, transformation, GreedySearch())


def textbugger(goal, kit: Kit) -> Attack:
    """Li, Ji, Du, Li, Wang (2018). TextBugger: Generating Adversarial Text Against Real-world
    Applications. https://arxiv.org/abs/1812.05271

    Words ranked by deletion; bugs: a space inserted, a character deleted, two swapped, a visually
    similar character (Sub-C), or one of the 5 nearest words in embedding space (Sub-W); sentence
    similarity kept above 0.8. Offline: GloVe for Sub-W and a MiniLM encoder for USE.
    """
    common = {"random_one": True, "skip_first_char": True, "skip_last_char": True}
    transformation = CompositeTransformation(
        [
            CharInsertion(letters_to_insert=" ", **common),
            CharDeletion(**common),
            NeighbourSwap(**common),
            VisualCharSwap(),
            WordSwapEmbedding(max_candidates=5, embedding=assets.word_vectors(kit.paths)),
        ]
    )
    constraints = [RepeatModification(), StopwordModification(), NonEmptyText(),
                   assets.MiniLMEncoder(kit.encode, threshold=0.8, metric="angular")]
    return Attack(goal, constraints, transformation, GreedyWordSwapWIR(wir_method="delete"))
