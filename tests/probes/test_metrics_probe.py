"""The `metrics` probe, run through the cache, equals scikit-learn on the same predictions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.metrics import MetricsProbe
from audit.stats import proportion_interval


class TableModel:
    """Returns fixed probabilities per text: an independent oracle for the metrics."""

    def __init__(self, labels, table):
        self.labels = labels
        self.table = table
        self.fingerprint = "sha256:table"

    def predict_proba(self, texts):
        return np.array([self.table[t] for t in texts])


@pytest.fixture()
def case():
    rng = np.random.default_rng(0)
    labels = ["bad", "good", "meh"]
    n = 240
    gold = rng.integers(0, 3, n)
    logits = rng.normal(size=(n, 3)) + 1.2 * np.eye(3)[gold]
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    texts = [f"text {i}" for i in range(n)]
    data = Dataset(ids=[str(i) for i in range(n)], texts=texts, labels=[labels[g] for g in gold], source="mem")
    model = LoadedModel("m", "mem", "callable", TableModel(labels, dict(zip(texts, proba))))
    return data, model, gold, proba, labels


def test_metrics_equal_sklearn(case):
    data, model, gold, proba, labels = case
    res = MetricsProbe().run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
    pred = proba.argmax(1)
    m = res.metrics
    assert m["accuracy"].value == pytest.approx(skm.accuracy_score(gold, pred))
    assert m["f1_macro"].value == pytest.approx(skm.f1_score(gold, pred, average="macro"))
    assert m["f1_weighted"].value == pytest.approx(skm.f1_score(gold, pred, average="weighted"))
    assert m["brier"].value == pytest.approx(skm.brier_score_loss(gold, proba, labels=[0, 1, 2]))
    assert m["log_loss"].value == pytest.approx(skm.log_loss(gold, proba, labels=[0, 1, 2]))
    p, r, f, s = skm.precision_recall_fscore_support(gold, pred, labels=[0, 1, 2], zero_division=0)
    for j, label in enumerate(labels):
        assert m[f"precision/{label}"].value == pytest.approx(p[j])
        assert m[f"recall/{label}"].value == pytest.approx(r[j])
        assert m[f"f1/{label}"].value == pytest.approx(f[j])
        assert m[f"support/{label}"].value == s[j]
    assert res.details["confusion_matrix"] == skm.confusion_matrix(gold, pred).tolist()
    lo, hi = m["accuracy"].ci
    assert lo < m["accuracy"].value < hi
    assert m["ece"].higher_is_better is False and m["accuracy"].higher_is_better is True


def test_examples_are_the_most_confident_mistakes(case):
    data, model, gold, proba, labels = case
    res = MetricsProbe(MetricsProbe.Config(max_examples=5)).run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
    wrong = np.flatnonzero(proba.argmax(1) != gold)
    top = wrong[np.argsort(-proba.max(1)[wrong], kind="stable")][:5]
    assert [e["id"] for e in res.examples] == [str(i) for i in top]
    assert all(e["label"] != e["predicted"] for e in res.examples)
    assert len(res.predictions["id"]) == len(data)


def test_bootstrap_reproducible_by_seed(case):
    data, model, *_ = case
    run = lambda seed: MetricsProbe().run(PredictionCache().wrap(model), data, ProbeContext(seed=seed))  # noqa: E731
    assert run(1).metrics["f1_macro"].ci == run(1).metrics["f1_macro"].ci
    assert run(1).metrics["f1_macro"].ci != run(2).metrics["f1_macro"].ci
    assert run(1).metrics["accuracy"].ci == run(2).metrics["accuracy"].ci  # exact: no resampling


def test_shares_get_exact_intervals_that_hold_at_all_or_none(case):
    data, model, gold, proba, labels = case
    m = MetricsProbe().run(PredictionCache().wrap(model), data, ProbeContext(seed=0)).metrics
    pred = proba.argmax(1)
    assert m["accuracy"].ci == pytest.approx(proportion_interval(int((pred == gold).sum()), len(gold)))
    for j, label in enumerate(labels):
        tp = int(((pred == j) & (gold == j)).sum())
        if (pred == j).any():
            assert m[f"precision/{label}"].ci == pytest.approx(proportion_interval(tp, int((pred == j).sum())))
        if (gold == j).any():
            assert m[f"recall/{label}"].ci == pytest.approx(proportion_interval(tp, int((gold == j).sum())))
    perfect = LoadedModel("p", "mem", "callable", TableModel(labels, {t: np.eye(3)[y] for t, y in zip(data.texts, gold)}))
    acc = MetricsProbe().run(PredictionCache().wrap(perfect), data, ProbeContext(seed=0)).metrics["accuracy"]
    assert acc.value == 1.0 and acc.ci[1] == 1.0 and acc.ci[0] == pytest.approx(0.025 ** (1 / len(gold)))


def test_gold_labels_mapped_by_name_whatever_the_model_order(case):
    data, model, gold, proba, labels = case
    reordered = [2, 0, 1]
    other = LoadedModel("r", "mem", "callable", TableModel([labels[i] for i in reordered],
                        {t: row[reordered] for t, row in model.classifier.table.items()}))
    a = MetricsProbe().run(PredictionCache().wrap(model), data, ProbeContext(seed=0)).metrics
    b = MetricsProbe().run(PredictionCache().wrap(other), data, ProbeContext(seed=0)).metrics
    for key in ("accuracy", "f1_macro", "brier", "log_loss", "ece"):
        assert a[key].value == pytest.approx(b[key].value)


def test_class_never_seen_has_no_scores():
    labels = ["neg", "neutral", "pos"]
    texts = ["a", "b", "c", "d"]
    table = {"a": [0.9, 0.05, 0.05], "b": [0.8, 0.1, 0.1], "c": [0.1, 0.1, 0.8], "d": [0.2, 0.1, 0.7]}
    data = Dataset(ids=list("0123"), texts=texts, labels=["neg", "neg", "pos", "neg"], source="mem")
    model = LoadedModel("m", "mem", "callable", TableModel(labels, {t: np.array(p) for t, p in table.items()}))
    res = MetricsProbe(MetricsProbe.Config(bootstrap=0)).run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
    assert res.metrics["f1/neutral"].value is None and res.details["per_class"]["neutral"]["recall"] is None
    assert res.metrics["support/neutral"].value == 0
    assert res.metrics["f1/neg"].value == pytest.approx(skm.f1_score([0, 0, 2, 0], [0, 0, 2, 2], labels=[0], average=None)[0])
