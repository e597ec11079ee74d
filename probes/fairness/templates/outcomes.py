"""Pass or fail for every test unit, CheckList's way.

- MFT: a case fails when the prediction is not the expected label.
- INV: a matched set fails when its cases (one per group) do not all get the same prediction;
  for per-group rates, a case fails when it differs from its set's most common prediction.
- DIR: a (base, perturbed) pair fails when the probability of the test's class moves the wrong
  way by more than the tolerance (CheckList's monotonic expectation); in a pair suite each of the
  two is a sentence pair.

A test's failure rate gets an exact (Clopper-Pearson) interval over its units, which holds at 0
failures (a percentile bootstrap reads 0 of n as [0, 0]); the overall rate is the mean over tests
(each test weighs the same, whatever its size), its CI a seeded bootstrap over each test's units,
widened to the mean of the tests' exact bounds so that it never shrinks to a point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.core.seeding import derive_seed
from audit.probes.fairness.templates.expand import Cases
from audit.probes.fairness.templates.suite import Suite
from audit.stats import bootstrap as resample
from audit.stats import clopper_pearson_bounds


@dataclass
class Outcome:
    unit_fail: np.ndarray  # (units,) 1.0 = failed
    unit_test: np.ndarray  # (units,) test index
    item_fail: np.ndarray  # (cases,) per-group failure of each case; NaN for DIR perturbed cases
    delta: np.ndarray  # (cases,) DIR: change of the class probability (on base rows), else NaN
    majority: np.ndarray  # (cases,) INV: the set's most common prediction, else -1


def evaluate(suite: Suite, cases: Cases, proba: np.ndarray, label_index: dict[str, int], dir_tolerance: float) -> Outcome:
    pred = proba.argmax(axis=1)
    n = len(cases)
    unit = np.array(cases.unit)
    test = np.array(cases.test)
    kinds = np.array([suite.tests[t].type for t in cases.test])
    unit_fail = np.zeros(cases.units)
    unit_test = np.zeros(cases.units, dtype=np.int64)
    unit_test[unit] = test
    item_fail = np.full(n, np.nan)
    delta = np.full(n, np.nan)
    majority = np.full(n, -1)

    mft = np.flatnonzero(kinds == "MFT")
    if mft.size:
        expected = np.array([label_index[cases.expected[i]] for i in mft])
        item_fail[mft] = (pred[mft] != expected).astype(float)
        unit_fail[unit[mft]] = item_fail[mft]

    inv = np.flatnonzero(kinds == "INV")
    if inv.size:
        k = proba.shape[1]
        votes = np.zeros((cases.units, k), dtype=np.int64)
        np.add.at(votes, (unit[inv], pred[inv]), 1)
        top = votes.argmax(axis=1)  # ties: the lowest label index
        majority[inv] = top[unit[inv]]
        item_fail[inv] = (pred[inv] != majority[inv]).astype(float)
        distinct = (votes > 0).sum(axis=1)
        units = np.unique(unit[inv])
        unit_fail[units] = (distinct[units] > 1).astype(float)

    base = np.flatnonzero(np.array(cases.role) == "base")
    if base.size:
        perturbed = base + 1  # expand() writes each pair as base, perturbed
        cls = np.array([label_index[suite.tests[t].label] for t in test[base]])
        d = proba[perturbed, cls] - proba[base, cls]
        up = np.array([suite.tests[t].direction == "up" for t in test[base]])
        fail = np.where(up, d < -dir_tolerance, d > dir_tolerance).astype(float)
        delta[base] = d
        item_fail[base] = fail
        unit_fail[unit[base]] = fail
    return Outcome(unit_fail, unit_test, item_fail, delta, majority)


def test_rates(suite: Suite, out: Outcome, resamples: int, confidence: float, seed: int) -> tuple[list[dict], dict]:
    """Per-test failure rates with CIs, and the macro means (overall and per test type) with
    CIs from the same per-test resamples."""
    entries, draws = [], []
    bounds: list[tuple[float, float]] = []  # each test's exact interval
    for ti, test in enumerate(suite.tests):
        fails = out.unit_fail[out.unit_test == ti]
        if fails.size == 0:
            continue
        samples = None
        if resamples > 0 and fails.size >= 2:
            samples = resample.ratio_samples(fails[:, None], np.ones((fails.size, 1)), resamples,
                                             derive_seed(seed, "templates", test.name))[:, 0]
        else:
            samples = np.full(max(resamples, 1), fails.mean())
        draws.append((test.type, samples))
        lo, hi = clopper_pearson_bounds(int(fails.sum()), int(fails.size), confidence)
        bounds.append((float(lo), float(hi)))
        entries.append({"name": test.name, "type": test.type, "description": test.description,
                        "units": int(fails.size), "failures": int(fails.sum()),
                        "failure_rate": {"value": float(fails.mean()), "ci": bounds[-1] if resamples else None}})
    macro = {}
    for kind in ("all", "MFT", "INV", "DIR"):
        chosen = [e for e in entries if kind in ("all", e["type"])]
        if not chosen:
            continue
        ci = None
        if resamples:
            stacked = np.mean([s for (t, s), e in zip(draws, entries) if kind in ("all", t)], axis=0)
            boot = resample.interval(stacked, confidence)
            lo, hi = np.mean([b for b, (t, _) in zip(bounds, draws) if kind in ("all", t)], axis=0).tolist()
            ci = (min(boot[0], lo), max(boot[1], hi)) if boot else (lo, hi)
        macro[kind] = {"value": float(np.mean([e["failure_rate"]["value"] for e in chosen])), "ci": ci,
                       "tests": len(chosen)}
    return entries, macro


def group_failures(suite: Suite, cases: Cases, out: Outcome) -> dict:
    """``{axis: {group: {"n", "failures", "rate", "by_test": {test: {"n", "failures"}}}}}``."""
    table: dict = {}
    for i, groups in enumerate(cases.groups):
        f = out.item_fail[i]
        if np.isnan(f):
            continue
        test = suite.tests[cases.test[i]].name
        for axis, group in groups.items():
            cell = table.setdefault(axis, {}).setdefault(group, {"n": 0, "failures": 0, "by_test": {}})
            cell["n"] += 1
            cell["failures"] += int(f)
            t = cell["by_test"].setdefault(test, {"n": 0, "failures": 0})
            t["n"] += 1
            t["failures"] += int(f)
    for axis in table.values():
        for cell in axis.values():
            cell["rate"] = cell["failures"] / cell["n"]
    return {a: dict(sorted(g.items())) for a, g in sorted(table.items())}
