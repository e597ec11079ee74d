"""Results with prediction sidecars whose paired comparison has a known answer.

``correctness(both, a_only, b_only, neither)`` gives two models' right/wrong per example; ``write_run``
writes their sidecars (one seeded confidence per example, the predicted class made right or
wrong as asked) and a metrics-probe entry whose recorded values come from scikit-learn, so a test
can check the paired block against an independent computation.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss

from audit.stats import wilson

LABELS = ["neg", "pos"]
SPECS = [{"name": "accuracy", "description": "", "higher_is_better": True, "headline": True},
         {"name": "brier", "description": "", "higher_is_better": False, "headline": False},
         {"name": "log_loss", "description": "", "higher_is_better": False, "headline": False}]


def correctness(both: int, a_only: int, b_only: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([1] * both + [1] * a_only + [0] * b_only + [0] * neither, dtype=bool)
    b = np.array([1] * both + [0] * a_only + [1] * b_only + [0] * neither, dtype=bool)
    return a, b


def model_proba(correct: np.ndarray, gold: np.ndarray, seed: int) -> np.ndarray:
    """Two-class probabilities whose argmax is the gold class exactly where ``correct``."""
    conf = np.random.default_rng(seed).uniform(0.55, 0.95, size=correct.size)
    top = np.where(correct, gold, 1 - gold)
    proba = np.empty((correct.size, 2))
    proba[np.arange(correct.size), top] = conf
    proba[np.arange(correct.size), 1 - top] = 1 - conf
    return proba


def unit(folder: Path, model: str, correct: np.ndarray, gold: np.ndarray, seed: int, sidecar: bool = True) -> dict:
    proba = model_proba(correct, gold, seed)
    y = [LABELS[i] for i in gold]
    metrics = {
        "accuracy": {"value": float(correct.mean()), "ci": list(wilson(int(correct.sum()), correct.size)),
                     "higher_is_better": True},
        "brier": {"value": float(brier_score_loss(y, proba[:, 1], pos_label="pos")), "ci": None,
                  "higher_is_better": False},
        "log_loss": {"value": float(log_loss(y, proba, labels=LABELS)), "ci": None, "higher_is_better": False},
    }
    result = {"status": "ok", "reason": None, "metrics": metrics, "details": {"labels": LABELS, "n": correct.size},
              "examples": [], "duration_s": 0.1}
    if sidecar:
        rel = f"predictions/metrics--{model}.jsonl"
        (folder / "predictions").mkdir(parents=True, exist_ok=True)
        rows = [{"id": str(i), "label": LABELS[g], "predicted": LABELS[int(p.argmax())], "proba": p.tolist()}
                for i, (g, p) in enumerate(zip(gold, proba))]
        (folder / rel).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        result["predictions_file"] = rel
    return result


def write_run(folder: Path, correct: dict[str, np.ndarray], *, no_sidecar: tuple[str, ...] = ()) -> dict:
    """A results document for models ``correct`` (id -> right/wrong per example), sidecars under ``folder``."""
    n = len(next(iter(correct.values())))
    gold = np.arange(n) % 2
    # one confidence per example for every model: losses differ exactly where correctness does
    results = {m: unit(folder, m, c, gold, seed=0, sidecar=m not in no_sidecar) for m, c in correct.items()}
    return {
        "schema": "audit-results/1",
        "run": {"id": "r1", "seed": 0, "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z",
                "command": "audit run", "config": {}, "versions": {}, "cache": {}, "durations": {}},
        "dataset": {"source": "data.csv", "size": n, "labels": LABELS},
        "models": [{"id": m, "kind": "callable", "fingerprint": "sha256:0", "labels": LABELS} for m in correct],
        "probes": [{"name": "metrics", "family": "performance", "version": "1", "description": "",
                    "config": {"confidence": 0.95}, "metric_specs": SPECS, "results": results}],
        "gate": None,
    }
