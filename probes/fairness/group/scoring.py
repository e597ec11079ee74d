"""Score one sensitive attribute: per-group rates with exact (Clopper-Pearson) intervals from the
group's counts (a percentile bootstrap shrinks to a point at 0 or all of a group, and is loose for
small groups), and disparities between the groups with enough support, with CIs from score intervals that hold jointly (:mod:`audit.probes.fairness.group.gap_intervals`;
max-type gaps are not smooth). The attribute keeps its counts so that the headline worst gap
over attributes gets a joint interval too."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.probes.fairness.group import gap_intervals
from audit.probes.fairness.group.attributes import Attribute
from audit.probes.fairness.group.rates import DISPARITIES, RATES, disparities, group_counts, metric_frames
from audit.stats import proportion_interval


@dataclass(frozen=True)
class Setup:
    labels: list[str]
    classes: list[int]  # scored one-vs-rest
    min_support: int
    tolerance: float
    resamples: int  # 0 turns every CI off (the intervals need no resampling)
    confidence: float
    seed: int


@dataclass
class Scored:
    entry: dict  # the attribute's details
    counts: dict  # (successes, trials) per included group, for joint intervals over attributes


def flagged(name: str, value: float | None, tolerance: float) -> bool:
    """A gap beyond the tolerance: a difference above it, a ratio below 1 - tolerance."""
    if value is None:
        return False
    return value < 1 - tolerance if name.endswith("ratio") else value > tolerance


def worst_class(value: float | None, per_class: dict[str, float | None]) -> str | None:
    """The class whose one-vs-rest gap is the reported (worst) one, so a reader of a multi-class
    result knows which class to look at; None without a value or per-class gaps (accuracy)."""
    if value is None:
        return None
    return next((label for label, v in per_class.items() if v is not None and np.isclose(v, value, rtol=0, atol=1e-12)),
                None)


def _value(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _ci(counts: tuple, j: int, s: Setup) -> tuple[float, float] | None:
    """The exact interval of group ``j``'s rate from (successes, trials) per group; None with CIs off or no
    trials (fairlearn's 0 then)."""
    successes, trials = counts
    return proportion_interval(int(successes[j]), int(trials[j]), s.confidence) if s.resamples > 0 else None


def score_attribute(attr: Attribute, y_true: np.ndarray, y_pred: np.ndarray, s: Setup) -> Scored:
    names = sorted({v for v in attr.values if v is not None})
    index = {g: i for i, g in enumerate(names)}
    codes = np.array([index[v] if v is not None else -1 for v in attr.values], dtype=np.int64)
    rows = codes >= 0
    frames = metric_frames(y_true[rows], y_pred[rows], np.array(names, dtype=object)[codes[rows]], s.classes)
    support = np.array([frames["support"][g] for g in names])
    included = support >= s.min_support
    point_rates = {"accuracy": np.array([frames["accuracy"][g] for g in names])}
    for rate in RATES:
        for c in s.classes:
            point_rates[(rate, c)] = np.array([frames[(rate, c)][g] for g in names])
    point = disparities({k: v[included] for k, v in point_rates.items()}, s.classes)

    every = group_counts(y_true, y_pred, codes, len(names), len(s.labels), s.classes)  # (successes, trials) per group
    counts = {key: (num[included], den[included]) for key, (num, den) in every.items()}
    groups = []
    for j, g in enumerate(names):
        rates = {s.labels[c]: {rate: {"value": _value(point_rates[(rate, c)][j]), "ci": _ci(every[(rate, c)], j, s)}
                               for rate in RATES} for c in s.classes}
        groups.append({"group": g, "support": int(support[j]), "small": not bool(included[j]),
                       "accuracy": {"value": _value(point_rates["accuracy"][j]), "ci": _ci(every["accuracy"], j, s)},
                       "rates": rates})
    disp = {}
    for name in DISPARITIES:
        value = _value(point[name]["value"])
        ci = None
        if value is not None and s.resamples > 0:  # bootstrap: 0 turns every CI off
            ci = gap_intervals.interval(name, [(counts, s.classes)], s.confidence)
        per_class = {s.labels[c]: _value(v) for c, v in point[name]["per_class"].items()}
        disp[name] = {"value": value, "ci": ci, "flagged": flagged(name, value, s.tolerance),
                      "per_class": per_class, "worst_class": worst_class(value, per_class)}
    note = None
    if included.sum() < 2:
        note = (f"Fewer than two groups have at least {s.min_support} examples, so no disparity is computed; "
                "lower min_support to compare the small groups (their estimates are noisy).")
    entry = {"name": attr.name, "source": attr.source, "n": int(rows.sum()), "missing": int((~rows).sum()),
             "groups": groups, "excluded_groups": [g for g, ok in zip(names, included) if not ok],
             "disparities": disp, "note": note}
    return Scored(entry, counts)
