"""Paired tests between two models scored on the same examples, read from prediction sidecars.

Two models evaluated on one test set are correlated: they get the easy examples right together.
Comparing their accuracies with two independent intervals ignores that and is far too
conservative, so gates (non-inferiority) and `audit compare` pair the examples by id instead:

* :func:`mcnemar` tests whether the models' error rates differ, using only the discordant pairs
  (examples exactly one model gets right);
* :func:`paired_proportion_interval` gives Newcombe's hybrid score interval (method 10) for the
  difference of two paired accuracies. A percentile bootstrap is not used for accuracy: when few
  examples differ, and all one way, no resample shows the other sign and its interval is too
  narrow (10.7% instead of 2.5% false passes at a non-inferiority margin, n=500);
* :func:`paired_bootstrap` resamples example indices jointly, for continuous per-example losses
  (Brier, log loss);
* :func:`sign_flip_test` is the paired permutation test of the mean loss difference that goes with
  it. The percentile bootstrap has the same weakness as for accuracy when only a few examples
  differ, all one way (4 of 301 gives an interval excluding 0, while no test at 5% can: the
  smallest possible two-sided p with 4 differences is 2/2^4 = 0.125), so a loss difference counts
  only when both agree.

Numpy and the standard library only, so importing this costs nothing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np

from audit.core.errors import AuditError
from audit.stats import paired_bootstrap_diff

EXACT_BELOW = 25  # discordant pairs; below this the chi-square approximation is poor
SIDECAR_KEYS = ("id", "label", "predicted")
NEWCOMBE = "newcombe-hybrid-score"


def sidecar_path(results_dir: Path, rel: str) -> Path:
    """The sidecar's path, refused unless it stays under the results directory (a results file names it)."""
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise AuditError(f"predictions_file '{rel}' in {Path(results_dir) / 'results.json'} points outside the "
                         "results directory; sidecars must be relative paths under it, e.g. predictions/x.jsonl.")
    return Path(results_dir) / rel


def _no_constant(name: str):
    raise ValueError(f"non-finite number {name}")


def load_sidecar(results_dir: Path, unit: dict) -> dict[str, dict] | None:
    """id -> row ({"id","label","predicted","proba"}) read from unit["predictions_file"] (relative to
    results_dir); None when the unit names none or the file is missing; AuditError when it is malformed."""
    rel = (unit or {}).get("predictions_file")
    if not rel:
        return None
    path = sidecar_path(results_dir, str(rel))
    if not path.is_file():
        return None
    rows: dict[str, dict] = {}
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if raw.strip():
            try:
                row = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
            except ValueError as exc:  # bad JSON, bad UTF-8, NaN or Infinity
                raise AuditError(f"{path}:{number}: not a valid JSON line ({exc}); re-run the audit to rewrite "
                                 "the predictions file.") from None
            missing = [k for k in SIDECAR_KEYS if not isinstance(row, dict) or k not in row]
            if missing:
                raise AuditError(f"{path}:{number}: row lacks {', '.join(missing)}; every row needs id, label and "
                                 "predicted. Re-run the audit to rewrite the predictions file.")
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


def _pair(correct_a, correct_b) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.shape} vs {b.shape}")
    return a, b


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> dict:
    """{"n", "a_only", "b_only", "statistic", "p_value", "method"}: exact binomial test on discordant pairs when
    a_only+b_only < 25, else chi-square with continuity correction; p=1 when no discordant pairs."""
    a, b = _pair(correct_a, correct_b)
    a_only = int(np.sum(a & ~b))
    b_only = int(np.sum(~a & b))
    discordant = a_only + b_only
    if discordant == 0:
        return {"n": int(a.size), "a_only": 0, "b_only": 0, "statistic": 0.0, "p_value": 1.0, "method": "none"}
    if discordant < EXACT_BELOW:
        # statistic: the smaller discordant count, as in statsmodels' exact McNemar
        return {"n": int(a.size), "a_only": a_only, "b_only": b_only, "statistic": float(min(a_only, b_only)),
                "p_value": _binom_two_sided_half(a_only, discordant), "method": "exact-binomial"}
    # Edwards' correction; max(0, .) so that |b - c| = 0 gives 0, not 1/(b + c)
    stat = max(0, abs(a_only - b_only) - 1) ** 2 / discordant
    p = math.erfc(math.sqrt(stat / 2))  # chi-square survival function with 1 degree of freedom
    return {"n": int(a.size), "a_only": a_only, "b_only": b_only, "statistic": float(stat), "p_value": float(p),
            "method": "chi2-continuity"}


def wilson_interval(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (no continuity correction)."""
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def paired_proportion_interval(correct_a: np.ndarray, correct_b: np.ndarray, confidence: float = 0.95) -> dict:
    """{"diff": mean(a) - mean(b), "ci": [lo, hi], "method", "confidence"}: Newcombe's (1998) method 10.

    Square-and-add of the two Wilson intervals with the correlation phi between the paired
    proportions (phi corrected towards 0 by n/2 when positive, as Newcombe does). Checked against
    Fagerland, Lydersen & Laake's worked example (Cavo et al.: -0.0621, CI -0.1186 to -0.0046).
    """
    a, b = _pair(correct_a, correct_b)
    n = int(a.size)
    if n == 0:
        return {"diff": None, "ci": None, "method": NEWCOMBE, "confidence": confidence}
    both, a_only = int(np.sum(a & b)), int(np.sum(a & ~b))
    b_only, neither = int(np.sum(~a & b)), int(np.sum(~a & ~b))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p1, p2 = (both + a_only) / n, (both + b_only) / n
    l1, u1 = wilson_interval(both + a_only, n, z)
    l2, u2 = wilson_interval(both + b_only, n, z)
    margins = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither)
    phi = 0.0
    if margins > 0:
        cross = both * neither - a_only * b_only
        # Newcombe's correction: a positive association is shrunk by n/2 (not below 0), a negative one kept
        corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
        phi = corrected / math.sqrt(margins)
    diff = p1 - p2
    lower = diff - math.sqrt(max(0.0, (p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)))
    upper = diff + math.sqrt(max(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1)))
    return {"diff": float(diff), "ci": [max(-1.0, lower), min(1.0, upper)], "method": NEWCOMBE,
            "confidence": confidence}


def paired_bootstrap(values_a: np.ndarray, values_b: np.ndarray, *, resamples: int = 10000, confidence: float = 0.95,
                     seed: int = 0) -> dict:
    """{"diff": mean(a)-mean(b), "ci": [lo, hi], "resamples", "confidence", "method"}: percentile CI of the paired
    difference of continuous per-example values (resample example indices jointly). Use
    :func:`paired_proportion_interval` for 0/1 correctness."""
    a = np.asarray(values_a, dtype=np.float64)
    b = np.asarray(values_b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.shape} vs {b.shape}")
    out = {"diff": None, "ci": None, "resamples": resamples, "confidence": confidence, "method": "paired-bootstrap"}
    if a.size == 0:
        return out
    point, ci = paired_bootstrap_diff(a, b, resamples=resamples, confidence=confidence, seed=seed)
    out.update(diff=float(point), ci=None if ci is None else [float(ci[0]), float(ci[1])])
    return out


EXACT_SIGN_FLIPS_UPTO = 16  # non-zero differences; up to here all 2^n sign vectors are enumerated (65536 rows)
_CHUNK_CELLS = 4_000_000  # random signs drawn per block, to bound memory whatever the number of examples


def sign_flip_test(diffs: np.ndarray, *, resamples: int = 10000, seed: int = 0) -> dict:
    """{"p_value", "n_nonzero", "method", "resamples"}: paired permutation (sign-flip) test that the mean of the
    per-example differences ``diffs`` (loss of a minus loss of b) is 0, two-sided.

    Under the null each example's difference is as likely to have either sign, so the p-value is the share of
    sign vectors whose |sum| is at least the observed |sum|. Zero differences cannot change the sum and are
    dropped. With at most 16 non-zero differences every one of the 2^n sign vectors is enumerated (exact,
    "exact-sign-flip"); with more, ``resamples`` seeded random sign vectors are drawn and p = (1 + hits) /
    (1 + resamples) ("monte-carlo-sign-flip"). No non-zero difference: p = 1, method "none".
    """
    d = np.asarray(diffs, dtype=np.float64).ravel()
    if not np.isfinite(d).all():
        raise ValueError("sign_flip_test needs finite differences")
    d = d[d != 0.0]
    n = int(d.size)
    if n == 0:
        return {"p_value": 1.0, "n_nonzero": 0, "method": "none", "resamples": 0}
    observed = abs(float(d.sum()))
    # sums that equal the observed one up to rounding count as "at least as extreme"
    tol = 1e-9 * float(np.abs(d).sum())
    if n <= EXACT_SIGN_FLIPS_UPTO:
        bits = (np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n, dtype=np.int64)) & 1
        sums = (1 - 2 * bits).astype(np.float64) @ d
        hits = int(np.count_nonzero(np.abs(sums) >= observed - tol))
        return {"p_value": hits / 2**n, "n_nonzero": n, "method": "exact-sign-flip", "resamples": 2**n}
    rng = np.random.default_rng(seed)
    hits, done = 0, 0
    chunk = max(1, _CHUNK_CELLS // n)
    while done < resamples:
        size = min(chunk, resamples - done)
        signs = 1.0 - 2.0 * rng.integers(0, 2, size=(size, n), dtype=np.int8)
        hits += int(np.count_nonzero(np.abs(signs @ d) >= observed - tol))
        done += size
    return {"p_value": (1 + hits) / (1 + resamples), "n_nonzero": n, "method": "monte-carlo-sign-flip",
            "resamples": int(resamples)}
