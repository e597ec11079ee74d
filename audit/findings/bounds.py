"""The shape most rules share: a measured value that must not lie past a bound.

A tested bound rule gives the draft a p-value (the interval's normal approximation or an exact binomial
tail, two-sided: see :func:`audit.findings.items.two_sided`); Benjamini-Hochberg then decides. An
interval rule (the probe gives an interval but no test) decides at once: a finding when the whole
interval lies past the bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from audit.core.document import as_dict, model_ids
from audit.findings.items import (
    FINDING, PASSED, Draft, interval, not_tested, number, probes_named, severity, two_sided, unit_problem,
)
from audit.stats import interval_exceeds


def units(doc: dict, probe_name: str) -> Iterator[tuple[dict, str, dict]]:
    """(probe entry, model id, result) for every model the probe has a result for, in model order."""
    for probe in probes_named(doc, probe_name):
        results = as_dict(probe.get("results"))
        for model in model_ids(doc):
            if model in results:
                yield probe, model, as_dict(results[model])


def measured(doc: dict, rule: str, probe_name: str, metric: str) -> tuple[list[Draft], list[tuple[dict, str, dict, dict]]]:
    """(not-tested drafts, (probe, model, unit, metric record) of every unit where ``metric`` can be judged)."""
    skipped, found = [], []
    for probe, model, unit in units(doc, probe_name):
        skip = missing(rule, probe_name, metric, model, unit)
        if skip is not None:
            skipped.append(skip)
        else:
            found.append((probe, model, unit, unit["metrics"][metric]))
    return skipped, found


def missing(rule: str, probe: str, metric: str, model: str, unit: dict, *, need_ci: bool = True,
            why_none: str | None = None) -> Draft | None:
    """A not-tested draft when the unit did not run, lacks the metric or its value, or (``need_ci``) its
    interval; None when the metric can be judged."""
    problem = unit_problem(unit)
    if problem is not None:
        return not_tested(rule, probe, metric, model, problem)
    m = as_dict(as_dict(unit.get("metrics")).get(metric))
    if not m:
        return not_tested(rule, probe, metric, model, f"the probe reports no {metric}")
    value = number(m.get("value"))
    if value is None:
        return not_tested(rule, probe, metric, model, why_none or f"{metric} has no value")
    if need_ci and interval(m) is None:
        return not_tested(rule, probe, metric, model, f"{metric} has no interval (the probe's intervals are off: "
                                                      "bootstrap 0), so there is nothing to test", value=value)
    return None


def tested_bound(rule: str, probe: str, metric: str, model: str, m: dict, *, tolerance: float, confidence: float,
                 high: float, medium: float, title: str, title_passed: str | None = None) -> Draft:
    """A draft tested from the interval of ``m`` (normal approximation) against ``tolerance``."""
    value, ci = float(m["value"]), interval(m)
    assert ci is not None
    # a percentile interval may lie wholly above its estimate (ECE's bootstrap is biased upwards): then its
    # half-width stands for the spread below the value
    lower = ci[0] if ci[0] < value else value - max(0.0, ci[1] - ci[0]) / 2
    p = two_sided(interval_exceeds(value, lower, tolerance, confidence))
    return Draft(rule=rule, probe=probe, metric=metric, model=model, title=title, title_passed=title_passed,
                 value=value, ci=ci, threshold=tolerance, p_value=p, severity=severity(value, high, medium),
                 effect=value - tolerance, reason=within(value, ci, tolerance))


def within(value: float, ci: list[float], tolerance: float) -> str:
    """Why a bound was not crossed convincingly, before the test's numbers."""
    if value <= tolerance:
        return f"at or below the tolerance {tolerance:g}"
    return f"above the tolerance {tolerance:g}, but its interval reaches {ci[0]:.3g}"


def interval_bound(rule: str, probe: str, metric: str, model: str, m: dict, *, tolerance: float, high: float,
                   medium: float, title: str, basis: str) -> Draft:
    """A draft decided by the interval alone: a finding when its lower end lies above ``tolerance``."""
    value, ci = float(m["value"]), interval(m)
    assert ci is not None
    if ci[0] > tolerance:
        return Draft(rule=rule, probe=probe, metric=metric, model=model, title=title, value=value, ci=ci,
                     threshold=tolerance, status=FINDING, severity=severity(value, high, medium),
                     effect=value - tolerance, reason=f"the {basis} lies above the tolerance {tolerance:g} (no test)")
    return Draft(rule=rule, probe=probe, metric=metric, model=model, title=title, value=value, ci=ci,
                 threshold=tolerance, status=PASSED,
                 reason=f"the {basis} reaches {ci[0]:.3g}, not above the tolerance {tolerance:g} (no test)")


def probe_tolerance(setting: float | None, probe: dict, unit: dict, fallback: float) -> float:
    """The rule's tolerance, or with none set the probe's own (its details, else its config, else its default)."""
    if setting is not None:
        return float(setting)
    for source in (as_dict(unit.get("details")), as_dict(probe.get("config"))):
        t = number(source.get("tolerance"))
        if t is not None:
            return t
    return fallback


Rule = Callable[[dict, Any], list[Draft]]
