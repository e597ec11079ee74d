"""Per-example sums for the breakdown, from each probe's own outcomes (no model calls)."""

from __future__ import annotations

import numpy as np

from audit.probes.fairness.by_group.rates import Drop, Mean, Rate
from audit.probes.fairness.group.attributes import Attribute


def noise_measures(clean_correct: np.ndarray, correct: np.ndarray, flips: np.ndarray,
                   changed: np.ndarray) -> dict:
    """Noise, pooled over every cell ((cells, n) arrays): the flip rate and accuracy drop over the texts a
    cell changed, and accuracy under noise over all texts."""
    n_cells = correct.shape[0]
    trials = changed.sum(axis=0)
    after = (correct & changed).sum(axis=0)
    return {
        "flip_rate": Rate((flips & changed).sum(axis=0), trials),
        "accuracy_drop": Drop(clean_correct * trials, after, after * clean_correct, trials),
        "accuracy": Rate(correct.sum(axis=0), np.full(correct.shape[1], n_cells)),
    }


def attack_measures(ids: list[str], records: list, resamples: int) -> dict:
    """Attacks, pooled over recipes: the success rate over attacked examples (inconclusive and skipped ones
    left out, as in the probe's own rates) and queries per successful attack."""
    where = {str(i): j for j, i in enumerate(ids)}
    success, attacked, queries = (np.zeros(len(ids)) for _ in range(3))
    for r in records:
        if r is None:
            continue
        j = where.get(str(r.get("id")))
        if j is None or r.get("outcome") not in ("success", "failed"):
            continue
        attacked[j] += 1
        if r["outcome"] == "success":
            success[j] += 1
            queries[j] += float(r.get("queries") or 0)
    return {"success_rate": Rate(success, attacked), "queries_per_success": Mean(queries, success, resamples)}


def counterfactual_groups(n: int, rows: list[int], axes: list[str], sources: list[str],
                          flipped: np.ndarray) -> list[tuple[Attribute, dict]]:
    """Identity swaps, one attribute per axis: each original text's group is the one it names (the swap's
    source), and its flip rate is over the counterfactuals made from it on that axis."""
    out = []
    for axis in dict.fromkeys(axes):
        values: list[str | None] = [None] * n
        flips, made = np.zeros(n), np.zeros(n)
        for row, a, source, flip in zip(rows, axes, sources, flipped):
            if a == axis:
                values[row] = source
                made[row] += 1
                flips[row] += bool(flip)
        if len({v for v in values if v is not None}) >= 2:
            out.append((Attribute(axis, values, "inferred"), {"flip_rate": Rate(flips, made)}))
    return out
