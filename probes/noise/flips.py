"""Flipped predictions worth showing: a clean and a perturbed text (both texts of a sentence
pair, and which side got the noise), and what the model said.

The choice is deterministic and spread out: cells are visited from the highest flip rate
down, taking in turn each cell's most confident flip, then its second, and so on, skipping
examples already shown, until ``max_examples`` are chosen. Only the chosen few are perturbed again
(``remake``): the texts themselves are not kept past their chunk.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from audit.probes.noise.outcomes import Outcomes

Remake = Callable[[int, int], tuple[str, str | None]]  # (cell, example) -> (perturbed, perturbed pair)


def pick_flips(out: Outcomes, ids: list[str], texts: list[str], y: np.ndarray, clean: np.ndarray,
               labels: list[str], max_examples: int, remake: Remake,
               text_pairs: list[str] | None = None) -> list[dict]:
    """Example records ``{id, perturbation, severity, text, perturbed, label, clean_predicted,
    clean_confidence, predicted, confidence}``, for pairs with ``side`` and, after each text, its
    second text (``text_pair``, ``perturbed_pair``)."""
    if max_examples <= 0 or not len(out.cells):
        return []
    clean_pred = clean.argmax(axis=1)
    pred = out.pred
    conf = out.top
    flipped = (pred != clean_pred) & out.applied
    queues = []
    for c in np.argsort(-flipped.mean(axis=1), kind="stable").tolist():
        rows = np.flatnonzero(flipped[c])
        queues.append((c, rows[np.argsort(-conf[c, rows], kind="stable")].tolist()))
    chosen: list[tuple[int, int]] = []
    seen: set[int] = set()
    depth = 0
    while len(chosen) < max_examples and any(len(rows) > depth for _, rows in queues):
        for c, rows in queues:
            if depth < len(rows) and rows[depth] not in seen and len(chosen) < max_examples:
                chosen.append((c, rows[depth]))
                seen.add(rows[depth])
        depth += 1
    records = []
    for c, i in chosen:
        name, severity = out.cells[c]
        record: dict = {"id": ids[i], "perturbation": name, "severity": severity}
        perturbed, perturbed_pair = remake(c, i)
        if out.sides[c] is not None and text_pairs is not None:
            record.update(side=out.sides[c], text=texts[i], text_pair=text_pairs[i], perturbed=perturbed,
                          perturbed_pair=perturbed_pair)
        else:
            record.update(text=texts[i], perturbed=perturbed)
        records.append({
            **record,
            "label": labels[int(y[i])],
            "clean_predicted": labels[int(clean_pred[i])],
            "clean_confidence": float(clean[i, clean_pred[i]]),
            "predicted": labels[int(pred[c, i])],
            "confidence": float(conf[c, i]),
        })
    return records
