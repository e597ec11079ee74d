"""The vectorised classification metrics (confusion matrices, precision/recall/F1, Brier, log loss, ECE)
equal scikit-learn's or a direct loop."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from audit import stats


def random_case(n: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y_true]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y_true, proba.argmax(axis=1), proba


@pytest.mark.parametrize("k", [2, 3, 5])
def test_point_estimates_equal_sklearn(k):
    y_true, y_pred, proba = random_case(300, k, seed=k)
    idx = np.arange(300)[None, :]
    cm = stats.confusion_batch(y_true, y_pred, k, idx)
    np.testing.assert_array_equal(cm[0], skm.confusion_matrix(y_true, y_pred, labels=range(k)))
    present = np.union1d(y_true, y_pred)
    assert stats.f1_macro_from_cm(cm, present)[0] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert stats.f1_weighted_from_cm(cm)[0] == pytest.approx(skm.f1_score(y_true, y_pred, average="weighted"))
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=range(k), zero_division=0)
    mp, mr, mf, ms = (a[0] for a in stats.prf_from_cm(cm))
    np.testing.assert_allclose(mp, p)
    np.testing.assert_allclose(mr, r)
    np.testing.assert_allclose(mf, f)
    np.testing.assert_allclose(ms, s)
    assert stats.brier_per_example(proba, y_true).mean() == pytest.approx(
        skm.brier_score_loss(y_true, proba, labels=list(range(k)))
    )
    assert stats.log_loss_per_example(proba, y_true).mean() == pytest.approx(
        skm.log_loss(y_true, proba, labels=list(range(k)))
    )


def test_f1_macro_when_a_class_is_never_predicted():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 1, 1, 1, 1])
    cm = stats.confusion_batch(y_true, y_pred, 3, np.arange(6)[None, :])
    present = np.union1d(y_true, y_pred)
    expected = skm.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert stats.f1_macro_from_cm(cm, present)[0] == pytest.approx(expected)


def test_ece_matches_a_direct_loop():
    y_true, y_pred, proba = random_case(500, 3, seed=7)
    conf = proba.max(axis=1)
    correct = (y_pred == y_true).astype(float)
    n_bins = 10
    expected = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        mask = (conf >= lo) & ((conf < hi) if b < n_bins - 1 else (conf <= hi))
        if mask.any():
            expected += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    got = stats.ece_batch(conf, correct, n_bins, np.arange(500)[None, :])[0]
    assert got == pytest.approx(expected)
    bins = stats.calibration_bins(conf, correct, n_bins)
    assert sum(b["count"] for b in bins) == 500
    weighted = sum(b["count"] / 500 * abs(b["accuracy"] - b["mean_confidence"]) for b in bins if b["count"])
    assert weighted == pytest.approx(expected)


def test_perfect_calibration_has_zero_ece():
    conf = np.array([1.0, 1.0, 1.0])
    correct = np.array([1.0, 1.0, 1.0])
    assert stats.ece_batch(conf, correct, 10, np.arange(3)[None, :])[0] == 0.0
