"""Per-recipe numbers from per-example records: counts, rates with exact (Clopper-Pearson) intervals, averages.

Definitions (TextAttack's, over the sampled examples that could be attacked):
clean accuracy = correct / evaluated; accuracy under attack = attacks that failed / evaluated;
success rate = successes / attacked (correctly classified examples), with an exact (Clopper-Pearson) interval;
average queries over attacked examples; perturbed share over successful ones. A failure is an
attack that ended without a confirmed flip (query budget spent, search exhausted, unconfirmed),
as TextAttack's ``FailedAttackResult``. An example stopped by a time budget (TextAttack has none)
is "inconclusive", neither: correct, so in clean accuracy, but left out of "attacked" and of the
evaluated examples under attack, and counted apart.
"""

from __future__ import annotations

from typing import Any

from audit.probes.base import Metric
from audit.stats import proportion_interval

SKIP_REASONS = ("misclassified", "too_long", "empty")


def counts(records: list[dict[str, Any]]) -> dict[str, Any]:
    skipped = {r: sum(1 for x in records if x["outcome"] == "skipped" and x.get("reason") == r) for r in SKIP_REASONS}
    successes = sum(1 for x in records if x["outcome"] == "success")
    failures = sum(1 for x in records if x["outcome"] == "failed")
    inconclusive = sum(1 for x in records if x["outcome"] == "inconclusive")
    c = {
        "sampled": len(records),
        "evaluated": len(records) - skipped["too_long"] - skipped["empty"],
        "attacked": successes + failures,
        "successes": successes,
        "failures": failures,
        "inconclusive": inconclusive,
        "skipped": sum(skipped.values()),
        "skipped_by_reason": skipped,
        "unconfirmed": sum(1 for x in records if x.get("reason") == "unconfirmed"),
        "query_budget_hits": sum(1 for x in records if x.get("reason") == "query_budget"),
    }
    return {**c, "success_rate_basis": basis(c)}


def basis(c: dict[str, Any]) -> str:
    """The success rate's denominator in words."""
    text = f"success over {c['attacked']} attacked example{'' if c['attacked'] == 1 else 's'}"
    if c["inconclusive"]:
        text += f"; {c['inconclusive']} inconclusive (time budget) left out"
    return text


def _mean(values: list[float]) -> float | None:
    return float(sum(values) / len(values)) if values else None


def recipe_metrics(recipe: str, records: list[dict[str, Any]], confidence: float) -> tuple[dict[str, Metric], dict]:
    """Metrics named ``<metric>/<recipe>`` and the counts behind them."""
    c = counts(records)
    attacked = [x for x in records if x["outcome"] in ("success", "failed")]
    ok = [x for x in records if x["outcome"] == "success"]
    n_att = c["attacked"]
    correct, evaluated = n_att + c["inconclusive"], c["evaluated"]
    concluded = evaluated - c["inconclusive"]  # under attack: inconclusive examples left out
    c["avg_queries"] = _mean([x["queries"] for x in attacked])
    c["avg_perturbed_share"] = _mean([x["perturbed_share"] for x in ok])
    metrics = {
        f"clean_accuracy/{recipe}": Metric(correct / evaluated if evaluated else None,
                                           proportion_interval(correct, evaluated, confidence), True),
        f"accuracy_under_attack/{recipe}": Metric(c["failures"] / concluded if concluded else None,
                                                  proportion_interval(c["failures"], concluded, confidence), True),
        f"success_rate/{recipe}": Metric(c["successes"] / n_att if n_att else None,
                                         proportion_interval(c["successes"], n_att, confidence), False),
        f"avg_queries/{recipe}": Metric(c["avg_queries"], None, None),
        f"avg_perturbed_share/{recipe}": Metric(c["avg_perturbed_share"], None, None),
        f"successes/{recipe}": Metric(float(c["successes"]), None, None),
        f"failures/{recipe}": Metric(float(c["failures"]), None, None),
        f"inconclusive/{recipe}": Metric(float(c["inconclusive"]), None, None),
        f"skipped/{recipe}": Metric(float(c["skipped"]), None, None),
    }
    return metrics, c


def headline(metrics: dict[str, Metric], recipes: list[str]) -> dict[str, Metric]:
    """The worst case over recipes: the highest success rate, the lowest accuracy under attack."""
    rates = [metrics[f"success_rate/{r}"] for r in recipes if metrics[f"success_rate/{r}"].value is not None]
    under = [metrics[f"accuracy_under_attack/{r}"] for r in recipes
             if metrics[f"accuracy_under_attack/{r}"].value is not None]
    worst_rate = max(rates, key=lambda m: m.value) if rates else None
    worst_acc = min(under, key=lambda m: m.value) if under else None
    return {
        "max_success_rate": Metric(worst_rate.value, worst_rate.ci, False) if worst_rate else Metric(None, None, False),
        "min_accuracy_under_attack": Metric(worst_acc.value, worst_acc.ci, True) if worst_acc else Metric(None, None, True),
    }
