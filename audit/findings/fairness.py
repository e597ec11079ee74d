"""Fairness rules: group gaps (``group_gap``), counterfactual flips (``counterfactual_flips``), template
failures (``template_failures``) and gaps between groups' template scores (``template_group_gap``)."""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.findings.bounds import interval_bound, measured, missing, probe_tolerance, tested_bound, units
from audit.findings.items import (
    Draft, confidence_of, interval, not_tested, number, points, points_ci, severity, unit_problem,
)
from audit.findings.settings import CounterfactualFlips, GroupGap, TemplateFailures, TemplateGroupGap

GROUP_DEFAULT, COUNTERFACTUAL_DEFAULT, TEMPLATES_DEFAULT = 0.1, 0.05, 0.1  # the probes' default tolerances


def _worst_attribute(details: dict, metric: str, value: float) -> str | None:
    """The attribute whose disparity is the headline maximum."""
    name = metric.removeprefix("max_")
    for attribute in as_list(details.get("attributes")):
        v = number(as_dict(as_dict(as_dict(attribute).get("disparities")).get(name)).get("value"))
        if v is not None and abs(v - value) <= 1e-12:
            return str(attribute.get("name"))
    return None


def group_gap(doc: dict, s: GroupGap) -> list[Draft]:
    """The group-fairness headline gaps against the tolerance, by their simultaneous intervals (no test)."""
    out = []
    for probe, model, unit in units(doc, "group-fairness"):
        details = as_dict(unit.get("details"))
        notes = [f"{a.get('name')}: {a.get('note')}" for a in as_list(details.get("attributes"))
                 if isinstance(a, dict) and a.get("note")]
        why_none = "; ".join(notes) or "no attribute has two groups to compare"
        for metric in s.metrics:
            skip = missing("group_gap", "group-fairness", metric, model, unit, why_none=why_none)
            if skip is not None:
                out.append(skip)
                continue
            m = unit["metrics"][metric]
            value, ci = float(m["value"]), interval(m)
            label = metric.removeprefix("max_").replace("_", " ").capitalize()
            worst = _worst_attribute(details, metric, value)
            title = f"{label} reaches {points(value)} points{points_ci(ci)}" + (f" ({worst})" if worst else "")
            tolerance = probe_tolerance(s.tolerance, probe, unit, GROUP_DEFAULT)
            out.append(interval_bound("group_gap", "group-fairness", metric, model, m, tolerance=tolerance,
                                      high=s.high, medium=s.medium, title=title, basis="simultaneous interval"))
    return out


def counterfactual_flips(doc: dict, s: CounterfactualFlips) -> list[Draft]:
    """The share of counterfactuals whose prediction flips, against the tolerance, tested from its interval."""
    out, found = measured(doc, "counterfactual_flips", "counterfactual", "flip_rate")
    for probe, model, unit, m in found:
        n = as_dict(unit.get("details")).get("counterfactuals")
        of = f" of {n:,} counterfactuals" if isinstance(n, int) else " of counterfactuals"
        title = f"Swapping identity terms flips the prediction in {100 * float(m['value']):.1f}%{points_ci(interval(m))}{of}"
        out.append(tested_bound("counterfactual_flips", "counterfactual", "flip_rate", model, m,
                                tolerance=probe_tolerance(s.tolerance, probe, unit, COUNTERFACTUAL_DEFAULT),
                                confidence=confidence_of(probe), high=s.high, medium=s.medium, title=title))
    return out


def template_failures(doc: dict, s: TemplateFailures) -> list[Draft]:
    """The templates' mean failure rate over tests against the tolerance, tested from its interval."""
    out, found = measured(doc, "template_failures", "templates", "failure_rate")
    for probe, model, unit, m in found:
        tests = len(as_list(as_dict(unit.get("details")).get("tests")))
        title = (f"Template tests fail on {100 * float(m['value']):.1f}%{points_ci(interval(m))} of their cases"
                 + (f" (mean over {tests} tests)" if tests else ""))
        out.append(tested_bound("template_failures", "templates", "failure_rate", model, m, tolerance=s.tolerance,
                                confidence=confidence_of(probe), high=s.high, medium=s.medium, title=title))
    return out


def template_group_gap(doc: dict, s: TemplateGroupGap) -> list[Draft]:
    """Per axis, the gap between groups' mean template scores: the probe's permutation test says whether there
    is a gap at all; a finding needs that (after BH) and a gap above the tolerance."""
    out = []
    for probe, model, unit in units(doc, "templates"):
        problem = unit_problem(unit)
        if problem is not None:
            out.append(not_tested("template_group_gap", "templates", "max_group_gap", model, problem))
            continue
        details = as_dict(unit.get("details"))
        tolerance = probe_tolerance(s.tolerance, probe, unit, TEMPLATES_DEFAULT)
        score = details.get("score_label") or "class"
        for axis_entry in map(as_dict, as_list(details.get("group_scores"))):
            axis = str(axis_entry.get("axis"))
            metric = f"group_gap/{axis}"
            gap = as_dict(axis_entry.get("gap"))
            value, ci, p = number(gap.get("value")), interval(gap), number(axis_entry.get("p_value"))
            if value is None or p is None or not 0.0 <= p <= 1.0:
                out.append(not_tested("template_group_gap", "templates", metric, model,
                                      "the probe gives no gap" if value is None else "the probe gives no p-value",
                                      value=value))
                continue
            title = f"Mean {score} score differs by {points(value)} points{points_ci(ci)} between {axis} groups"
            out.append(Draft(rule="template_group_gap", probe="templates", metric=metric, model=model, title=title,
                             value=value, ci=ci, threshold=tolerance, p_value=p, holds=value > tolerance,
                             severity=severity(value, s.high, s.medium), effect=value - tolerance,
                             reason="no gap beyond chance",
                             reason_kept=f"a gap beyond chance, but not above the tolerance {tolerance:g}"))
    return out
