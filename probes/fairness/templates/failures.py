"""Failing template cases for the report: the most confident failures of each test, taken in
turn from every test so one large test does not crowd out the others. A DIR failure shows its
base and perturbed texts (``text``, ``perturbed``; in a pair suite also ``text_pair``,
``perturbed_pair``)."""

from __future__ import annotations

import numpy as np

from audit.probes.fairness.templates.expand import Cases
from audit.probes.fairness.templates.suite import Suite
from audit.probes.fairness.templates.outcomes import Outcome


def _groups(groups: dict) -> str:
    return ", ".join(f"{axis}={group}" for axis, group in groups.items())


def _record(i: int, suite: Suite, cases: Cases, out: Outcome, proba, labels, label_index) -> dict:
    test = suite.tests[cases.test[i]]
    pred = int(proba[i].argmax())
    rec: dict[str, object] = {"test": test.name, "type": test.type, "text": cases.texts[i]}
    if cases.pairs is not None:
        rec["text_pair"] = cases.pairs[i]
    rec["groups"] = _groups(cases.groups[i])
    if test.type == "MFT":
        rec.update(expected=labels[label_index[cases.expected[i]]], predicted=labels[pred],
                   confidence=float(proba[i, pred]))
    elif test.type == "INV":
        rec.update(predicted=labels[pred], set_prediction=labels[int(out.majority[i])], confidence=float(proba[i, pred]))
    else:  # DIR: the perturbed text(s) of the pair that starts at row i
        rec["perturbed"] = cases.texts[i + 1]
        if cases.pairs is not None:
            rec["perturbed_pair"] = cases.pairs[i + 1]
        rec.update(label=labels[label_index[test.label]], direction=test.direction, change=float(out.delta[i]))
    return rec


def _strength(i: int, cases: Cases, out: Outcome, proba) -> float:
    """How clear a failure is: the wrong prediction's confidence, or the size of a wrong move."""
    return abs(float(out.delta[i])) if cases.role[i] == "base" else float(proba[i].max())


def pick(suite: Suite, cases: Cases, out: Outcome, proba, labels, label_index, limit: int) -> list[dict]:
    if limit <= 0:
        return []
    failing = np.flatnonzero(np.nan_to_num(out.item_fail) > 0)
    by_test: dict[int, list[int]] = {}
    for i in failing:
        by_test.setdefault(cases.test[i], []).append(int(i))
    queues = [sorted(ix, key=lambda i: (-_strength(i, cases, out, proba), i)) for _, ix in sorted(by_test.items())]
    chosen: list[int] = []
    while len(chosen) < limit and any(queues):
        for q in queues:
            if q and len(chosen) < limit:
                chosen.append(q.pop(0))
    return [_record(i, suite, cases, out, proba, labels, label_index) for i in chosen]
