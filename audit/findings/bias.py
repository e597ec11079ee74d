"""The ``bias_auc`` rule: a group whose subgroup, BPSN or BNSP AUC lies more than the tolerance below the
model's overall AUC (the bias-auc probe, Borkan et al. 2019).

What is tested is the gap ``overall AUC - group AUC``, from its own bootstrap interval: the probe recomputes
both AUCs on every resample of the examples, so the interval keeps their dependence (the group's examples are
part of the overall data); two separate intervals would not. The p-value is the interval's normal
approximation against the tolerance (:func:`audit.findings.bounds.tested_bound`), one item per group, family
and scored class; groups below the probe's ``min_support`` are left out, as in its summaries.
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.findings.bounds import probe_tolerance, tested_bound, units
from audit.findings.items import Draft, confidence_of, interval, not_tested, number, plain, points, points_ci, unit_problem
from audit.findings.settings import BiasAuc

PROBE, RULE = "bias-auc", "bias_auc"
DEFAULT = 0.05  # the probe's default tolerance
NAMES = {"subgroup": "Subgroup AUC", "bpsn": "BPSN AUC", "bnsp": "BNSP AUC"}


def _group_draft(s: BiasAuc, model: str, metric: str, record: dict, title_of: str, tolerance: float,
                 confidence: float) -> Draft:
    value = number(record.get("value"))
    if value is None:
        return not_tested(RULE, PROBE, metric, model, str(record.get("reason") or f"{metric} has no value"))
    below = as_dict(record.get("below_overall"))
    gap, ci = number(below.get("value")), interval(below)
    if gap is None or ci is None:
        return not_tested(RULE, PROBE, metric, model, "the gap to the overall AUC has no interval", value=value)
    title = f"{title_of} is {plain(value)}, {points(gap)} points{points_ci(ci)} below the overall AUC"
    return tested_bound(RULE, PROBE, metric, model, {"value": gap, "ci": ci}, tolerance=tolerance,
                        confidence=confidence, high=s.high, medium=s.medium, title=title)


def bias_auc(doc: dict, s: BiasAuc) -> list[Draft]:
    """Every group with min_support examples, per family in ``s.families`` and scored class."""
    out: list[Draft] = []
    for probe, model, unit in units(doc, PROBE):
        problem = unit_problem(unit)
        details = as_dict(unit.get("details"))
        if problem is None and not number(as_dict(details.get("bootstrap")).get("resamples")):
            problem = "the probe's intervals are off (bootstrap 0), so there is nothing to test"
        if problem is not None:
            out += [not_tested(RULE, PROBE, f"min_{f}_auc", model, problem) for f in s.families]
            continue
        tolerance = probe_tolerance(s.tolerance, probe, unit, DEFAULT)
        multi = len(as_list(details.get("scored_classes"))) > 1
        for attribute in map(as_dict, as_list(details.get("attributes"))):
            attr = str(attribute.get("name"))
            for group in map(as_dict, as_list(attribute.get("groups"))):
                if group.get("small"):
                    continue
                name = str(group.get("group"))
                for label, records in as_dict(group.get("classes")).items():
                    for f in s.families:
                        metric = f"{f}_auc/{attr}/{name}" + (f"/{label}" if multi else "")
                        title_of = f"{NAMES[f]} of {name} ({attr}{f', class {label}' if multi else ''})"
                        out.append(_group_draft(s, model, metric, as_dict(as_dict(records).get(f)), title_of,
                                                tolerance, confidence_of(probe)))
    return out
