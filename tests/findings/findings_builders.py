"""Synthetic results documents whose findings are known: each probe entry carries only what the rules read
(metrics with value and interval, the details a title names, a paired block), in the shapes the probes write."""

from __future__ import annotations

from typing import Any


def metric(value: float | None, ci: list[float] | None = None, higher_is_better: bool | None = False) -> dict:
    return {"value": value, "ci": ci, "higher_is_better": higher_is_better}


def unit(metrics: dict, details: dict | None = None, status: str = "ok", reason: str | None = None) -> dict:
    return {"status": status, "reason": reason, "metrics": metrics, "details": details or {}, "examples": [],
            "duration_s": 0.1}


def probe(name: str, results: dict, config: dict | None = None, **extra: Any) -> dict:
    family = {"noise": "robustness", "attack": "robustness", "metrics": "performance",
              "explain": "explainability"}.get(name, "fairness")
    return {"name": name, "family": family, "version": "1", "description": "", "config": config or {"confidence": 0.95},
            "metric_specs": [], "results": results, **extra}


def document(probes: list[dict], models: tuple[str, ...] = ("cand", "prod"), findings_config: dict | None = None) -> dict:
    config: dict[str, Any] = {"seed": 0}
    if findings_config is not None:
        config["findings"] = findings_config
    return {
        "schema": "audit-results/1",
        "run": {"id": "t", "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z", "seed": 0,
                "config": config},
        "dataset": {"source": "test.csv", "size": 400, "labels": ["negative", "positive"]},
        "models": [{"id": m, "source": m, "kind": "callable", "labels": ["negative", "positive"]} for m in models],
        "probes": probes,
        "gate": None,
    }


def noise_unit(drop: float, ci: list[float], perturbation: str = "typo", severity: float = 0.2) -> dict:
    cell = {"key": f"{perturbation}@{severity}", "perturbation": perturbation, "severity": severity,
            "changed_accuracy_drop": drop, "n": 400, "changed": 400}
    return unit({"max_changed_accuracy_drop": metric(drop, ci), "max_accuracy_drop": metric(drop, ci)},
                {"max_changed_drop": cell, "min_changed": 20,
                 "cells": [{**cell, "accuracy_drop": drop}]})


def attack_unit(successes: int, attacked: int, recipe: str = "pwws") -> dict:
    rate = successes / attacked
    return unit({f"success_rate/{recipe}": metric(rate, [max(0.0, rate - 0.1), min(1.0, rate + 0.1)]),
                 "max_success_rate": metric(rate, [max(0.0, rate - 0.1), min(1.0, rate + 0.1)])},
                {"recipes": {recipe: {"successes": successes, "attacked": attacked, "failures": attacked - successes}},
                 "unavailable": {}})


def metrics_unit(accuracy: float, ece: float, ece_ci: list[float], brier: float = 0.1, log_loss: float = 0.3) -> dict:
    return unit({"accuracy": metric(accuracy, [accuracy - 0.03, accuracy + 0.03], True), "ece": metric(ece, ece_ci),
                 "brier": metric(brier, None), "log_loss": metric(log_loss, None)},
                {"labels": ["negative", "positive"], "n": 400})


def accuracy_comparison(a: str, b: str, diff: float, ci: list[float], p: float) -> dict:
    return {"metric": "accuracy", "a": a, "b": b, "n": 400, "diff": diff, "ci": ci, "confidence": 0.95,
            "method": "newcombe-hybrid-score",
            "mcnemar": {"n": 400, "a_only": 1, "b_only": 9, "statistic": 1.0, "p_value": p, "method": "exact-binomial"}}


def loss_comparison(name: str, a: str, b: str, diff: float, ci: list[float], p: float | None) -> dict:
    c = {"metric": name, "a": a, "b": b, "n": 400, "diff": diff, "ci": ci, "confidence": 0.95,
         "method": "paired-bootstrap", "resamples": 10000, "seed": 1}
    if p is not None:
        c["sign_flip"] = {"p_value": p, "n_nonzero": 400, "method": "monte-carlo-sign-flip", "resamples": 10000}
    return c


def templates_unit(gaps: list[tuple[str, float, float | None]], failure: float = 0.05,
                   failure_ci: list[float] | None = None) -> dict:
    """``gaps``: (axis, gap, permutation p) per axis."""
    scores = [{"axis": axis, "groups": [], "sets": 50, "cases": 200, "balanced": True,
               "gap": {"value": gap, "ci": [max(0.0, gap - 0.02), gap + 0.02]}, "p_value": p}
              for axis, gap, p in gaps]
    metrics = {"failure_rate": metric(failure, failure_ci or [max(0.0, failure - 0.02), failure + 0.02])}
    metrics.update({f"group_gap/{axis}": metric(gap, [max(0.0, gap - 0.02), gap + 0.02]) for axis, gap, _ in gaps})
    return unit(metrics, {"score_label": "positive", "tolerance": 0.1, "group_scores": scores, "tests": [{}, {}]})


def group_unit(dp: float, dp_ci: list[float], eo: float, eo_ci: list[float], attribute: str = "gender") -> dict:
    return unit({"max_demographic_parity_difference": metric(dp, dp_ci),
                 "max_equalized_odds_difference": metric(eo, eo_ci)},
                {"tolerance": 0.1, "attributes": [{"name": attribute, "disparities": {
                    "demographic_parity_difference": {"value": dp}, "equalized_odds_difference": {"value": eo}}}]})


def explain_unit(faithfulness: dict[str, tuple[float, list[float] | None]]) -> dict:
    return unit({f"faithfulness/{m}": metric(v, ci, True) for m, (v, ci) in faithfulness.items()},
                {"methods": {m: {"status": "ok"} for m in faithfulness}})
