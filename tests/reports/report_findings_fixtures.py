"""A results.json ``findings`` block built by hand, in the agreed shape (version 1), for report tests.

``audit run`` writes the real block; these builders only make one that looks like it over a given
results document, so the report's rendering of it can be tested without the code that decides findings.
"""

from __future__ import annotations

import re

from audit.core.document import metric_names, metrics_of, model_ids, probes_of

SEVERITIES = ("high", "medium", "low")
RULE = ("A metric is a finding when its test rejects after Benjamini-Hochberg correction over every "
        "test of this audit and its effect is beyond the probe's tolerance.")


def anchor(probe: str) -> str:
    return "probe-" + (re.sub(r"[^a-z0-9]+", "-", probe.lower()).strip("-") or "probe")


def item(model: str, probe: str, metric: str, status: str, value=0.1, ci=(0.05, 0.15), severity=None,
         title: str | None = None, reason: str = "", baseline: str | None = None, p_adjusted=0.004) -> dict:
    tested = status != "not_tested"
    return {
        "id": f"{probe}.{metric}:{model}", "rule": f"{probe}-tolerance", "probe": probe, "metric": metric,
        "model": model, "baseline": baseline, "status": status,
        "severity": severity if status == "finding" else None,
        "title": title or (f"{metric} of {probe} is {value:.3f} on {model}, beyond the tolerance of 0.05"
                           if value is not None else f"{metric} of {probe} could not be tested on {model}"),
        "value": value, "ci": list(ci) if ci else None, "threshold": 0.05,
        "p_value": (p_adjusted / 4) if tested else None, "p_adjusted": p_adjusted if tested else None,
        "tested": tested, "evidence": anchor(probe), "reason": reason or ("" if tested else "no group large enough"),
    }


def block(items: list[dict]) -> dict:
    order = {"finding": 0, "passed": 1, "not_tested": 2}
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    items = sorted(items, key=lambda i: (order[i["status"]], rank.get(i["severity"], 9)))
    tested = sum(i["tested"] for i in items)
    rejected = sum(i["status"] == "finding" for i in items)
    return {"version": 1,
            "fdr": {"method": "benjamini-hochberg", "q": 0.05, "tested": tested, "rejected": rejected, "rule": RULE},
            "rules": {}, "items": items}


def findings_for(doc: dict, per_model: int = 3, skip_probes: tuple[str, ...] = ("metrics",)) -> dict:
    """Over ``doc``'s headline metrics: the first ``per_model`` of each model (outside ``skip_probes``) are
    findings with severities high, medium, low ..., the rest passed, and one more item per model not tested."""
    items = []
    for model in model_ids(doc):
        n = 0
        for probe in probes_of(doc):
            name = str(probe.get("name"))
            for metric in metric_names(probe, [model], headline_only=True):
                m = metrics_of(probe, model).get(metric) or {}
                value = m.get("value")
                if not isinstance(value, (int, float)):
                    continue
                finding = name not in skip_probes and n < per_model
                items.append(item(model, name, metric, "finding" if finding else "passed", value=float(value),
                                  ci=m.get("ci"), severity=SEVERITIES[min(n, 2)] if finding else None,
                                  p_adjusted=0.001 * (n + 1) if finding else 0.4))
                n += finding
        items.append(item(model, "group-fairness", "max_gap/age", "not_tested", value=None, ci=None))
    return block(items)
