"""The attack recipes by name: paper, resources needed, and where the factory lives.

Kept with the resources, not in ``probes.attack``: ``audit resources`` lists what each recipe
needs without importing (and so registering) the probe, and configs are validated without the
TextAttack import. The factories themselves live in ``probes.attack.recipes_*``.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.errors import AuditError, did_you_mean


@dataclass(frozen=True)
class RecipeInfo:
    name: str  # config name and metric key, e.g. success_rate/deepwordbug
    textattack_name: str  # TextAttack's recipe class, accepted as an alias
    paper: str
    needs: tuple[tuple[str, ...], ...]  # each group is satisfied by any one of its resources
    factory: str  # "module:function" building one textattack Attack
    offline_note: str = ""  # how the offline build differs from the paper's
    white_box: bool = False  # needs the model's input gradients (Hugging Face models)


RECIPES: dict[str, RecipeInfo] = {r.name: r for r in (
    RecipeInfo("deepwordbug", "DeepWordBugGao2018",
               "Gao et al. 2018, Black-box Generation of Adversarial Text Sequences (arXiv:1801.04354)",
               (("stopwords",),), "audit.probes.attack.recipes_char:deepwordbug"),
    RecipeInfo("pruthi", "Pruthi2019",
               "Pruthi et al. 2019, Combating Adversarial Misspellings with Robust Word Recognition (arXiv:1905.11268)",
               (("stopwords",),), "audit.probes.attack.recipes_char:pruthi"),
    RecipeInfo("pwws", "PWWSRen2019",
               "Ren et al. 2019, Probability Weighted Word Saliency (ACL, P19-1103)",
               (("stopwords",), ("wordnet",)), "audit.probes.attack.recipes_word:pwws"),
    RecipeInfo("textfooler", "TextFoolerJin2019",
               "Jin et al. 2019, Is BERT Really Robust? (arXiv:1907.11932)",
               (("stopwords",), ("synonyms", "glove"), ("sentence_encoder",)), "audit.probes.attack.recipes_word:textfooler",
               "synonym pairs or GloVe neighbours instead of counter-fitted vectors, a MiniLM encoder instead of USE, "
               "no part-of-speech constraint"),
    RecipeInfo("textbugger", "TextBuggerLi2018",
               "Li et al. 2018, TextBugger: Generating Adversarial Text Against Real-world Applications "
               "(arXiv:1812.05271)",
               (("stopwords",), ("glove",), ("sentence_encoder",)), "audit.probes.attack.recipes_char:textbugger",
               "the paper's visually-similar-character swaps instead of Unicode homoglyphs, GloVe instead of "
               "counter-fitted vectors, a MiniLM encoder instead of USE"),
    RecipeInfo("bae", "BAEGarg2019",
               "Garg and Ramakrishnan 2020, BAE: BERT-based Adversarial Examples (arXiv:2004.01970)",
               (("stopwords",), ("masked_lm",), ("sentence_encoder",)), "audit.probes.attack.recipes_mlm:bae",
               "a MiniLM encoder instead of USE, no part-of-speech constraint"),
    RecipeInfo("bert-attack", "BERTAttackLi2020",
               "Li et al. 2020, BERT-ATTACK: Adversarial Attack Against BERT Using BERT (arXiv:2004.09984)",
               (("stopwords",), ("masked_lm",), ("sentence_encoder",)), "audit.probes.attack.recipes_mlm:bert_attack",
               "a MiniLM encoder instead of USE"),
    RecipeInfo("a2t", "A2TYoo2021",
               "Yoo and Qi 2021, Towards Improving Adversarial Training of NLP Models (arXiv:2109.00544)",
               (("stopwords",), ("glove",), ("sentence_encoder",)), "audit.probes.attack.recipes_word:a2t",
               "GloVe instead of counter-fitted vectors, a MiniLM encoder instead of sentence-BERT, no part-of-speech "
               "constraint, word importance from the predicted class's gradient", white_box=True),
)}


def resolve_recipe(name: str) -> RecipeInfo:
    """A recipe by its name or TextAttack class name (any case); unknown names suggest the closest."""
    key = str(name).strip().lower().replace("_", "-")
    for info in RECIPES.values():
        if key in (info.name, info.textattack_name.lower()):
            return info
    raise AuditError(did_you_mean("attack recipe", str(name), RECIPES))


def needed_resources(info: RecipeInfo) -> list[str]:
    return [name for group in info.needs for name in group]
