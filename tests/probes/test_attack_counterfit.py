"""Word swaps from counter-fitted vectors when a build is cached, and a recorded note when they are
not: TextFooler on vectors where words of opposite sentiment are neighbours (as in GloVe)."""

from __future__ import annotations

import pytest
from counterfit_inputs import write_constraints, write_glove
from test_attack_support import KeywordModel, attack_env, cached, records_of, template_data  # noqa: F401 - a fixture
from tiny_bert import NEGATIVE, POSITIVE, build_tiny_bert

from audit.probes.attack import AttackProbe
from audit.probes.attack.kit import Kit
from audit.probes.base import ProbeContext
from audit.resources import counterfit_store
from audit.resources.vectors import COUNTERFITTED, FALLBACK

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra

POLARITY = {**{w: "+" for w in POSITIVE}, **{w: "-" for w in NEGATIVE}}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("counterfit")
    return write_glove(folder / "glove.txt"), write_constraints(folder / "constraints"), build_tiny_bert(folder / "bert")


def run(resources: dict, examples: int):
    probe = AttackProbe.from_mapping({"recipes": ["textfooler"], "examples": examples, "workers": 4,
                                      "resources": resources})
    return probe.run(cached(KeywordModel()), template_data(), ProbeContext(seed=0))


def crossings(result) -> int:
    """Words swapped for a word of the opposite sentiment in the successful adversarial texts."""
    n = 0
    for r in records_of(result):
        if r["outcome"] == "success":
            for a, b in zip(r["text"].split(), r["adversarial"].split()):
                n += a != b and a in POLARITY and POLARITY[a] != POLARITY.get(b, POLARITY[a])
    return n


def test_textfooler_uses_the_cached_build_and_says_so_when_there_is_none(attack_env, inputs):
    glove, constraints, encoder = inputs
    resources = {"glove": glove, "sentence_encoder": str(encoder)}
    plain = run(resources, 16)
    d = plain.details["recipes"]["textfooler"]
    assert d["resources"]["word_vectors"] == FALLBACK and "counterfit" not in d["resources"]
    assert crossings(plain) > 0  # 'great' -> 'awful': neighbours in plain vectors, not synonyms

    build = counterfit_store.build(glove, constraints, lambda _: None)  # the cache of attack_env
    fitted = run(resources, 16)
    d = fitted.details["recipes"]["textfooler"]
    assert d["resources"]["counterfit"] == str(build) and d["resources"]["word_vectors"] == COUNTERFITTED
    assert crossings(fitted) == 0 and d["successes"] < plain.details["recipes"]["textfooler"]["successes"]

    off = run({**resources, "counterfit": "off"}, 4)
    assert off.details["recipes"]["textfooler"]["resources"]["word_vectors"] == FALLBACK


def test_every_embedding_recipe_reads_the_build(attack_env, inputs):
    from audit.probes.attack import assets, recipes_char, recipes_word
    from audit.probes.attack.wrapper import AuditModelWrapper, BudgetedUntargeted

    glove, constraints, _ = inputs
    build = str(counterfit_store.build(glove, constraints, lambda _: None))
    goal = BudgetedUntargeted(AuditModelWrapper(lambda texts: None, None), query_budget=10, time_budget_s=1)
    kit = Kit(paths={"glove": glove, "counterfit": build, "synonyms": glove}, encode=lambda texts: None)
    fitted = assets.glove(build)
    assert assets.word_vectors(kit.paths) is fitted and assets.word_vectors({"glove": glove}) is assets.glove(glove)
    for factory in (recipes_word.textfooler, recipes_word.a2t):
        assert factory(goal, kit).transformation.embedding is fitted
    textbugger = recipes_char.textbugger(goal, kit).transformation.transformations
    assert any(getattr(t, "embedding", None) is fitted for t in textbugger)
