"""Per-group rates (through fairlearn's MetricFrame) and the disparities between groups.

Point estimates come from ``fairlearn.metrics.MetricFrame`` on the rows with a value for the
attribute. Per-group confusion counts (one ``bincount``) give the successes and trials behind
each rate (for the disparity CIs in :mod:`audit.probes.fairness.group.gap_intervals`) and, for all bootstrap
resamples at once, the per-group rates, with fairlearn's conventions: a rate whose denominator is
zero is 0 (a group without positives has TPR 0), and a group absent from a resample is left out
of that resample. Classes are scored one-vs-rest; disparities over several classes take the
worst class. Groups below the minimum support are reported but left out of the disparities.
"""

from __future__ import annotations

import numpy as np

RATES = ("selection_rate", "tpr", "fpr", "fnr")
DISPARITIES = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
               "equal_opportunity_difference", "accuracy_difference")


def metric_frames(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, classes: list[int]) -> dict:
    """``{"accuracy": {group: v}, "support": {...}, (rate, class): {group: v}}`` from MetricFrame."""
    from fairlearn.metrics import (MetricFrame, count, false_negative_rate, false_positive_rate, selection_rate,
                                   true_positive_rate)
    from sklearn.metrics import accuracy_score

    frame = MetricFrame(metrics={"accuracy": accuracy_score, "support": count}, y_true=y_true, y_pred=y_pred,
                        sensitive_features=groups).by_group
    out: dict = {key: {str(g): float(v) for g, v in frame[key].items()} for key in ("accuracy", "support")}
    funcs = {"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
             "fnr": false_negative_rate}
    for c in classes:
        yt, yp = (y_true == c).astype(int), (y_pred == c).astype(int)
        by_group = MetricFrame(metrics=funcs, y_true=yt, y_pred=yp, sensitive_features=groups).by_group
        for rate in RATES:
            out[(rate, c)] = {str(g): float(v) for g, v in by_group[rate].items()}
    return out


def _spread(values: np.ndarray) -> np.ndarray:
    """max - min over groups (last axis), ignoring NaN; NaN when fewer than two groups remain."""
    ok = np.isfinite(values)
    hi = np.where(ok, values, -np.inf).max(axis=-1, initial=-np.inf)
    lo = np.where(ok, values, np.inf).min(axis=-1, initial=np.inf)
    return np.where(ok.sum(axis=-1) >= 2, hi - lo, np.nan)


def _ratio(values: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values)
    hi = np.where(ok, values, -np.inf).max(axis=-1, initial=-np.inf)
    lo = np.where(ok, values, np.inf).min(axis=-1, initial=np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((ok.sum(axis=-1) >= 2) & (hi > 0), lo / np.where(hi > 0, hi, 1), np.nan)


def disparities(rates: dict, classes: list[int]) -> dict[str, dict]:
    """Disparities from per-group rate arrays (..., G) of the included groups.

    ``rates[(rate, c)]`` and ``rates["accuracy"]``; returns ``{name: {"value": (...), "per_class":
    {c: (...)}}}`` where multi-class values take the worst class (largest gap, smallest ratio)."""
    per: dict[str, dict[int, np.ndarray]] = {name: {} for name in DISPARITIES[:4]}
    for c in classes:
        sel, tpr, fpr = rates[("selection_rate", c)], rates[("tpr", c)], rates[("fpr", c)]
        per["demographic_parity_difference"][c] = _spread(sel)
        per["demographic_parity_ratio"][c] = _ratio(sel)
        per["equalized_odds_difference"][c] = np.fmax(_spread(tpr), _spread(fpr))
        per["equal_opportunity_difference"][c] = _spread(tpr)
    out = {}
    for name, by_class in per.items():
        stacked = np.stack([by_class[c] for c in classes])
        worst = np.nanmin if name.endswith("ratio") else np.nanmax
        with np.errstate(all="ignore"), _quiet():
            value = worst(stacked, axis=0) if len(classes) > 1 else stacked[0]
        out[name] = {"value": value, "per_class": by_class}
    out["accuracy_difference"] = {"value": _spread(rates["accuracy"]), "per_class": {}}
    return out


class _quiet:
    """Silence numpy's all-NaN warnings (an undefined disparity is NaN on purpose)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def resampled_counts(y_true, y_pred, codes, n_groups: int, k: int, classes: list[int], idx: np.ndarray) -> dict:
    """``{key: (successes, trials)}`` per group for each resample ``idx`` (b, n): arrays (b, n_groups).

    Keys as in :func:`metric_frames`: ``"accuracy"`` and ``(rate, class)``. ``codes``: group index
    per row, -1 for rows without a value (ignored)."""
    b = idx.shape[0]
    g = codes[idx]
    keep = g >= 0
    cell = (g * k + y_true[idx]) * k + y_pred[idx] + (np.arange(b) * n_groups * k * k)[:, None]
    cm = np.bincount(cell[keep], minlength=b * n_groups * k * k).reshape(b, n_groups, k, k).astype(float)
    n = cm.sum(axis=(2, 3))
    out = {"accuracy": (np.trace(cm, axis1=2, axis2=3), n)}
    for c in classes:
        tp = cm[:, :, c, c]
        actual = cm[:, :, c, :].sum(axis=2)
        predicted = cm[:, :, :, c].sum(axis=2)
        out[("selection_rate", c)] = (predicted, n)
        out[("tpr", c)] = (tp, actual)
        out[("fpr", c)] = (predicted - tp, n - actual)
        out[("fnr", c)] = (actual - tp, actual)
    return out


def group_counts(y_true, y_pred, codes, n_groups: int, k: int, classes: list[int]) -> dict:
    """:func:`resampled_counts` of the data itself: ``{key: (successes, trials)}``, arrays (n_groups,)."""
    out = resampled_counts(y_true, y_pred, codes, n_groups, k, classes, np.arange(len(y_true))[None, :])
    return {key: (num[0], den[0]) for key, (num, den) in out.items()}


def resampled_rates(y_true, y_pred, codes, n_groups: int, k: int, classes: list[int], idx: np.ndarray) -> dict:
    """Per-group rates for each resample ``idx`` (b, n): arrays (b, n_groups); NaN for a group absent
    from a resample, 0 for a rate with no trials (fairlearn's convention)."""
    counts = resampled_counts(y_true, y_pred, codes, n_groups, k, classes, idx)
    present = counts["accuracy"][1] > 0
    out = {}
    for key, (num, den) in counts.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            out[key] = np.where(present, np.where(den > 0, num / np.where(den > 0, den, 1), 0.0), np.nan)
    return out
