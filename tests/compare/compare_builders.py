"""Hand-made saved runs for the compare tests: results.json plus prediction sidecars whose paired
answer is known (which examples each model gets right is chosen here)."""

from __future__ import annotations

import json
from pathlib import Path

FP_A = "sha256:" + "a" * 64
FP_B = "sha256:" + "b" * 64


def metric(value, ci=None, hib=True) -> dict:
    return {"value": value, "ci": list(ci) if ci else None, "higher_is_better": hib}


def write_run(root: Path, name: str, correct: dict[str, list[bool]], *, fingerprint: str = FP_A,
              sidecars: bool = True, extra_probes: list[dict] | None = None, run_id: str | None = None) -> Path:
    """A run directory whose `metrics` probe scores each model by ``correct`` (one bool per example)."""
    out = root / name
    (out / "predictions").mkdir(parents=True, exist_ok=True)
    results = {}
    for model, flags in correct.items():
        acc = sum(flags) / len(flags)
        unit = {"status": "ok", "reason": None, "duration_s": 0.1, "details": {},
                "metrics": {"accuracy": metric(acc, (acc - 0.05, acc + 0.05)), "ece": metric(0.1, (0.05, 0.15), hib=False)},
                "examples": []}
        if sidecars:
            rel = f"predictions/metrics--{model}.jsonl"
            rows = [{"id": str(i), "label": "pos", "predicted": "pos" if ok else "neg", "proba": [0.2, 0.8] if ok else [0.8, 0.2]}
                    for i, ok in enumerate(flags)]
            (out / rel).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            unit["predictions_file"] = rel
        results[model] = unit
    specs = [{"name": "accuracy", "description": "Share correct.", "higher_is_better": True, "headline": True},
             {"name": "ece", "description": "Calibration error.", "higher_is_better": False, "headline": True}]
    doc = {
        "schema": "audit-results/1",
        "run": {"id": run_id or f"run-{name}", "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z",
                "seed": 0, "command": f"audit run --out {name}", "config": {}, "versions": {"audit": "0.1.0"},
                "cache": {}, "durations": {}},
        "dataset": {"source": "reviews.csv", "split": None, "size": len(next(iter(correct.values()))),
                    "fingerprint": fingerprint, "labels": ["neg", "pos"]},
        "models": [{"id": m, "kind": "callable", "fingerprint": f"sha256:{m}", "labels": ["neg", "pos"]} for m in correct],
        "probes": [{"name": "metrics", "family": "performance", "version": "1", "description": "Task metrics.",
                    "config": {}, "metric_specs": specs, "results": results}] + list(extra_probes or []),
        "gate": None,
    }
    (out / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    return out


CALLABLES = (
    "import numpy as np\n"
    "from audit.demo.corpus import POSITIVE\n"
    "def words(texts):\n"
    "    p = np.array([0.9 if any(w in t for w in POSITIVE) else 0.1 for t in texts])\n"
    "    return np.stack([1 - p, p], axis=1)\n"
    "words.labels = ['negative', 'positive']\n"
    "def length(texts):\n"
    "    p = np.array([min(len(t), 200) / 200 for t in texts])\n"
    "    return np.stack([1 - p, p], axis=1)\n"
    "length.labels = ['negative', 'positive']\n"
)


def tiny_workdir(root: Path, size: int = 60, seed: int = 1) -> Path:
    """A review CSV and a module of two callable models: enough for a real `audit run`."""
    import csv

    from audit.demo.corpus import generate

    root.mkdir(parents=True, exist_ok=True)
    rows = generate(size, seed=seed, skewed=False)
    with (root / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (root / "tiny_models.py").write_text(CALLABLES, encoding="utf-8")
    return root
