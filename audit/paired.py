"""Paired tests between two models scored on the same examples, read from prediction sidecars.

Two models evaluated on one test set are correlated: they get the easy examples right together.
Comparing their accuracies with two independent intervals ignores that and is far too
conservative, so gates (non-inferiority) and `audit compare` pair the examples by id instead:

* :func:`mcnemar` tests whether the models' error rates differ, using only the discordant pairs
  (examples exactly one model gets right);
* :func:`paired_bootstrap` gives a percentile CI of the accuracy difference by resampling
  example indices jointly for both models.

Numpy and the standard library only, so importing this costs nothing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from audit.stats import paired_bootstrap_diff

EXACT_BELOW = 25  # discordant pairs; below this the chi-square approximation is poor


def load_sidecar(results_dir: Path, unit: dict) -> dict[str, dict] | None:
    """id -> row ({"id","label","predicted","proba"}) read from unit["predictions_file"] (relative to results_dir); None when the unit has none or the file is missing."""
    rel = (unit or {}).get("predictions_file")
    if not rel:
        return None
    path = Path(results_dir) / rel
    if not path.is_file():
        return None
    rows: dict[str, dict] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                rows[str(row["id"])] = row
    return rows


def paired_correctness(rows_a: dict[str, dict], rows_b: dict[str, dict]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Ids present in both (a's order) and boolean correctness arrays (predicted == label)."""
    ids = [i for i in rows_a if i in rows_b]
    correct_a = np.array([rows_a[i]["predicted"] == rows_a[i]["label"] for i in ids], dtype=bool)
    correct_b = np.array([rows_b[i]["predicted"] == rows_b[i]["label"] for i in ids], dtype=bool)
    return ids, correct_a, correct_b


def _binom_two_sided_half(k: int, n: int) -> float:
    """Exact two-sided p of k successes in n trials at p = 1/2 (twice the smaller tail, at most 1)."""
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2**n
    return min(1.0, 2.0 * tail)


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> dict:
    """{"n", "a_only", "b_only", "statistic", "p_value", "method"}: exact binomial test on discordant pairs when a_only+b_only < 25, else chi-square with continuity correction; p=1 when no discordant pairs."""
    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.shape} vs {b.shape}")
    a_only = int(np.sum(a & ~b))
    b_only = int(np.sum(~a & b))
    discordant = a_only + b_only
    if discordant == 0:
        return {"n": int(a.size), "a_only": 0, "b_only": 0, "statistic": 0.0, "p_value": 1.0, "method": "none"}
    if discordant < EXACT_BELOW:
        # statistic: the smaller discordant count, as in statsmodels' exact McNemar
        return {"n": int(a.size), "a_only": a_only, "b_only": b_only, "statistic": float(min(a_only, b_only)),
                "p_value": _binom_two_sided_half(a_only, discordant), "method": "exact-binomial"}
    stat = (abs(a_only - b_only) - 1) ** 2 / discordant
    p = math.erfc(math.sqrt(stat / 2))  # chi-square survival function with 1 degree of freedom
    return {"n": int(a.size), "a_only": a_only, "b_only": b_only, "statistic": float(stat), "p_value": float(p),
            "method": "chi2-continuity"}


def paired_bootstrap(correct_a: np.ndarray, correct_b: np.ndarray, *, resamples: int = 10000, confidence: float = 0.95,
                     seed: int = 0) -> dict:
    """{"diff": mean(a)-mean(b), "ci": [lo, hi], "resamples", "confidence"} — percentile CI of the paired difference (resample example indices jointly)."""
    a = np.asarray(correct_a, dtype=np.float64)
    b = np.asarray(correct_b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.shape} vs {b.shape}")
    if a.size == 0:
        return {"diff": None, "ci": None, "resamples": resamples, "confidence": confidence}
    point, ci = paired_bootstrap_diff(a, b, resamples=resamples, confidence=confidence, seed=seed)
    return {"diff": float(point), "ci": None if ci is None else [float(ci[0]), float(ci[1])],
            "resamples": resamples, "confidence": confidence}
