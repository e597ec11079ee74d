"""Per-group score distributions of a suite, and whether the gaps between groups are real.

The score of a case is the probability of the suite's score class (positive, toxic ...). Only
matched sets that hold every group of an axis are compared (when there are any). Per axis and
group: the mean with a cluster-bootstrap CI (matched sets drawn whole) and quantiles. The gap of an axis is the largest minus the smallest group mean; its
p-value comes from permuting group labels within matched sets (exact when few arrangements),
see :func:`audit.probes.fairness.significance.gap_permutation_test`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.core.seeding import derive_seed
from audit.probes.fairness.templates.expand import Cases, codes
from audit.probes.fairness.templates.significance import gap_permutation_test
from audit.stats import bootstrap as resample

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
TEST = ("permutation test of the largest gap between group means, group labels permuted within matched sets "
        "(cases that differ only in the identity term); exact when the arrangements are few")


@dataclass(frozen=True)
class Setup:
    resamples: int
    confidence: float
    permutations: int
    tolerance: float
    alpha: float
    seed: int


def balanced_rows(cases: Cases, axis: str) -> tuple[np.ndarray, bool]:
    """Cases naming a group of ``axis`` (DIR perturbed texts aside), kept only from matched sets
    holding every group of the axis when there are such sets: then every group is scored on the
    same templates, and a gap cannot come from one group appearing in more positive templates."""
    rows = [i for i, (g, role) in enumerate(zip(cases.groups, cases.role)) if axis in g and role != "perturbed"]
    every = {cases.groups[i][axis] for i in rows}
    members: dict = {}
    for i in rows:
        members.setdefault(cases.match[i][axis], set()).add(cases.groups[i][axis])
    complete = [i for i in rows if members[cases.match[i][axis]] == every]
    return (np.array(complete), True) if complete else (np.array(rows), False)


def axis_scores(cases: Cases, scores: np.ndarray, axis: str, s: Setup) -> dict:
    rows, balanced = balanced_rows(cases, axis)
    names = sorted({cases.groups[i][axis] for i in rows})
    index = {g: j for j, g in enumerate(names)}
    group = np.array([index[cases.groups[i][axis]] for i in rows])
    sets = codes([cases.match[i][axis] for i in rows])
    values = scores[rows]
    n_sets, n_groups = int(sets.max()) + 1, len(names)
    cell = sets * n_groups + group
    num = np.bincount(cell, weights=values, minlength=n_sets * n_groups).reshape(n_sets, n_groups)
    den = np.bincount(cell, minlength=n_sets * n_groups).reshape(n_sets, n_groups)
    means = num.sum(0) / den.sum(0)
    seed = derive_seed(s.seed, "templates", "groups", axis)
    boot = resample.ratio_samples(num, den, s.resamples, seed) if s.resamples > 0 and n_sets >= 2 else None
    observed, p_value, exact = gap_permutation_test(values, group, sets, permutations=s.permutations, seed=seed)
    gap_ci = None
    if boot is not None and n_groups >= 2:
        with np.errstate(all="ignore"):
            spread = np.nanmax(boot, axis=1) - np.nanmin(boot, axis=1)
        gap_ci = resample.interval(spread, s.confidence)
    groups = []
    for j, name in enumerate(names):
        mine = values[group == j]
        groups.append({"group": name, "n": int(mine.size),
                       "mean_score": {"value": float(means[j]),
                                      "ci": resample.interval(boot[:, j], s.confidence) if boot is not None else None},
                       "quantiles": [float(q) for q in np.quantile(mine, QUANTILES)]})
    return {"axis": axis, "groups": groups, "sets": n_sets, "cases": int(rows.size), "balanced": balanced,
            "gap": {"value": float(observed), "ci": gap_ci}, "p_value": p_value, "exact": exact,
            "significant": p_value is not None and p_value < s.alpha, "flagged": observed > s.tolerance}


def group_scores(cases: Cases, scores: np.ndarray, s: Setup) -> list[dict]:
    """:func:`axis_scores` for every axis with two or more groups among the cases."""
    axes = sorted({a for g in cases.groups for a in g})
    out = []
    for axis in axes:
        present = {g[axis] for g in cases.groups if axis in g}
        if len(present) >= 2:
            out.append(axis_scores(cases, scores, axis, s))
    return out
