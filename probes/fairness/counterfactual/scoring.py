"""Score counterfactual pairs: flips, probability changes and a sign test per group pair.

The change of a pair is the largest absolute change of any class probability (for two classes,
the change of either class). The signed change used by the test is the change of the scored
class (``positive_label``, the second of two labels, or each original prediction's class).
CIs are a cluster bootstrap over original texts: a text and all its counterfactuals are drawn
together, since they are not independent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.probes.fairness.counterfactual.generate import Counterfactuals
from audit.stats import bootstrap as resample
from audit.stats import clopper_pearson_bounds, holm, sign_test

TEST = ("exact two-sided sign test (scipy.stats.binomtest) on the signed change of the scored class's probability, "
        "ties dropped; p-values Holm-adjusted over all group pairs")


@dataclass(frozen=True)
class Setup:
    score_class: int | None  # None: each original prediction's class
    tolerance: float
    alpha: float
    min_support: int
    resamples: int
    confidence: float
    seed: int


@dataclass
class Scored:
    overall: dict
    axes: list[dict]
    pairs: list[dict]
    flipped: np.ndarray
    change: np.ndarray
    signed: np.ndarray


def _columns(cf: Counterfactuals, keys: list, key_of, flipped, change, clusters, where) -> tuple:
    """Per-cluster sums of flips, changes and counts for each key (clusters x keys)."""
    col = {k: j for j, k in enumerate(keys)}
    codes = np.array([col[key_of(i)] for i in range(len(cf))])
    shape = (len(clusters), len(keys))
    flat = where * len(keys) + codes
    sums = [np.bincount(flat, weights=w, minlength=shape[0] * shape[1]).reshape(shape)
            for w in (flipped, change, np.ones(len(cf)))]
    return tuple(sums)


def score(cf: Counterfactuals, original: np.ndarray, counter: np.ndarray, s: Setup) -> Scored:
    """``original``: probabilities of each pair's original text (m, k); ``counter``: of its counterfactual."""
    flipped = (original.argmax(1) != counter.argmax(1)).astype(float)
    change = np.abs(counter - original).max(axis=1)
    cls = original.argmax(1) if s.score_class is None else np.full(len(cf), s.score_class)
    rows = np.arange(len(cf))
    signed = counter[rows, cls] - original[rows, cls]
    clusters, where = np.unique(np.array(cf.row), return_inverse=True)
    pairs = cf.pairs()
    axes = list(dict.fromkeys(cf.axis))
    groups = [("all",), axes, pairs]
    key_fns = [lambda i: "all", lambda i: cf.axis[i], lambda i: (cf.axis[i], cf.source[i], cf.target[i])]
    blocks = [_columns(cf, keys, fn, flipped, change, clusters, where) for keys, fn in zip(groups, key_fns)]
    flips = np.hstack([b[0] for b in blocks])
    changes = np.hstack([b[1] for b in blocks])
    counts = np.hstack([b[2] for b in blocks])
    flip_ci: list = [None] * counts.shape[1]
    change_ci: list = [None] * counts.shape[1]
    if s.resamples > 0 and len(clusters) >= 2:
        boot = resample.ratio_samples(np.hstack([flips, changes]), np.hstack([counts, counts]), s.resamples, s.seed)
        cis = resample.intervals(boot, s.confidence)
        flip_ci, change_ci = cis[: counts.shape[1]], cis[counts.shape[1]:]
    total = counts.sum(axis=0)
    point_flip, point_change = flips.sum(0) / total, changes.sum(0) / total
    if s.resamples > 0:  # a cluster bootstrap of no flips reads [0, 0]: cover at least the exact interval of flips/n
        exact = zip(*clopper_pearson_bounds(flips.sum(0).round(), total, s.confidence))
        flip_ci = [None if n == 0 else (min(lo, ci[0]) if ci else lo, max(hi, ci[1]) if ci else hi)
                   for n, (lo, hi), ci in zip(total, exact, flip_ci)]
    axis_of = np.array(cf.axis)
    pair_index = {p: j for j, p in enumerate(pairs)}
    pair_of = np.array([pair_index[p] for p in zip(cf.axis, cf.source, cf.target)])

    def stat(j: int, mask: np.ndarray) -> dict:
        return {"n": int(total[j]), "texts": int((counts[:, j] > 0).sum()),
                "flip_rate": {"value": float(point_flip[j]), "ci": flip_ci[j]},
                "mean_abs_change": {"value": float(point_change[j]), "ci": change_ci[j]},
                "max_abs_change": float(change[mask].max()), "mean_change": float(signed[mask].mean()),
                "flips": int(flipped[mask].sum())}

    overall = stat(0, np.ones(len(cf), bool))
    axis_stats = [{"axis": a, **stat(1 + j, axis_of == a)} for j, a in enumerate(axes)]
    pair_stats = []
    for j, (a, src, tgt) in enumerate(pairs):
        mask = pair_of == j
        pos, neg, p = sign_test(signed[mask])
        entry = {"axis": a, "source": src, "target": tgt, **stat(1 + len(axes) + j, mask),
                 "increases": pos, "decreases": neg, "p_value": p}
        entry["flagged"] = entry["flip_rate"]["value"] > s.tolerance
        entry["small"] = entry["texts"] < s.min_support
        pair_stats.append(entry)
    for entry, adjusted in zip(pair_stats, holm([e["p_value"] for e in pair_stats])):
        entry["p_adjusted"] = adjusted
        entry["significant"] = adjusted < s.alpha
    return Scored(overall, axis_stats, pair_stats, flipped, change, signed)


def pick_examples(cf: Counterfactuals, sc: Scored, data, labels, original, counter, limit: int) -> list[dict]:
    """The largest changes, flips first, at most two per group pair before any pair gets a third;
    for sentence pairs both texts, original (``text``, ``text_pair``) and swapped."""
    order = np.lexsort((np.arange(len(cf)), -sc.change, -sc.flipped)).tolist()
    chosen, seen, per_pair = [], set(), {}
    for cap in (2, limit):
        for i in order:
            if len(chosen) >= limit:
                break
            key = (cf.axis[i], cf.source[i], cf.target[i])
            if i in seen or per_pair.get(key, 0) >= cap:
                continue
            chosen.append(i)
            seen.add(i)
            per_pair[key] = per_pair.get(key, 0) + 1
    out = []
    for i in chosen:
        r = cf.row[i]
        texts = {"text": data.texts[r], "counterfactual": cf.texts[i]}
        if cf.text_pairs is not None:
            texts = {"text": data.texts[r], "text_pair": data.text_pairs[r], "counterfactual": cf.texts[i],
                     "counterfactual_pair": cf.text_pairs[i]}
        out.append({"id": data.ids[r], "axis": cf.axis[i], "source": cf.source[i], "target": cf.target[i], **texts,
                    "predicted": labels[int(original[i].argmax())],
                    "counterfactual_predicted": labels[int(counter[i].argmax())],
                    "change": float(sc.change[i]), "score_change": float(sc.signed[i])})
    return out
