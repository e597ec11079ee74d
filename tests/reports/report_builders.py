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


SKLEARN_NO_ATTENTION = "needs attention maps; sklearn model has none"
K = ["0.05", "0.1", "0.2", "0.5"]


def _faith(aopc: float) -> dict:
    """Comprehensiveness rising and sufficiency falling with k, scaled so AOPCs order like ``aopc``."""
    return {"comprehensiveness": {k: round(aopc * (i + 1) / 2.5, 4) for i, k in enumerate(K)},
            "sufficiency": {k: round(0.5 - aopc * (i + 1) / 4, 4) for i, k in enumerate(K)},
            "aopc_comprehensiveness": aopc, "aopc_sufficiency": round(0.5 - aopc / 2, 4), "n": 40}


def _explain_model(ranking: list[tuple], skipped: dict[str, str], examples: list[dict], global_tokens: dict) -> dict:
    """One model's ``explain`` result: ``ranking`` is (method, score, ci, beats_random), best first."""
    ran = [m for m, *_ in ranking]
    methods = {m: {"status": "ok", "reason": None, "seconds_per_example": 0.004 * (i + 1)} for i, m in enumerate(ran)}
    methods.update({m: {"status": "skipped", "reason": r, "seconds_per_example": None} for m, r in skipped.items()})
    metrics = {}
    for m, score, ci, _ in ranking:
        metrics[f"faithfulness/{m}"] = metric(score, ci)
        metrics[f"aopc_comprehensiveness/{m}"] = metric(score + 0.1, (score + 0.05, score + 0.15))
        metrics[f"aopc_sufficiency/{m}"] = metric(0.5 - score / 2, None, False)
    details = {
        "labels": ["negative", "positive"], "methods": methods, "k": [float(k) for k in K],
        "faithfulness": {m: _faith(score + 0.1) for m, score, *_ in ranking},
        "ranking": [{"method": m, "score": s, "ci": list(ci) if ci else None, "beats_random": b}
                    for m, s, ci, b in ranking],
        "ranking_rule": "Score = AOPC comprehensiveness minus AOPC sufficiency.",
        "stability": {m: {"spearman": 0.9 - 0.1 * i, "ci": [0.8 - 0.1 * i, 0.95 - 0.1 * i], "n": 20,
                          "noise": "typo@0.1"}
                      for i, m in enumerate(ran) if m != "random"},
        "global_tokens": global_tokens, "global_method": ran[0],
        "selection": {"misclassified": 1, "attacked": 1, "random": 2}, "score": "proba",
        "method_notes": {m: {"steps": 32, "completeness_gap_max": 0.012} if m == "integrated_gradients" else {}
                         for m in ran},
    }
    return ok(metrics, details=details, examples=examples)


def explain_example(ex_id: str, words: list[str], scores: dict[str, list[float]], why: str = "random", **extra) -> dict:
    ex = {"id": ex_id, "text": " ".join(words), "label": "positive", "predicted": "positive", "confidence": 0.91,
          "target": "positive", "why": why, "words": words, "attributions": scores}
    ex.update(extra)
    return ex


def explain_results(hostile: str = SCRIPT_TEXT, extra_probes: list | None = None) -> dict:
    """Two models: an HF one where every method ran (attention ranks below gradients) and an sklearn
    one where only occlusion could run; shared random ids plus per-model misclassified/attacked ones."""
    words = ["great", "not", hostile, "movie"]  # the sklearn model explains a copy of the same text
    all_methods = ("integrated_gradients", "occlusion", "grad_x_input", "attention", "rollout")
    hf_scores = {m: [0.4, -0.2, 0.1, 0.0] for m in all_methods} | {"random": [0.1, 0.2, -0.3, 0.05]}
    hf_examples = [explain_example("m1", ["dull", "plot"], {"occlusion": [-0.5, 0.2]}, why="misclassified"),
                   explain_example("r1", words, hf_scores),
                   explain_example("r2", ["fine", "film"], {"occlusion": [0.3, 0.1]}),
                   explain_example("a1", ["grate", "movie"], {"occlusion": [0.2, 0.1]}, why="attacked",
                                   original="great movie")]
    sk_examples = [explain_example("r1", list(words), {"occlusion": [0.1, -0.05, 0.02, 0.0]}),
                   explain_example("m2", ["boring"], {"occlusion": [-0.3]}, why="misclassified"),
                   explain_example("r2", ["fine", "film"], {"occlusion": [0.2, 0.0]})]
    hf = _explain_model(
        [("integrated_gradients", 0.42, (0.36, 0.48), True), ("occlusion", 0.38, (0.31, 0.45), True),
         ("grad_x_input", 0.30, (0.24, 0.36), True), ("attention", 0.12, (0.05, 0.19), True),
         ("rollout", 0.08, (-0.01, 0.17), False), ("random", 0.05, (0.0, 0.1), False)],
        {}, hf_examples,
        {"positive": [{"token": "great", "mean_attribution": 0.31, "count": 12, "identity": None},
                      {"token": "muslim", "mean_attribution": 0.12, "count": 3, "identity": "religion"}],
         "negative": [{"token": "dull", "mean_attribution": 0.28, "count": 9, "identity": None}]})
    sk = _explain_model(
        [("occlusion", 0.35, (0.3, 0.4), True), ("random", 0.04, (0.0, 0.08), False)],
        {m: SKLEARN_NO_ATTENTION if m in ("attention", "rollout") else "needs gradients; sklearn model has none"
         for m in ("attention", "rollout", "grad_x_input", "integrated_gradients")}, sk_examples,
        {"positive": [{"token": "fine", "mean_attribution": 0.2, "count": 5, "identity": None}]})
    specs = [{"name": "faithfulness/{method}", "description": "AOPC comp. minus suff.", "higher_is_better": True,
              "headline": True}]
    specs += [{"name": f"{n}/{{method}}", "description": "", "higher_is_better": hib, "headline": False}
              for n, hib in (("aopc_comprehensiveness", True), ("aopc_sufficiency", False), ("stability", True))]
    entry = probe("explain", {"distilbert": hf, "tfidf-logreg": sk}, specs, family="explainability")
    return results_with([entry] + list(extra_probes or []), models=("distilbert", "tfidf-logreg"))
