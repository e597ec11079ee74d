"""Subgroup, BPSN and BNSP AUC of every group of an attribute, for many resamples at once.

For a group g (Borkan et al. 2019; the background is every example not in g, as in the benchmark):

- subgroup AUC: positives and negatives of g;
- BPSN (background positive, subgroup negative): negatives of g against positives outside g;
- BNSP (background negative, subgroup positive): positives of g against negatives outside g.

Each is a count of (positive, negative) pairs ordered right, so all three come from three per-row counts
(:func:`audit.stats.auc.mid_counts`): negatives below a row overall and within its group, and positives
below it overall. With A_g the ordered pairs inside g, B_g those of g's positives against every negative and
D_g those of every positive against g's negatives, BNSP counts B_g - A_g pairs and BPSN D_g - A_g. A row of
``weights`` is one resample (row counts); a row of ones is the data itself.
"""

from __future__ import annotations

import numpy as np

from audit.stats.auc import mid_counts

FAMILIES = ("subgroup", "bpsn", "bnsp")


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of ``values`` (b, n) over the rows of each group (``codes``; -1: no group): (b, n_groups)."""
    keep = codes >= 0
    b = values.shape[0]
    flat = (np.arange(b) * n_groups)[:, None] + codes[keep][None, :]
    return np.bincount(flat.ravel(), weights=values[:, keep].ravel(), minlength=b * n_groups).reshape(b, n_groups)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def family_aucs(keys: np.ndarray, positive: np.ndarray, weights: np.ndarray,
                attributes: list[tuple[np.ndarray, int]]) -> dict:
    """``{"overall": (b,), "counts": (positives, negatives), "attributes": [{family: (b, G), "counts": {family:
    (positives, negatives)}}]}`` for scores ranked by ``keys`` (:func:`audit.stats.auc.tie_ranks`), 0/1
    ``positive`` labels, resamples ``weights`` (b, n) and each attribute's (group codes, number of groups).
    An AUC whose set lacks positives or negatives is NaN."""
    y = np.asarray(positive, dtype=bool)
    pos, neg = weights * y, weights * ~y
    p_all, n_all = pos.sum(axis=1), neg.sum(axis=1)
    neg_below = mid_counts(keys, neg)
    pos_below = mid_counts(keys, pos)
    out: dict = {"overall": ratio((pos * neg_below).sum(axis=1), p_all * n_all), "counts": (p_all, n_all),
                 "attributes": []}
    for codes, n_groups in attributes:
        rows = np.flatnonzero(codes >= 0)  # only the rows of some group count below: the rest never enter a sum
        code, pos_g, neg_g = codes[rows], pos[:, rows], neg[:, rows]
        within = mid_counts(keys[rows], neg_g, blocks=code)
        p_g, n_g = group_sums(pos_g, code, n_groups), group_sums(neg_g, code, n_groups)
        inside = group_sums(pos_g * within, code, n_groups)
        g_pos = group_sums(pos_g * neg_below[:, rows], code, n_groups)
        g_neg = group_sums(neg_g * (p_all[:, None] - pos_below[:, rows]), code, n_groups)
        p_out, n_out = p_all[:, None] - p_g, n_all[:, None] - n_g
        out["attributes"].append({
            "subgroup": ratio(inside, p_g * n_g),
            "bpsn": ratio(g_neg - inside, p_out * n_g),
            "bnsp": ratio(g_pos - inside, p_g * n_out),
            "counts": {"subgroup": (p_g, n_g), "bpsn": (p_out, n_g), "bnsp": (p_g, n_out)},
        })
    return out
