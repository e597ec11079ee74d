"""Erasure metrics, occlusion, the random baseline, stability and word aggregation, each against a
direct computation on hand-made or scikit-learn models."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from audit.cache import PredictionCache
from audit.demo.corpus import generate
from audit.models.base import LoadedModel
from audit.models.sklearn_model import SklearnClassifier
from audit.probes.explain.config import ExplainConfig
from audit.probes.explain.faithfulness import RANDOM, random_scores, score_all
from audit.probes.explain.methods import occlusion
from audit.probes.explain.scoring import faithfulness
from audit.probes.explain.stability import noisy_copies, per_example, spearman
from audit.probes.explain.word_spans import aggregate, n_top, token_to_word, word_spans

WEIGHTS = {"great": 2.0, "fun": 1.0, "dull": -2.0, "plot": 0.3, "the": 0.1}


class WordModel:
    """p(positive) = sigmoid(sum of word weights): every erasure has a closed form."""

    labels = ["negative", "positive"]
    fingerprint = "hand-made"

    def __init__(self):
        self.calls = 0

    def predict_proba(self, texts):
        self.calls += 1
        z = np.array([sum(WEIGHTS.get(w, 0.0) for w in t.split()) for t in texts])
        p = 1 / (1 + np.exp(-z))
        return np.stack([1 - p, p], axis=1)


def p_pos(words):
    return 1 / (1 + np.exp(-sum(WEIGHTS.get(w, 0.0) for w in words)))


def cached(clf, kind="callable"):
    return PredictionCache().wrap(LoadedModel("m", "test", kind, clf))


def test_comprehensiveness_and_sufficiency_match_a_direct_computation():
    texts = ["the plot was great fun", "dull dull plot", "the great the fun the dull the plot the end x"]
    scores = [np.array([0.1, 0.5, 0.0, 0.9, 0.7]), np.array([0.2, 0.8, -1.0]), np.arange(11.0)[::-1]]
    clf = WordModel()
    model = cached(clf)
    ks = (0.2, 0.5, 1.0)
    curves = score_all(model, texts, ["a", "b", "c"], [1, 0, 1], {"m": scores}, ks, seed=3, draws=2)
    assert clf.calls == 1  # the originals, every method's and the baseline's erasures: one request
    for i, (text, s, target) in enumerate(zip(texts, scores, [1, 0, 1])):
        words = text.split()
        prob = (lambda ws: p_pos(ws)) if target == 1 else (lambda ws: 1 - p_pos(ws))
        order = sorted(range(len(words)), key=lambda j: (-s[j], j))
        for col, k in enumerate(ks):
            top = set(order[: max(1, int(np.ceil(k * len(words))))])
            comp = prob(words) - prob([w for j, w in enumerate(words) if j not in top])
            suff = prob(words) - prob([w for j, w in enumerate(words) if j in top])
            assert curves["m"].comprehensiveness[i, col] == pytest.approx(comp, abs=1e-12)
            assert curves["m"].sufficiency[i, col] == pytest.approx(suff, abs=1e-12)
    assert np.allclose(curves["m"].aopc_comprehensiveness, curves["m"].comprehensiveness.mean(axis=1))
    # k = 1.0 removes every word: comprehensiveness is p(x) - p(empty text), sufficiency 0
    assert curves["m"].sufficiency[:, -1] == pytest.approx(0.0)
    assert curves[RANDOM].comprehensiveness.shape == (3, 3)


def test_random_baseline_is_seeded_and_model_independent():
    a = random_scores(7, "ex1", 6, 3)
    assert all(np.array_equal(x, y) for x, y in zip(a, random_scores(7, "ex1", 6, 3)))
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[0], random_scores(8, "ex1", 6, 3)[0])
    texts, ids = ["the plot was great fun", "dull dull plot"], ["a", "b"]
    one = score_all(cached(WordModel()), texts, ids, [1, 0], {}, (0.5,), seed=7, draws=3)[RANDOM]
    two = score_all(cached(WordModel()), texts, ids, [1, 0], {}, (0.5,), seed=7, draws=3)[RANDOM]
    assert np.array_equal(one.comprehensiveness, two.comprehensiveness)
    # the baseline is the mean over the draws of the curves of each random ranking
    words = texts[0].split()
    expected = np.mean([p_pos(words) - p_pos([w for j, w in enumerate(words) if j not in
                                               set(np.argsort(-s, kind="stable")[:3])]) for s in random_scores(7, "a", 5, 3)])
    assert one.comprehensiveness[0, 0] == pytest.approx(expected)


def test_faithfulness_scores_rank_a_good_method_above_a_reversed_one():
    texts = ["the plot was great fun today", "dull plot and dull acting here", "great great fun the end"]
    model = cached(WordModel())
    good = occlusion(model, texts, [1, 0, 1])
    curves = score_all(model, texts, ["a", "b", "c"], [1, 0, 1], {"good": good, "reversed": [-g for g in good]},
                       (0.2, 0.5), seed=0, draws=5)
    cfg = ExplainConfig(bootstrap=200)
    metrics, detail, ranking = faithfulness(curves, (0.2, 0.5), cfg, seed=0)
    assert [r["method"] for r in ranking] == ["good", "reversed"]
    assert ranking[0]["beats_random"] and not ranking[1]["beats_random"]
    base = curves[RANDOM]
    expected = ((curves["good"].aopc_comprehensiveness - curves["good"].aopc_sufficiency)
                - (base.aopc_comprehensiveness - base.aopc_sufficiency)).mean()
    assert metrics["faithfulness/good"].value == pytest.approx(expected)
    assert metrics["aopc_sufficiency/good"].higher_is_better is False
    assert detail["good"]["comprehensiveness"]["0.2"] == pytest.approx(curves["good"].comprehensiveness[:, 0].mean())


def test_occlusion_equals_leave_one_out_by_hand():
    model = cached(WordModel())
    got = occlusion(model, ["the plot was great", "dull fun"], [1, 0])
    words = "the plot was great".split()
    expected = [p_pos(words) - p_pos(words[:j] + words[j + 1:]) for j in range(4)]
    np.testing.assert_allclose(got[0], expected)
    np.testing.assert_allclose(got[1], [(1 - p_pos(["dull", "fun"])) - (1 - p_pos(["fun"])),
                                        (1 - p_pos(["dull", "fun"])) - (1 - p_pos(["dull"]))])


@pytest.fixture(scope="module")
def tfidf_lr():
    rows = generate(400, seed=0, skewed=False)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(C=10, max_iter=1000))
    pipe.fit([r["text"] for r in rows], [r["label"] for r in rows])
    return pipe, [r["text"] for r in generate(40, seed=5, skewed=False)]


def test_occlusion_on_tfidf_logreg_agrees_with_its_coefficients(tfidf_lr):
    pipe, texts = tfidf_lr
    vec, lr = pipe.steps[0][1], pipe.steps[1][1]
    model = cached(SklearnClassifier(pipe, [str(c) for c in lr.classes_], "sk"), kind="sklearn")
    pos = list(lr.classes_).index("positive")
    analyzer = vec.build_analyzer()
    rhos, top_hits, n = [], 0, 0
    for text, scores in zip(texts, occlusion(model, texts, [pos] * len(texts))):
        words = text.split()
        # the ranking the coefficients imply: each word's contribution coef x idf to the positive logit
        implied = np.array([sum(lr.coef_[0][vec.vocabulary_[t]] * vec.idf_[vec.vocabulary_[t]]
                                for t in analyzer(w) if t in vec.vocabulary_) for w in words])
        if len(set(w.lower() for w in words)) < len(words) or np.ptp(implied) == 0:
            continue  # repeated words share a feature: their leave-one-out is not one coefficient each
        rhos.append(sps.spearmanr(scores, implied).statistic)
        top_hits += int(np.argmax(scores) == np.argmax(implied))
        n += 1
    assert n >= 10
    assert np.mean(rhos) > 0.8 and top_hits >= 0.8 * n


def test_spearman_equals_scipy_and_is_none_when_undefined():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.integers(0, 4, 7).astype(float), rng.normal(size=7)
        if np.ptp(a) == 0:
            continue
        assert spearman(a, b) == pytest.approx(sps.spearmanr(a, b).statistic)
    assert spearman(np.ones(4), np.arange(4.0)) is None and spearman(np.ones(1), np.ones(1)) is None


def test_noisy_copies_keep_words_aligned_and_are_seeded():
    texts = ["the movie was really quite wonderful", "dull"]
    one = noisy_copies(texts, ["a", "b"], "typo", 0.2, 3, seed=1)
    assert one == noisy_copies(texts, ["a", "b"], "typo", 0.2, 3, seed=1)
    assert all(len(t.split()) == len(texts[i].split()) and t != texts[i] for i, t in one)
    rho = per_example([np.arange(6.0), np.ones(1)], [(0, ""), (0, "")], [np.arange(6.0), -np.arange(6.0)])
    assert rho[0] == pytest.approx(0.0) and np.isnan(rho[1])


def test_subwords_sum_into_their_words_and_specials_are_dropped():
    text = "unbelievably dull , ok"
    spans = word_spans(text)
    offsets = [(0, 0), (0, 2), (2, 7), (7, 12), (13, 17), (18, 19), (20, 22), (0, 0)]
    special = [True, False, False, False, False, False, False, True]
    assert token_to_word(offsets, special, spans).tolist() == [-1, 0, 0, 0, 1, 2, 3, -1]
    scores = np.array([9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0])
    np.testing.assert_allclose(aggregate(scores, offsets, special, text), [6.0, 4.0, 5.0, 6.0])
    assert [n_top(10, k) for k in (0.05, 0.1, 0.2, 0.5, 1.0)] == [1, 1, 2, 5, 10]


def test_k_of_one_is_refused_with_the_reason():
    from audit.core.errors import AuditError

    with pytest.raises(AuditError, match="k = 1 every word is removed or kept"):
        ExplainConfig(k=(0.5, 1.0))
    assert ExplainConfig(k=(0.5, 0.99)).k == (0.5, 0.99)


class SpacingModel:
    """Confident only when the text holds a double space: its words never matter."""

    labels = ["negative", "positive"]
    fingerprint = "spacing"

    def predict_proba(self, texts):
        p = np.array([0.9 if "  " in t else 0.5 for t in texts])
        return np.stack([1 - p, p], axis=1)


def test_full_text_is_scored_in_the_format_of_the_erased_texts():
    """p(x) and p(x without words) differ only in the words removed, never in whitespace."""
    texts = ["great  fun film", "dull\tplot  here"]
    attributions = {"m": [np.array([1.0, 0.5, 0.0]), np.array([0.2, 1.0, 0.0])]}
    curves = score_all(cached(SpacingModel()), texts, ["a", "b"], [1, 1], attributions, (0.34, 0.67), 0, 2)
    for c in curves.values():
        np.testing.assert_allclose(c.comprehensiveness, 0.0, atol=1e-12)
        np.testing.assert_allclose(c.sufficiency, 0.0, atol=1e-12)
