"""From per-example curves and correlations to metrics with bootstrap CIs, and the ranking.

Headline: ``faithfulness/{method}``, the net AOPC (comprehensiveness minus sufficiency) of the
method minus that of the random baseline, per example and then averaged. Positive means the
method's top words matter to the model more than randomly chosen words do, on both tests at
once; the CI resamples the explained examples (the baseline is paired by example).
"""

from __future__ import annotations

import numpy as np

from audit import stats
from audit.core.seeding import derive_seed
from audit.probes.base import Metric
from audit.probes.explain.faithfulness import RANDOM, Curves

RANKING_RULE = ("Methods are ranked by faithfulness = (AOPC comprehensiveness - AOPC sufficiency) of the method minus "
                "that of the random baseline, averaged over the explained examples; a method beats random when the "
                "lower end of its bootstrap CI is above 0 (its score, when there is no CI).")


def _ci(values: np.ndarray, name: str, higher: bool | None, cfg, seed: int) -> Metric:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Metric(None, None, higher)
    point, interval = stats.bootstrap_ci(lambda idx: v[idx].mean(axis=1), v.size, resamples=cfg.bootstrap,
                                         confidence=cfg.confidence, seed=derive_seed(seed, "explain", name))
    return Metric(point, interval, higher)


def net(c: Curves) -> np.ndarray:
    return c.aopc_comprehensiveness - c.aopc_sufficiency


def faithfulness(curves: dict[str, Curves], ks: tuple[float, ...], cfg, seed: int) -> tuple[dict, dict, list]:
    """(metrics, details["faithfulness"], details["ranking"]) for every method and the baseline."""
    metrics: dict[str, Metric] = {}
    detail: dict[str, dict] = {}
    for method, c in curves.items():
        metrics[f"aopc_comprehensiveness/{method}"] = _ci(c.aopc_comprehensiveness, f"aopc_comprehensiveness/{method}", True, cfg, seed)
        metrics[f"aopc_sufficiency/{method}"] = _ci(c.aopc_sufficiency, f"aopc_sufficiency/{method}", False, cfg, seed)
        detail[method] = {
            "comprehensiveness": {str(k): float(v) for k, v in zip(ks, c.comprehensiveness.mean(axis=0))},
            "sufficiency": {str(k): float(v) for k, v in zip(ks, c.sufficiency.mean(axis=0))},
            "aopc_comprehensiveness": float(c.aopc_comprehensiveness.mean()),
            "aopc_sufficiency": float(c.aopc_sufficiency.mean()),
            "n": int(c.comprehensiveness.shape[0]),
        }
    ranking = []
    if RANDOM in curves:
        base = net(curves[RANDOM])
        for method, c in curves.items():
            if method == RANDOM:
                continue
            m = _ci(net(c) - base, f"faithfulness/{method}", True, cfg, seed)
            metrics[f"faithfulness/{method}"] = m
            beats = (m.ci[0] > 0) if m.ci is not None else (m.value is not None and m.value > 0)
            ranking.append({"method": method, "score": m.value, "ci": list(m.ci) if m.ci else None,
                            "beats_random": bool(beats)})
    ranking.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -np.inf), r["method"]))
    return metrics, detail, ranking


def stability(per_method: dict[str, np.ndarray], noise: str, cfg, seed: int) -> tuple[dict, dict]:
    """(metrics, details["stability"]): mean Spearman rho over examples with a usable noisy copy."""
    metrics, detail = {}, {}
    for method, rho in per_method.items():
        m = _ci(rho, f"stability/{method}", True, cfg, seed)
        metrics[f"stability/{method}"] = m
        detail[method] = {"spearman": m.value, "ci": list(m.ci) if m.ci else None,
                          "n": int(np.isfinite(rho).sum()), "noise": noise}
    return metrics, detail
