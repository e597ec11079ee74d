"""The attack recipes by name: paper, resources needed, and where the factory lives.

Kept with the resources, not in ``audit.probes.attack``: ``audit resources`` lists what each recipe
needs without importing (and so registering) the probe, and configs are validated without the
TextAttack import. The factories themselves live in ``audit.probes.attack.recipes_*``; a plug-in adds
a :class:`RecipeInfo` through the entry-point group ``audit.attack_recipes`` (docs/contributing.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.core.errors import AuditError
from audit.core.registry import Registry


@dataclass(frozen=True)
class RecipeInfo:
    name: str  # config name and metric key, e.g. success_rate/deepwordbug
    textattack_name: str  # TextAttack's recipe class, accepted as an alias ("" for a recipe of your own)
    paper: str
    needs: tuple[tuple[str, ...], ...]  # each group is satisfied by any one of its resources
    factory: str  # "module:function" building one textattack Attack
    offline_note: str = ""  # how the offline build differs from the paper's
    white_box: bool = False  # needs the model's input gradients (Hugging Face models)


def _check(info: RecipeInfo) -> None:
    from audit.resources.catalog import RESOURCES

    if not isinstance(info, RecipeInfo):
        raise AuditError(f"{info!r} is not an attack recipe; describe one with audit.resources.recipes.RecipeInfo.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", info.name):
        raise AuditError(f"Attack recipe name '{info.name}' may use only lower-case letters, digits and '-'; rename it.")
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", info.factory):
        raise AuditError(f"Attack recipe '{info.name}' has factory '{info.factory}'; name it as 'module:function'.")
    unknown = sorted({n for group in info.needs for n in group} - set(RESOURCES))
    if unknown:
        raise AuditError(f"Attack recipe '{info.name}' needs unknown resource(s) {', '.join(unknown)}; "
                         f"use {', '.join(RESOURCES)}.")


RECIPES: Registry[RecipeInfo] = Registry("attack recipe", "audit.attack_recipes", (__name__,),
                                         name_of=lambda info: info.name, check=_check)
_BUILTIN = (
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
               (("stopwords",), ("counterfit", "synonyms", "glove"), ("sentence_encoder",)),
               "audit.probes.attack.recipes_word:textfooler",
               "counter-fitted vectors built from GloVe (`audit resources --fetch counterfit`; else synonym pairs or "
               "plain GloVe neighbours, as the details say), a MiniLM encoder instead of USE, no part-of-speech "
               "constraint"),
    RecipeInfo("textbugger", "TextBuggerLi2018",
               "Li et al. 2018, TextBugger: Generating Adversarial Text Against Real-world Applications "
               "(arXiv:1812.05271)",
               (("stopwords",), ("counterfit", "glove"), ("sentence_encoder",)),
               "audit.probes.attack.recipes_char:textbugger",
               "the paper's visually-similar-character swaps instead of Unicode homoglyphs, counter-fitted vectors "
               "built from GloVe (plain GloVe when none are built, as the details say), a MiniLM encoder instead of USE"),
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
               (("stopwords",), ("counterfit", "glove"), ("sentence_encoder",)), "audit.probes.attack.recipes_word:a2t",
               "counter-fitted vectors built from GloVe (plain GloVe when none are built, as the details say), a MiniLM "
               "encoder instead of sentence-BERT, no part-of-speech constraint, word importance from the predicted "
               "class's gradient", white_box=True),
)
for _info in _BUILTIN:
    RECIPES.register(_info.name, _info, origin=__name__)


def resolve_recipe(name: str) -> RecipeInfo:
    """A recipe by its name or TextAttack class name (any case); unknown names suggest the closest."""
    key = str(name).strip().lower().replace("_", "-")
    for info in RECIPES.values():
        if key == info.name or (info.textattack_name and key == info.textattack_name.lower()):
            return info
    return RECIPES.get(str(name))  # unknown: "Unknown attack recipe 'x'. Did you mean ...?"


def needed_resources(info: RecipeInfo) -> list[str]:
    return [name for group in info.needs for name in group]
