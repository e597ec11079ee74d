"""Every AUC of the probe on the data and on each bootstrap resample, computed together.

The examples are resampled once (seeded) and everything is recomputed on each resample: the overall AUC,
each group's subgroup, BPSN and BNSP AUC, for every scored class. Intervals of any statistic built from
these (a generalized mean, the gap between the overall AUC and a group's, the worst group) then come from
the same resamples, so they keep the statistics' dependence (a group is part of the overall data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.probes.fairness.bias_auc.families import FAMILIES, family_aucs
from audit.probes.fairness.group.attributes import Attribute
from audit.stats.auc import tie_ranks
from audit.stats.bootstrap import draws, row_counts

MAX_CELLS = 1_000_000  # row weights held per chunk of resamples (8 MB each); the chunk never changes a result


@dataclass(frozen=True)
class Setup:
    labels: list[str]
    classes: list[int]  # scored one-vs-rest
    min_support: int
    tolerance: float
    resamples: int  # 0: no intervals
    confidence: float
    seed: int


@dataclass
class Groups:
    """One attribute's groups: sorted names, a code per example (-1: none) and sizes."""

    attribute: Attribute
    names: list[str]
    codes: np.ndarray
    support: np.ndarray


def groups_of(attr: Attribute) -> Groups:
    names = sorted({v for v in attr.values if v is not None})
    index = {g: i for i, g in enumerate(names)}
    codes = np.array([index[v] if v is not None else -1 for v in attr.values], dtype=np.int64)
    support = np.bincount(codes[codes >= 0], minlength=len(names))
    return Groups(attr, names, codes, support)


@dataclass
class Scores:
    """Per scored class: the data's values (``point``) and the resamples' (``samples``; None with CIs off),
    each as :func:`family_aucs` gives them with the resamples stacked: overall (B,), families (B, G)."""

    point: dict[int, dict]
    samples: dict[int, dict] | None


def _stack(parts: list[dict]) -> dict:
    return {"overall": np.concatenate([p["overall"] for p in parts]),
            "attributes": [{f: np.concatenate([p["attributes"][a][f] for p in parts]) for f in FAMILIES}
                           for a in range(len(parts[0]["attributes"]))]}


def score(proba: np.ndarray, y_true: np.ndarray, groups: list[Groups], s: Setup) -> Scores:
    """The AUCs of every class in ``s.classes`` (its probability against "is this class")."""
    n = len(y_true)
    attrs = [(g.codes, len(g.names)) for g in groups]
    keys = {c: tie_ranks(proba[:, c]) for c in s.classes}
    positive = {c: y_true == c for c in s.classes}
    point = {c: family_aucs(keys[c], positive[c], np.ones((1, n)), attrs) for c in s.classes}
    if s.resamples <= 0:
        return Scores(point, None)
    parts: dict[int, list[dict]] = {c: [] for c in s.classes}
    for idx in draws(n, s.resamples, s.seed, MAX_CELLS):
        weights = row_counts(idx, n).astype(np.float64)
        for c in s.classes:
            parts[c].append(family_aucs(keys[c], positive[c], weights, attrs))
    return Scores(point, {c: _stack(p) for c, p in parts.items()})
