"""One attribute's entry in the details: each group's three AUCs per scored class (with the counts behind
them, the reason when one is undefined, and the gap to the overall AUC), and the generalized means and
benchmark score over the groups with ``min_support`` examples, the worst class taken for multi-class."""

from __future__ import annotations

import numpy as np

from audit.probes.fairness.bias_auc.families import FAMILIES
from audit.probes.fairness.bias_auc.scoring import Groups, Scores, Setup
from audit.probes.fairness.bias_auc.summaries import JIGSAW_OVERALL_WEIGHT, generalized_mean, percentile, worst

MISSING = {"subgroup": ("the group has no positive examples", "the group has no negative examples"),
           "bpsn": ("no example outside the group is positive", "the group has no negative examples"),
           "bnsp": ("the group has no positive examples", "no example outside the group is negative")}


def value(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def undefined_reason(family: str, positives: float, negatives: float, label: str) -> str:
    """Why a family's AUC has no value: its set lacks positives, negatives or both."""
    parts = [why for why, count in zip(MISSING[family], (positives, negatives)) if count == 0]
    return f"undefined: {' and '.join(parts)} (positive: labelled {label!r})"


def _samples(scores: Scores, c: int, a: int, family: str) -> np.ndarray | None:
    return None if scores.samples is None else scores.samples[c]["attributes"][a][family]


def group_entries(gr: Groups, a: int, scores: Scores, s: Setup) -> list[dict]:
    out = []
    for j, name in enumerate(gr.names):
        classes = {}
        for c in s.classes:
            label, point = s.labels[c], scores.point[c]
            overall = value(point["overall"][0])
            overall_samples = None if scores.samples is None else scores.samples[c]["overall"]
            records = {}
            for f in FAMILIES:
                v = value(point["attributes"][a][f][0, j])
                positives, negatives = (int(x[0, j]) for x in point["attributes"][a]["counts"][f])
                samples = _samples(scores, c, a, f)
                rec: dict = {"value": v, "ci": None if v is None or samples is None else percentile(samples[:, j],
                                                                                                  s.confidence),
                             "positives": positives, "negatives": negatives}
                if v is None:
                    rec["reason"] = undefined_reason(f, positives, negatives, label)
                elif overall is not None:
                    gap = None if samples is None or overall_samples is None else overall_samples - samples[:, j]
                    rec["below_overall"] = {"value": overall - v, "ci": percentile(gap, s.confidence)}
                    rec["flagged"] = bool(gr.support[j] >= s.min_support and overall - v > s.tolerance)
                records[f] = rec
            classes[label] = records
        out.append({"group": name, "support": int(gr.support[j]), "small": bool(gr.support[j] < s.min_support),
                    "classes": classes})
    return out


def _class_means(gr: Groups, a: int, c: int, scores: Scores, s: Setup) -> dict:
    """Generalized mean of each family over the included groups with a value, and the benchmark score."""
    point = scores.point[c]
    included = gr.support >= s.min_support
    out: dict = {}
    samples_of: dict = {}
    for f in FAMILIES:
        values = point["attributes"][a][f][0]
        cols = np.flatnonzero(included & np.isfinite(values))
        left_out = [gr.names[j] for j in np.flatnonzero(included & ~np.isfinite(values))]
        v = value(generalized_mean(values[cols])) if cols.size else None
        samples = _samples(scores, c, a, f)
        samples_of[f] = None if samples is None or v is None else generalized_mean(samples[:, cols])
        out[f] = {"value": v, "ci": percentile(samples_of[f], s.confidence) if v is not None else None,
                  "groups": int(cols.size), "left_out": left_out}
    overall = value(point["overall"][0])
    parts = [out[f]["value"] for f in FAMILIES]
    score = samples = None
    if overall is not None and None not in parts:
        w = JIGSAW_OVERALL_WEIGHT
        score = w * overall + (1 - w) * float(np.mean(parts))
        if scores.samples is not None:
            samples = w * scores.samples[c]["overall"] + (1 - w) * np.mean([samples_of[f] for f in FAMILIES], axis=0)
    out["jigsaw_score"] = {"value": score, "ci": percentile(samples, s.confidence) if score is not None else None}
    samples_of["jigsaw_score"] = samples
    return {"entries": out, "samples": samples_of}


def summaries(gr: Groups, a: int, scores: Scores, s: Setup) -> dict:
    """``{family | "jigsaw_score": {"value", "ci", "worst_class", "per_class": {label: ...}}}``: the worst class's
    value, with an interval that holds for the smallest over classes (one class: its own interval)."""
    per = {c: _class_means(gr, a, c, scores, s) for c in s.classes}
    out = {}
    for key in (*FAMILIES, "jigsaw_score"):
        points = np.array([np.nan if per[c]["entries"][key]["value"] is None else per[c]["entries"][key]["value"]
                           for c in s.classes])
        samples = None
        if scores.samples is not None:  # an undefined class's column is NaN; worst() looks at defined ones only
            b = len(scores.samples[s.classes[0]]["overall"])
            samples = np.stack([np.full(b, np.nan) if per[c]["samples"][key] is None else per[c]["samples"][key]
                                for c in s.classes], axis=1)
        v, ci, at = worst(points, samples, s.confidence)
        out[key] = {"value": v, "ci": ci,
                    "worst_class": s.labels[s.classes[at]] if at is not None and len(s.classes) > 1 else None,
                    "per_class": {s.labels[c]: per[c]["entries"][key] for c in s.classes}}
    return out


def attribute_entry(gr: Groups, a: int, scores: Scores, s: Setup) -> dict:
    included = gr.support >= s.min_support
    note = None
    if not included.any():
        note = (f"No group has at least {s.min_support} examples, so the attribute has no summary; lower min_support "
                "to summarise the small groups (their AUCs are noisy).")
    rows = gr.codes >= 0
    return {"name": gr.attribute.name, "source": gr.attribute.source, "n": int(rows.sum()),
            "missing": int((~rows).sum()), "groups": group_entries(gr, a, scores, s),
            "excluded_groups": [g for g, ok in zip(gr.names, included) if not ok],
            "means": summaries(gr, a, scores, s), "note": note}
