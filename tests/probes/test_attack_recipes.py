"""Recipes with offline substitutes (TextFooler, TextBugger, BAE, BERT-Attack) on small local
resources, the seeded transformations, and every model kind (tiny BERT, scikit-learn, callable)."""

from __future__ import annotations

import numpy as np
import pytest
from test_attack_support import (  # noqa: F401 - attack_env is a fixture
    KeywordModel, attack_env, cached, records_of, template_data,
)
from tiny_bert import NEGATIVE, POSITIVE, build_tiny_bert

from audit.probes.attack import AttackProbe
from audit.probes.base import ProbeContext

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"))


@pytest.fixture(scope="module")
def trained_tiny(tiny_dir, tmp_path_factory):
    """The tiny BERT fine-tuned for a few seconds on the templates: a non-trivial model to attack."""
    from audit.training.hf_trainer import train_hf

    out = tmp_path_factory.mktemp("tiny_trained")
    train_hf(str(tiny_dir), template_data(), out, epochs=4, learning_rate=3e-3, batch_size=16, max_length=32,
             device="cpu", val_fraction=0.0)
    return out


@pytest.fixture(scope="module")
def glove_file(tmp_path_factory):
    """A GloVe-format text file: each sentiment word sits next to the others of its polarity."""
    rng = np.random.default_rng(0)
    rows = []
    for words, centre in ((POSITIVE, 1.0), (NEGATIVE, -1.0)):
        for w in words:
            rows.append(f"{w} " + " ".join(f"{v:.4f}" for v in centre + 0.05 * rng.normal(size=8)))
    for w in ("movie", "film", "plot", "story", "the", "was"):
        rows.append(f"{w} " + " ".join(f"{v:.4f}" for v in rng.normal(size=8)))
    path = tmp_path_factory.mktemp("glove") / "glove.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def masked_lm_dir(tiny_dir, tmp_path_factory):
    """A randomly initialised tiny BERT masked LM sharing the tiny BERT's WordPiece vocabulary."""
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    out = tmp_path_factory.mktemp("mlm")
    config = BertConfig.from_pretrained(tiny_dir)
    BertForMaskedLM(config).save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_dir).save_pretrained(out)
    return str(out)


def run(recipes, resources, model=None, examples=8, seed=0):
    probe = AttackProbe.from_mapping({"recipes": recipes, "examples": examples, "workers": 4,
                                      "resources": resources})
    return probe.run(cached(model or KeywordModel()), template_data(), ProbeContext(seed=seed))


def check(result, recipe):
    d = result.details["recipes"][recipe]
    assert d["successes"] + d["failures"] + d["skipped"] == d["sampled"] and d["attacked"] > 0
    for r in records_of(result):
        if r["outcome"] == "success":
            assert r["adversarial_label"] != r["label"] and r["confirmed"]
    return d


def test_textfooler_with_synonym_pairs_and_glove(attack_env, tiny_dir, glove_file, tmp_path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("great wonderful\nterrible awful\nmovie film\n" + "".join(f"{w} fine\n" for w in POSITIVE)
                     + "".join(f"{w} poor\n" for w in NEGATIVE), encoding="utf-8")  # 'fine', 'poor': unknown to the model
    result = run(["textfooler"], {"synonyms": str(pairs), "sentence_encoder": str(tiny_dir)}, examples=12)
    d = check(result, "textfooler")
    assert set(d["resources"]) >= {"synonyms", "sentence_encoder"} and d["successes"] > 0
    swapped = [r for r in records_of(result) if r["outcome"] == "success"]
    assert all(("fine" in r["adversarial"].split()) or ("poor" in r["adversarial"].split()) for r in swapped)


def test_textfooler_with_glove_neighbours_only(attack_env, tiny_dir, glove_file, tmp_path):
    result = run(["textfooler"], {"glove": glove_file, "sentence_encoder": str(tiny_dir),
                                  "synonyms": str(tmp_path / "absent.txt")})
    d = check(result, "textfooler")
    assert "synonyms" not in d["resources"]


def test_textbugger_offline(attack_env, tiny_dir, glove_file):
    check(run(["textbugger"], {"glove": glove_file, "sentence_encoder": str(tiny_dir)}), "textbugger")


@pytest.mark.parametrize("recipe", ["bae", "bert-attack"])
def test_masked_lm_recipes_on_a_local_model(attack_env, tiny_dir, masked_lm_dir, recipe):
    result = run([recipe], {"masked_lm": masked_lm_dir, "sentence_encoder": str(tiny_dir)}, examples=4)
    assert check(result, recipe)["resources"]["masked_lm"] == masked_lm_dir


def test_tiny_bert_and_sklearn_models(attack_env, trained_tiny):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from audit.models.huggingface import load_hf_model
    from audit.models.sklearn_model import SklearnClassifier

    data = template_data()
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500)).fit(data.texts, data.labels)
    sk = SklearnClassifier(pipe, list(pipe.classes_), "sha256:tfidf")
    hf = load_hf_model(str(trained_tiny), name="tiny", device="cpu", max_length=12)
    probe = AttackProbe.from_mapping({"recipes": ["deepwordbug"], "examples": 40, "workers": 3})
    for clf, model in ((sk, cached(sk, "sk", "sklearn")), (hf.classifier, _wrap(hf))):
        result = probe.run(model, data, ProbeContext(seed=0))
        d = check(result, "deepwordbug")
        wins = [r for r in records_of(result) if r["outcome"] == "success"]
        if wins:  # re-predicted by the bare classifier, outside the cache
            proba = clf.predict_proba([r["adversarial"] for r in wins])
            assert [model.labels[int(i)] for i in proba.argmax(1)] == [r["adversarial_label"] for r in wins]
    assert d["skipped_by_reason"]["too_long"] > 0  # max_length 12 tokens: the long templates are skipped
    assert d["successes"] > 0


def test_a2t_needs_gradients_and_runs_on_a_transformer(attack_env, trained_tiny, tiny_dir, glove_file):
    from audit.models.huggingface import load_hf_model

    resources = {"glove": glove_file, "sentence_encoder": str(tiny_dir)}
    probe = AttackProbe.from_mapping({"recipes": ["a2t", "deepwordbug"], "examples": 12, "resources": resources})
    keyword = probe.run(cached(KeywordModel()), template_data(), ProbeContext(seed=0))
    assert "input gradients" in keyword.details["unavailable"]["a2t"] and "deepwordbug" in keyword.details["recipes"]
    hf = _wrap(load_hf_model(str(trained_tiny), name="tiny", device="cpu", max_length=64))
    result = probe.run(hf, template_data(), ProbeContext(seed=0))
    check(result, "a2t")


def _wrap(loaded):
    from audit.cache import PredictionCache

    return PredictionCache().wrap(loaded)


def test_seeded_character_edits_depend_only_on_the_seed(attack_env):
    from audit.probes.attack.rng import example_rng
    from audit.probes.attack.swaps import CharDeletion, CharInsertion, CharSubstitution, NeighbourSwap, QwertySwap

    swaps = [CharDeletion(), CharInsertion(), CharSubstitution(), NeighbourSwap(), QwertySwap()]

    def draw(seed):
        with example_rng(seed, "x"):
            return [s._get_replacement_words("wonderful") for s in swaps for _ in range(3)]

    assert draw(1) == draw(1) and draw(1) != draw(2)
    np.random.seed(0)
    first = draw(3)
    np.random.seed(99)  # the global generators play no part
    assert draw(3) == first


def test_wordnet_swap_does_not_download(attack_env, monkeypatch):
    import nltk

    from audit.probes.attack.swaps import WordNetSwap

    monkeypatch.setattr(nltk, "download", lambda *a, **k: pytest.fail("nltk.download was called"))
    assert WordNetSwap().language == "eng"
