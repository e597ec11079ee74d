"""The largest difference in a robustness rate between the groups of an attribute: an interval that holds
for every pair of groups at once, and a test of whether the groups differ at all.

The interval is group-fairness's (:mod:`audit.probes.fairness.group.gap_intervals`): Newcombe's interval
for every pair of groups, Bonferroni-adjusted, folded into bounds of the spread, here at each group's
effective sample size. The test is the Rao-Scott chi-square of homogeneity on the same effective counts.
Only groups with at least ``min_support`` examples are compared.
"""

from __future__ import annotations

from audit.probes.fairness.group.gap_intervals import spread_bounds
from audit.stats import clustered


def pairs(groups: int) -> int:
    return groups * (groups - 1) // 2


def spread(effective: list[tuple[float, float]], alpha_each: float) -> tuple[float, float]:
    """Bounds of ``max - min`` of the rates from their effective counts, each pair at ``1 - alpha_each``."""
    k, n = zip(*effective)
    return spread_bounds(list(k), list(n), alpha_each)


def gap(rates: dict[str, float], effective: dict[str, tuple[float, float]], confidence: float,
        on: bool) -> dict:
    """The gap between the highest and lowest of ``rates`` (groups compared), its interval at ``confidence``
    over this attribute's pairs, and the homogeneity test's p-value."""
    if len(rates) < 2:
        return {"value": None, "ci": None, "p_value": None, "groups_compared": len(rates)}
    order = sorted(rates, key=rates.__getitem__)  # stable: with every rate equal, two different groups
    lowest, highest = order[0], order[-1]
    counts = [effective[g] for g in rates]
    ci = list(spread(counts, (1 - confidence) / pairs(len(rates)))) if on else None  # JSON's shape
    k, n = zip(*counts)
    return {"value": rates[highest] - rates[lowest], "ci": ci, "p_value": clustered.homogeneity_test(k, n),
            "highest": highest, "lowest": lowest, "groups_compared": len(rates)}
