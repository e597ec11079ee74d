"""Synthetic results documents with prediction sidecars, built from known per-example correctness,
so every gate statistic can be checked against an independent computation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from audit import RESULTS_SCHEMA
from audit.gate.metric_lookup import registry_specs

LABELS = ["negative", "positive"]


def sidecar_rows(correct: np.ndarray, proba_right: float = 0.8) -> list[dict]:
    """Rows with gold label alternating; the predicted label is right where ``correct``."""
    rows = []
    for i, ok in enumerate(np.asarray(correct, dtype=bool)):
        gold = LABELS[i % 2]
        pred = gold if ok else LABELS[1 - i % 2]
        p_pred = proba_right if ok else 0.7
        proba = [p_pred, 1 - p_pred] if pred == LABELS[0] else [1 - p_pred, p_pred]
        rows.append({"id": str(i), "label": gold, "predicted": pred, "proba": proba})
    return rows


def unit(value: float, ci=None, hib=True) -> dict:
    return {"value": value, "ci": ci, "higher_is_better": hib}


def build_results(folder: Path, correct: dict[str, np.ndarray], *, fingerprint: str = "sha256:same-data",
                  extra: dict[str, dict] | None = None, fairness: dict[str, dict] | None = None) -> dict:
    """Write results.json + metrics sidecars for models with the given correctness; returns the doc.

    ``extra``: model -> {metric: record} merged into the metrics probe; ``fairness``: model ->
    group-fairness metrics (the probe entry is added only when given).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "predictions").mkdir(exist_ok=True)
    specs = registry_specs()
    metrics_results = {}
    for model, c in correct.items():
        c = np.asarray(c, dtype=bool)
        rel = f"predictions/metrics--{model}.jsonl"
        (folder / rel).write_text("\n".join(json.dumps(r) for r in sidecar_rows(c)) + "\n", encoding="utf-8")
        acc = float(c.mean())
        metrics = {"accuracy": unit(acc, [acc - 0.05, acc + 0.04]),
                   "ece": unit(0.04, [0.02, 0.07], hib=False),
                   "brier": unit(0.04 * acc + 0.49 * (1 - acc), None, hib=False),  # what sidecar_rows give
                   "f1/negative": unit(0.9), "f1/positive": unit(0.8)}
        metrics.update((extra or {}).get(model, {}))
        metrics_results[model] = {"status": "ok", "reason": None, "metrics": metrics, "details": {},
                                  "examples": [], "duration_s": 0.1, "predictions_file": rel}
    probes = [{"name": "metrics", "family": "performance", "version": "1", "description": "", "config": {},
               "metric_specs": specs["metrics"], "results": metrics_results}]
    if fairness is not None:
        probes.append({"name": "group-fairness", "family": "fairness", "version": "1", "description": "",
                       "config": {}, "metric_specs": specs["group-fairness"],
                       "results": {m: ({"status": "ok", "reason": None, "metrics": v, "details": {}, "examples": []}
                                       if "status" not in v else v) for m, v in fairness.items()}})
    doc = {
        "schema": RESULTS_SCHEMA,
        "run": {"id": f"run-{folder.name}", "started_at": "2026-11-22T20:00:00Z", "finished_at": "2026-11-22T20:01:00Z",
                "seed": 0, "command": "audit run", "config": {}, "versions": {}, "cache": {}, "durations": {}},
        "dataset": {"source": "test.csv", "size": len(next(iter(correct.values()))), "fingerprint": fingerprint,
                    "labels": LABELS, "label_counts": {}, "columns": {}, "sensitive_attributes": []},
        "models": [{"id": m, "source": m, "kind": "callable", "fingerprint": "sha256:x", "labels": LABELS,
                    "details": {}} for m in correct],
        "probes": probes,
        "gate": None,
    }
    (folder / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    return doc


def write_policy(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def results(tmp_path):
    """A run with 'cand' (92% right) and 'base' (90% right) on 200 examples."""
    rng = np.random.default_rng(0)
    base = np.zeros(200, dtype=bool)
    base[rng.choice(200, 180, replace=False)] = True
    cand = base.copy()
    cand[np.flatnonzero(~base)[:4]] = True  # cand fixes 4 of base's errors
    folder = tmp_path / "run"
    doc = build_results(folder, {"cand": cand, "base": base},
                        fairness={"cand": {"demographic_parity_difference/gender": unit(0.03, [0.0, 0.08], False),
                                           "demographic_parity_difference/religion": unit(0.12, [0.05, 0.2], False)},
                                  "base": {"status": "error", "reason": "ValueError: boom", "metrics": {}}})
    return folder, doc


@pytest.fixture()
def make_results():
    """build_results(folder, {model: correctness}, ...) for tests that construct their own runs."""
    return build_results


@pytest.fixture()
def policy(tmp_path):
    """policy(text) -> path of a policy file holding ``text``."""
    counter = iter(range(1000))
    return lambda text: write_policy(tmp_path / f"policy{next(counter)}.yaml", text)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    from tfidf_workdir import build_tfidf_workdir

    root = build_tfidf_workdir(tmp_path_factory.mktemp("gate-run"))
    (root / "gate_models.py").write_text(
        "import numpy as np\n"
        "def coin(texts):\n"
        "    p = np.array([(len(t) % 7) / 7 for t in texts])\n"
        "    return np.stack([1 - p, p], axis=1)\n"
        "coin.labels = ['negative', 'positive']\n"
        "def broken(texts):\n"
        "    raise RuntimeError('model server down')\n"
        "broken.labels = ['negative', 'positive']\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture()
def run_cli(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    from cli_invoke import invoke

    return invoke
