"""Small builders for results documents in the shape of docs/results-schema.md."""

from __future__ import annotations

SCRIPT_TEXT = '<script>alert("x")</script>'  # the untrusted text in the sample results

def metric(value, ci=None, hib=True) -> dict:
    return {"value": value, "ci": list(ci) if ci else None, "higher_is_better": hib}


def probe(name: str, results: dict, specs: list | None = None, **extra) -> dict:
    """A probe entry in results.json shape; ``results`` maps model id -> model result."""
    entry = {"name": name, "family": "robustness", "version": "1", "description": f"The {name} probe.",
             "config": {}, "metric_specs": specs or [], "results": results}
    entry.update(extra)
    return entry


def ok(metrics: dict, **extra) -> dict:
    res = {"status": "ok", "reason": None, "metrics": metrics, "details": {}, "examples": [], "duration_s": 1.0}
    res.update(extra)
    return res


def results_with(probes: list[dict], models=("a", "b"), gate=None) -> dict:
    """A minimal but schema-shaped results document."""
    return {
        "schema": "audit-results/1",
        "run": {"id": "r1", "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z",
                "seed": 0, "command": "audit run", "config": {}, "versions": {}, "cache": {}, "durations": {}},
        "dataset": {"source": "data.tsv", "size": 10, "labels": ["0", "1"]},
        "models": [{"id": m, "kind": "callable", "fingerprint": f"sha256:{m * 8}", "labels": ["n", "p"]} for m in models],
        "probes": probes,
        "gate": gate,
    }
