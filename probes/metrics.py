"""The `metrics` probe: task metrics with CIs, and calibration.

Accuracy, macro / weighted F1, per-class precision / recall / F1 / support, the confusion
matrix, expected calibration error with its reliability bins, Brier score and log loss.
Accuracy, precision and recall are shares of examples and get exact (Clopper-Pearson)
intervals, which hold at 0 or all of n where a bootstrap shrinks to a point; the other
metrics get seeded percentile-bootstrap CIs.
Per-example predictions are returned for the sidecar file so that two models can later be
compared pair-wise (McNemar, Newcombe interval, paired bootstrap) without re-running either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit import stats
from audit.core.errors import AuditError
from audit.core.labels import align_labels
from audit.core.seeding import derive_seed
from audit.probes.base import Metric, MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.registry import register


@register
class MetricsProbe(Probe):
    name = "metrics"
    family = "performance"
    version = "2"  # 2: exact intervals for accuracy, precision and recall
    description = ("Task metrics with 95% CIs (exact for accuracy, precision and recall; bootstrap for the rest), "
                   "per-class scores, confusion matrix and calibration.")
    handles_pairs = True  # reads data.inputs
    metric_specs = (
        MetricSpec("accuracy", "Share of examples whose top prediction is the gold label.", True, headline=True),
        MetricSpec("f1_macro", "Unweighted mean of per-class F1.", True, headline=True),
        MetricSpec("f1_weighted", "Per-class F1 weighted by gold support.", True),
        MetricSpec("ece", "Expected calibration error of the top-class confidence (equal-width bins).", False, headline=True),
        MetricSpec("brier", "Brier score (scikit-learn's definition: halved for two classes).", False),
        MetricSpec("log_loss", "Mean negative log-likelihood of the gold label.", False),
        MetricSpec("precision/{label}", "Precision of one class.", True),
        MetricSpec("recall/{label}", "Recall of one class.", True),
        MetricSpec("f1/{label}", "F1 of one class.", True),
        MetricSpec("support/{label}", "Gold examples of one class.", None),
    )

    @dataclass(frozen=True)
    class Config:
        bootstrap: int = 1000  # resamples for the F1, ECE, Brier and log-loss CIs; 0 turns every CI off
        confidence: float = 0.95  # CI level
        bins: int = 10  # reliability-diagram / ECE bins
        max_examples: int = 20  # misclassified examples kept for the report

        def __post_init__(self) -> None:
            if self.bootstrap < 0:
                raise AuditError(f"metrics.bootstrap must be >= 0, got {self.bootstrap}.")
            if not 0 < self.confidence < 1:
                raise AuditError(f"metrics.confidence must be between 0 and 1, got {self.confidence}.")
            if self.bins < 1:
                raise AuditError(f"metrics.bins must be >= 1, got {self.bins}.")
            if self.max_examples < 0:
                raise AuditError(f"metrics.max_examples must be >= 0, got {self.max_examples}.")

    config: Config

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = self.config
        labels = model.labels
        k = len(labels)
        y_true = align_labels(data.labels, labels, model_id=model.id)
        advance = ctx.task(f"metrics · {model.id}", len(data))
        proba = model.predict_proba(data.inputs, progress=advance)
        y_pred = proba.argmax(axis=1)
        confidence = proba.max(axis=1)
        correct = (y_pred == y_true).astype(float)
        n = len(y_true)
        present = np.union1d(np.unique(y_true), np.unique(y_pred))
        brier_each = stats.brier_per_example(proba, y_true)
        logloss_each = stats.log_loss_per_example(proba, y_true)

        def ci(statistic, name: str) -> Metric:
            seed = derive_seed(ctx.seed, self.name, name)  # same resamples for every model: paired
            value, interval = stats.bootstrap_ci(
                statistic, n, resamples=cfg.bootstrap, confidence=cfg.confidence, seed=seed
            )
            higher = next(s.higher_is_better for s in self.metric_specs if s.name == name)
            return Metric(value, interval, higher)

        def share(successes: int, trials: int) -> tuple[float, float] | None:
            return stats.proportion_interval(successes, trials, cfg.confidence) if cfg.bootstrap > 0 else None

        cm_of = lambda idx: stats.confusion_batch(y_true, y_pred, k, idx)  # noqa: E731
        metrics = {
            "accuracy": Metric(float(correct.mean()), share(int(correct.sum()), n), True),
            "f1_macro": ci(lambda idx: stats.f1_macro_from_cm(cm_of(idx), present), "f1_macro"),
            "f1_weighted": ci(lambda idx: stats.f1_weighted_from_cm(cm_of(idx)), "f1_weighted"),
            "ece": ci(lambda idx: stats.ece_batch(confidence, correct, cfg.bins, idx), "ece"),
            "brier": ci(lambda idx: brier_each[idx].mean(axis=1), "brier"),
            "log_loss": ci(lambda idx: logloss_each[idx].mean(axis=1), "log_loss"),
        }
        cm = cm_of(np.arange(n)[None, :])[0]
        precision, recall, f1, support = (a[0] for a in stats.prf_from_cm(cm[None]))
        per_class = {}
        for j, label in enumerate(labels):
            # A class neither in the data nor ever predicted has no precision/recall/F1 at all:
            # None, not 0 (macro F1 leaves it out too).
            seen = j in present
            scores = {k: float(v[j]) if seen else None for k, v in (("precision", precision), ("recall", recall), ("f1", f1))}
            per_class[label] = {**scores, "support": int(support[j])}
            trials = {"precision": int(cm[:, j].sum()), "recall": int(support[j])}
            for key, value in scores.items():
                interval = share(int(cm[j, j]), trials[key]) if key in trials and value is not None else None
                metrics[f"{key}/{label}"] = Metric(value, interval, True)
            metrics[f"support/{label}"] = Metric(float(support[j]), None, None)

        wrong = np.flatnonzero(y_pred != y_true)
        wrong = wrong[np.argsort(-confidence[wrong], kind="stable")][: cfg.max_examples]
        examples = [
            {
                "id": data.ids[i],
                "text": data.texts[i],
                **({"text_pair": data.text_pairs[i]} if data.text_pairs is not None else {}),
                "label": labels[y_true[i]],
                "predicted": labels[y_pred[i]],
                "confidence": float(confidence[i]),
            }
            for i in wrong
        ]
        missing = [label for j, label in enumerate(labels) if support[j] == 0]
        warnings = [] if not missing else [
            f"no examples of class(es) {', '.join(missing)} in the data: their recall and F1 are undefined; f1_macro "
            f"averages the F1 of the {len(present)} class(es) in the gold labels or the predictions (scikit-learn's "
            "rule), so predicting a missing class counts as F1 0 there; accuracy and f1_weighted are defined"]
        details = {
            "labels": labels,
            "n": n,
            **({"warnings": warnings} if warnings else {}),
            "confusion_matrix": cm.tolist(),
            "per_class": per_class,
            "reliability": {"bins": stats.calibration_bins(confidence, correct, cfg.bins)},
            # percentile CIs; resamples seeded by derive_seed(run seed, "metrics", metric name), the
            # same for every model, so two models' intervals come from the same resampled rows
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed,
                          "method": "percentile", "paired_across_models": True,
                          "applies_to": "f1_macro, f1_weighted, ece, brier, log_loss"},
            "ci_method": {"accuracy, precision, recall": stats.EXACT, "others": "percentile-bootstrap"},
        }
        predictions = {
            "id": list(data.ids),
            "label": [labels[i] for i in y_true],
            "predicted": [labels[i] for i in y_pred],
            "proba": proba,
        }
        return ProbeResult(metrics=metrics, details=details, examples=examples, predictions=predictions)
