"""Robustness rules: accuracy under noise (``noise_drop``) and attack success (``attack_success``)."""

from __future__ import annotations

from audit.core.document import as_dict
from audit.findings.bounds import missing, tested_bound, units
from audit.findings.items import (
    Draft, confidence_of, interval, not_tested, number, points, points_ci, severity, two_sided, unit_problem,
)
from audit.findings.settings import AttackSuccess, NoiseDrop
from audit.stats import binomial_exceeds


def _cell(details: dict, metric: str) -> dict:
    """The cell behind a max-drop headline: the probe names it for the changed-text drop; for the all-text
    drop it is the cell with the largest ``accuracy_drop``."""
    if metric == "max_changed_accuracy_drop":
        return as_dict(details.get("max_changed_drop"))
    cells = [c for c in details.get("cells") or [] if isinstance(c, dict) and number(c.get("accuracy_drop")) is not None]
    return max(cells, key=lambda c: c["accuracy_drop"]) if cells else {}


def _where(cell: dict) -> str:
    if not cell.get("perturbation"):
        return "under noise"
    where = f"under {cell['perturbation']}"
    if number(cell.get("severity")) is not None:
        where += f" at severity {cell['severity']:g}"
    if cell.get("side"):
        where += f" ({cell['side']} text{'s' if cell['side'] == 'both' else ''})"
    return where


def noise_drop(doc: dict, s: NoiseDrop) -> list[Draft]:
    """The noise headline drop in accuracy against ``tolerance``, tested from its interval."""
    out = []
    for probe, model, unit in units(doc, "noise"):
        details = as_dict(unit.get("details"))
        metrics = as_dict(unit.get("metrics"))
        metric = s.metric
        if metric == "max_changed_accuracy_drop" and metric not in metrics and "max_accuracy_drop" in metrics:
            metric = "max_accuracy_drop"  # results written before the changed-text headline existed
        why_none = (f"no perturbation changed at least {details.get('min_changed', 'min_changed')} texts"
                    if metric == "max_changed_accuracy_drop" else None)
        skip = missing("noise_drop", "noise", metric, model, unit, why_none=why_none)
        if skip is not None:
            out.append(skip)
            continue
        m = metrics[metric]
        value, ci = float(m["value"]), interval(m)
        verb = "falls" if value >= 0 else "rises"
        title = f"Accuracy {verb} {points(abs(value))} points{points_ci(ci)} {_where(_cell(details, metric))}"
        out.append(tested_bound("noise_drop", "noise", metric, model, m, tolerance=s.tolerance,
                                confidence=confidence_of(probe), high=s.high, medium=s.medium, title=title))
    return out


def attack_success(doc: dict, s: AttackSuccess) -> list[Draft]:
    """Each recipe's success rate against ``tolerance``: an exact binomial test of its successes among the
    attacked examples."""
    out = []
    for _probe, model, unit in units(doc, "attack"):
        details = as_dict(unit.get("details"))
        recipes = as_dict(details.get("recipes"))
        problem = unit_problem(unit)
        if problem is not None or not (recipes or details.get("unavailable")):
            out.append(not_tested("attack_success", "attack", "max_success_rate", model,
                                  problem or "the probe records no recipe"))
            continue
        for recipe, why in as_dict(details.get("unavailable")).items():
            out.append(not_tested("attack_success", "attack", f"success_rate/{recipe}", model, f"unavailable: {why}"))
        for recipe, counts in recipes.items():
            metric = f"success_rate/{recipe}"
            counts = as_dict(counts)
            k, n = counts.get("successes"), counts.get("attacked")
            if not (isinstance(k, int) and isinstance(n, int) and 0 <= k <= n) or n == 0:
                out.append(not_tested("attack_success", "attack", metric, model,
                                      "no example was attacked" if n == 0 else "the probe records no success counts"))
                continue
            rate = k / n
            ci = interval(as_dict(unit.get("metrics")).get(metric))
            title = f"Attack {recipe} succeeds on {100 * rate:.1f}%{points_ci(ci)} of {n} attacked examples"
            p = two_sided(binomial_exceeds(k, n, s.tolerance))
            reason = (f"at or below the tolerance {s.tolerance:g}" if rate <= s.tolerance
                      else f"above the tolerance {s.tolerance:g}, but on {n} attacked examples only")
            out.append(Draft(rule="attack_success", probe="attack", metric=metric, model=model, title=title,
                             value=rate, ci=ci, threshold=s.tolerance, p_value=p, reason=reason,
                             severity=severity(rate, s.high, s.medium), effect=rate - s.tolerance))
    return out
