"""The attack probe on sentence pairs: the fixed side is never changed nor even queried changed
(a constraint on the search, not a filter on its results), every success is re-predicted on the
adversarial pair by an independent model, each recipe offered on pairs runs on them, and a pair is
too long for a transformer when its two sides together are."""

from __future__ import annotations

import pytest
from pair_fixtures import NLI, OverlapNLI, nli_pairs
from test_attack_recipes import glove_file  # noqa: F401 - a fixture
from test_attack_support import REAL_WORDNET, attack_env, cached, records_of  # noqa: F401 - attack_env is a fixture

from audit.core.errors import AuditError
from audit.probes.attack import AttackProbe
from audit.probes.attack.pairs import PAIR_RECIPES
from audit.probes.base import ProbeContext

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra

FIXED = {"first": "text_pair", "second": "text"}  # perturb -> the record key of the side held fixed
ADVERSARIAL = {"text": "adversarial", "text_pair": "adversarial_pair"}  # a side's key -> its adversarial version


def attack(raw: dict, model: OverlapNLI | None = None, seed: int = 0):
    model = model or OverlapNLI(0.55)
    probe = AttackProbe.from_mapping({"recipes": ["deepwordbug"], "examples": 24, "workers": 4, **raw})
    return probe.run(cached(model), nli_pairs(), ProbeContext(seed=seed)), model


@pytest.mark.parametrize("perturb", ["second", "first"])
def test_the_fixed_side_is_never_changed_nor_queried(attack_env, perturb):
    result, model = attack({"perturb": perturb})
    data = nli_pairs()
    fixed = FIXED[perturb]
    originals = set(data.texts if fixed == "text" else data.text_pairs)
    changed_side = 0 if fixed == "text_pair" else 1
    assert model.seen and all(pair[1 - changed_side] in originals for pair in model.seen)  # every query
    records = records_of(result)
    assert all(r["text_pair"] is not None for r in records)
    tried = [r for r in records if r["outcome"] in ("success", "failed")]
    wins = [r for r in tried if r["outcome"] == "success"]
    assert len(wins) >= 8, "word overlap is easy to break: too few successes means the pair was not attacked"
    assert all(r[ADVERSARIAL[fixed]] == r[fixed] for r in tried)
    assert any(r["adversarial"] != r["text"] or r["adversarial_pair"] != r["text_pair"] for r in wins)
    fresh = OverlapNLI(0.55)  # no cache, no shared state: the pair as recorded, predicted directly
    proba = fresh.predict_proba([(r["adversarial"], r["adversarial_pair"]) for r in wins])
    assert [NLI[i] for i in proba.argmax(1)] == [r["adversarial_label"] for r in wins]
    assert all(r["adversarial_label"] != r["label"] and r["confirmed"] for r in wins)
    assert result.details["perturb"] == perturb
    for e in result.examples + result.details["successes"]:
        assert {"text", "text_pair", "adversarial", "adversarial_pair"} <= set(e) and e[fixed] == e[ADVERSARIAL[fixed]]
    d = result.details["recipes"]["deepwordbug"]
    assert d["successes"] == len(wins) and d["successes"] + d["failures"] + d["skipped"] == d["sampled"] == 24


@pytest.fixture(scope="module")
def pair_lm(tmp_path_factory):
    """A tiny BERT whose WordPiece vocabulary holds the pairs' words, and a random masked LM on it
    (BERT-Attack tries every combination of candidates for a word split into many pieces)."""
    from tiny_bert import build_tiny_bert
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    data = nli_pairs()
    path = build_tiny_bert(tmp_path_factory.mktemp("pair_bert"), labels=NLI, texts=data.texts + data.text_pairs)
    BertForMaskedLM(BertConfig.from_pretrained(path)).save_pretrained(path / "mlm")
    AutoTokenizer.from_pretrained(path).save_pretrained(path / "mlm")
    return path


def test_every_recipe_offered_on_pairs_runs_on_them(attack_env, glove_file, pair_lm):  # noqa: F811
    resources = {"glove": glove_file, "sentence_encoder": str(pair_lm), "masked_lm": str(pair_lm / "mlm")}
    recipes = [r for r in PAIR_RECIPES if r != "pwws" or REAL_WORDNET] + ["a2t"]
    result, model = attack({"recipes": recipes, "examples": 3, "resources": resources, "query_budget": 200})
    assert "input gradients" in result.details["unavailable"]["a2t"]
    assert set(result.details["recipes"]) == set(recipes) - {"a2t"}
    premises = set(nli_pairs().texts)
    assert all(a in premises for a, _ in model.seen)
    for r in records_of(result):
        assert r["outcome"] == "skipped" or r["adversarial"] == r["text"], r["recipe"]
    ran = result.details["recipes"].values()
    assert all(d["attacked"] > 0 for d in ran) and sum(d["successes"] for d in ran) >= 5


def test_a_pair_is_too_long_when_both_sides_together_are(attack_env, pair_lm):
    from audit.cache import PredictionCache
    from audit.models.huggingface import load_hf_model
    from audit.probes.attack.prepare import skip_reasons

    data = nli_pairs()
    model = PredictionCache().wrap(load_hf_model(str(pair_lm), name="pair-bert", max_length=14, device="cpu"))
    tok = model.classifier.tokenizer
    inputs = data.inputs
    lengths = [len(tok(a, b)["input_ids"]) for a, b in inputs]
    alone = [max(len(tok(a)["input_ids"]), len(tok(b)["input_ids"])) for a, b in inputs]
    reasons = skip_reasons(model, inputs + [("", "x")])
    assert reasons[-1] == "empty"
    assert reasons[:-1] == ["too_long" if n > 14 else None for n in lengths]
    assert any(r == "too_long" and n <= 14 for r, n in zip(reasons, alone))  # neither side alone is too long


def test_perturb_names_a_side():
    with pytest.raises(AuditError, match=r"attack.perturb must be one of first, second, both .* got 'premise'"):
        AttackProbe.from_mapping({"perturb": "premise"})
