"""Paired tests between each column and the baseline, read from the prediction sidecars.

Two models scored on the same examples are correlated, so their accuracies are compared
example by example, not by whether two independent intervals overlap: Newcombe's paired score
interval (method 10) of the accuracy difference decides the verdict (better / worse only when it
excludes 0), and McNemar's test on the discordant pairs is reported beside it. A percentile
bootstrap is not used: with a handful of discordant pairs all one way it excludes 0 where McNemar
finds nothing (4 of 200 in the column's favour: exact p = 0.125).
"""

from __future__ import annotations

from typing import Any

from audit.core.document import WITH_VALUES, metrics_of, model_result

from audit.compare.align import column_key, probe_of, probe_order
from audit.compare.runs import Run
from audit.predictions.sidecars import load_sidecar, paired_correctness
from audit.stats import NEWCOMBE, mcnemar, paired_proportion_interval

PAIRED_METRIC = "accuracy"  # what the sidecars' label/predicted columns measure
PAIRED_METHOD = NEWCOMBE  # "newcombe-hybrid-score"
CONFIDENCE = 0.95

BETTER, WORSE, NOT_DISTINGUISHABLE = "better", "worse", "not distinguishable"


def paired_verdict(ci: list | None, higher_is_better: bool = True) -> str | None:
    """From the CI of (column - baseline): better / worse only when it excludes zero."""
    if not ci or len(ci) != 2:
        return None
    lo, hi = float(ci[0]), float(ci[1])
    if lo > 0:
        return BETTER if higher_is_better else WORSE
    if hi < 0:
        return WORSE if higher_is_better else BETTER
    return NOT_DISTINGUISHABLE


def _sidecar(run: Run, probe: dict, model: str, cache: dict) -> dict | None:
    key = (run.name, probe.get("name"), model)
    if key not in cache:
        unit = model_result(probe, model)
        rows = load_sidecar(run.directory, unit) if unit and unit.get("status", "ok") in WITH_VALUES else None
        usable = rows and all("label" in r and "predicted" in r for r in rows.values())
        cache[key] = rows if usable else None
    return cache[key]


def paired_tests(runs: list[Run], baseline: tuple[Run, str]) -> tuple[list[dict], list[str]]:
    """Tests of every column against the baseline, per probe that reports accuracy and keeps sidecars."""
    base_run, base_model = baseline
    base_key = column_key(base_run, base_model)
    tests, notes, cache = [], [], {}
    for pname in probe_order(runs):
        base_probe = probe_of(base_run, pname)
        if base_probe is None or PAIRED_METRIC not in metrics_of(base_probe, base_model):
            continue
        base_rows = _sidecar(base_run, base_probe, base_model, cache)
        if base_rows is None:
            notes.append(f"No paired test on {pname}.{PAIRED_METRIC}: the baseline {base_key} has no prediction sidecar.")
            continue
        for run in runs:
            probe = probe_of(run, pname)
            for model in run.model_ids:
                key = column_key(run, model)
                if key == base_key or probe is None or PAIRED_METRIC not in metrics_of(probe, model):
                    continue
                rows = _sidecar(run, probe, model, cache)
                if rows is None:
                    notes.append(f"No paired test of {key} on {pname}.{PAIRED_METRIC}: its prediction sidecar is missing.")
                    continue
                tests.append(_test(pname, key, base_key, rows, base_rows))
    return tests, notes


def _test(probe: str, key: str, base_key: str, rows: dict, base_rows: dict) -> dict[str, Any]:
    ids, correct, correct_base = paired_correctness(rows, base_rows)
    test = mcnemar(correct, correct_base)
    interval = paired_proportion_interval(correct, correct_base, confidence=CONFIDENCE)
    n = len(ids)
    return {
        "probe": probe, "metric": PAIRED_METRIC, "address": f"{probe}.{PAIRED_METRIC}",
        "column": key, "baseline": base_key, "n": n,
        "unpaired_ids": {"column": len(rows) - n, "baseline": len(base_rows) - n},
        "accuracy": {"column": float(correct.mean()) if n else None, "baseline": float(correct_base.mean()) if n else None},
        "mcnemar": test,
        "interval": interval,
        "verdict": paired_verdict(interval.get("ci")) if n else None,
    }
