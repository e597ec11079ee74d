"""Confidence intervals for max-type and ratio-type disparities from simultaneous intervals.

Why not the percentile bootstrap: a gap like ``max_g r_g - min_g r_g`` (or ``|r_1 - r_2|``) is
not smooth where rates tie, and its bootstrap is biased upwards there (inconsistent): the
percentile interval can lie wholly above the estimate and misses a true gap of 0 nearly always.
Instead (Bonferroni over the ``m`` intervals a disparity involves, which needs no independence
between attributes that share rows, so that all hold together with probability >= 1 - alpha):

- a spread ``max_g r_g - min_g r_g = max_{g,h} |r_g - r_h|``: Newcombe's hybrid score interval
  [l, u] for each pair's difference (Newcombe 1998, method 10, from Wilson intervals at level
  ``1 - alpha/m``, m = pairs x classes x rates), folded to ``|d|`` (``[0, max(-l, u)]`` when it
  holds 0, else ``[min(|l|, |u|), max(|l|, |u|)]``); the spread lies between the largest lower
  and the largest upper end. Pairwise intervals are 20-30% narrower than bounds from one box
  of per-group intervals, at coverage still >= the nominal level in simulation;
- a ratio ``min / max``: Wilson intervals ``[L_g, U_g]`` per group (m = groups x classes), and
  the smallest and largest ratio over the boxes, ``[min_{g != h} L_g / U_h,
  min(1, min_g U_g / max_h L_h)]``;
- equalized odds (larger of the TPR and FPR spreads), the worst class, or the worst attribute:
  the larger (for ratios the smaller) of the parts' bounds.

Wilson and Newcombe intervals always contain the observed rate or difference, so each disparity
interval contains its estimate. A rate with no trials (a group without positives has TPR 0 by
fairlearn's convention) gets the vacuous Wilson interval [0, 1]. The Wilson and Newcombe intervals
themselves are :mod:`audit.stats.proportions`'; what is fairness-specific is how they are combined.
"""

from __future__ import annotations

import numpy as np

from audit.stats.proportions import newcombe_interval, two_sided_z, wilson_bounds

METHOD = "simultaneous-newcombe-wilson"
NOTE = ("Gap CIs: Newcombe score intervals for every pair of groups (ratios: Wilson intervals per group), "
        "Bonferroni-adjusted so that they hold together, turned into the smallest and largest gap they allow; a "
        "bootstrap of a max-type gap is biased upwards. Per-group rates and accuracy: exact (Clopper-Pearson) intervals.")
PARTS = {  # disparity -> (rates it compares, combine over groups)
    "demographic_parity_difference": (("selection_rate",), "spread"),
    "demographic_parity_ratio": (("selection_rate",), "ratio"),
    "equalized_odds_difference": (("tpr", "fpr"), "spread"),
    "equal_opportunity_difference": (("tpr",), "spread"),
    "accuracy_difference": (("accuracy",), "spread"),
}


def spread_bounds(successes, trials, alpha_each: float) -> tuple[float, float]:
    """Bounds of ``max - min`` of the group rates from a Newcombe interval (independent groups) per pair."""
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    lo, hi = wilson_bounds(k, n, two_sided_z(alpha_each))
    p = np.where(n > 0, k / np.where(n > 0, n, 1), 0.0)
    g, h = np.triu_indices(len(n), 1)
    low, high = newcombe_interval(p[g], lo[g], hi[g], p[h], lo[h], hi[h])
    near = np.where((low <= 0) & (high >= 0), 0.0, np.minimum(abs(low), abs(high)))
    return float(near.max()), float(np.maximum(abs(low), abs(high)).max())


def ratio_bounds(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """Smallest and largest ``min / max`` over the boxes; a zero largest rate never sets the ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs = np.where(hi[None, :] > 0, lo[:, None] / hi[None, :], np.inf)
    np.fill_diagonal(pairs, np.inf)
    lower = float(min(1.0, pairs.min()))
    top = lo.max()
    upper = 1.0 if top <= 0 else float(min(1.0, hi.min() / top))
    return lower, upper


def size(name: str, counts: dict, classes: list[int]) -> int:
    """How many intervals the disparity ``name`` of one attribute needs, its Bonferroni share: pairs of
    groups (spreads) or groups (ratios), times scored classes and rates."""
    rates, kind = PARTS[name]
    groups = len(counts["accuracy"][1])
    per_rate = groups * (groups - 1) // 2 if kind == "spread" else groups
    return per_rate * (1 if rates == ("accuracy",) else len(rates) * len(classes))


def bounds(name: str, counts: dict, classes: list[int], alpha_each: float) -> tuple[float, float]:
    """Bounds of disparity ``name`` with every interval it needs at level ``1 - alpha_each``.

    ``counts[key] = (successes, trials)`` per included group, keys as in ``group_metrics``."""
    rates, kind = PARTS[name]
    keys = ["accuracy"] if rates == ("accuracy",) else [(r, c) for c in classes for r in rates]
    if kind == "spread":
        parts = [spread_bounds(*counts[key], alpha_each) for key in keys]
    else:
        parts = [ratio_bounds(*wilson_bounds(*counts[key], two_sided_z(alpha_each))) for key in keys]
    worst = min if kind == "ratio" else max
    return worst(p[0] for p in parts), worst(p[1] for p in parts)


def interval(name: str, attributes: list[tuple[dict, list[int]]], confidence: float) -> tuple[float, float] | None:
    """CI of the worst value of ``name`` over ``attributes`` ((counts, classes) each), jointly at ``confidence``."""
    if not attributes:
        return None
    alpha_each = (1 - confidence) / sum(size(name, counts, classes) for counts, classes in attributes)
    parts = [bounds(name, counts, classes, alpha_each) for counts, classes in attributes]
    worst = min if PARTS[name][1] == "ratio" else max
    return worst(p[0] for p in parts), worst(p[1] for p in parts)
