"""The texts behind the worst BPSN and BNSP groups: the group's negatives the model scores highest (what
lowers BPSN: false alarms on texts naming the group) and its positives scored lowest (what lowers BNSP)."""

from __future__ import annotations

import numpy as np

from audit.probes.fairness.bias_auc.scoring import Groups

PER_KIND = 5
WHY = {"bpsn": "a negative of the worst BPSN group, scored high", "bnsp": "a positive of the worst BNSP group, scored low"}


def worst_group_examples(data, proba: np.ndarray, y_true: np.ndarray, groups: list[Groups], headline: dict,
                         labels: list[str]) -> list[dict]:
    out = []
    for family in ("bpsn", "bnsp"):
        where = headline.get(f"min_{family}_auc") or {}
        gr = next((g for g in groups if g.attribute.name == where.get("attribute")), None)
        if gr is None or where.get("group") not in gr.names or where.get("class") not in labels:
            continue
        c = labels.index(where["class"])
        in_group = gr.codes == gr.names.index(where["group"])
        rows = np.flatnonzero(in_group & ((y_true != c) if family == "bpsn" else (y_true == c)))
        order = rows[np.argsort(-proba[rows, c] if family == "bpsn" else proba[rows, c], kind="stable")][:PER_KIND]
        for i in order:
            example = {"id": data.ids[i], "text": data.texts[i]}
            if data.text_pairs is not None:
                example["text_pair"] = data.text_pairs[i]
            example.update({"why": WHY[family], "attribute": gr.attribute.name, "group": where["group"],
                            "label": labels[int(y_true[i])], f"p({labels[c]})": float(proba[i, c])})
            out.append(example)
    return out
