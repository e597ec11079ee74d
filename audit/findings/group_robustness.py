"""The ``robustness_gap`` rule: is a robustness probe's damage worse for some groups than for others?

Reads the ``by_group`` block the noise, attack and counterfactual probes write: per attribute, the gap
between the groups' highest and lowest rate (changed-text flip rate, attack success rate, swap flip rate),
its simultaneous interval and the Rao-Scott test that the groups share one rate. Like the templates' group
gap, a finding needs the test (after Benjamini-Hochberg over the audit) and a gap above the tolerance.
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.findings.bounds import units
from audit.findings.items import Draft, interval, not_tested, number, points, points_ci, severity, unit_problem
from audit.findings.settings import RobustnessGap

PROBES = ("noise", "attack", "counterfactual")
WHAT = {  # probe -> how a rate reads for one group
    "noise": "noise flips {rate} of the changed texts for {group}",
    "attack": "attacks succeed on {rate} of the attacked examples for {group}",
    "counterfactual": "swaps flip {rate} of the texts naming {group}",
}


def _rate(entry: dict, group: str, measure: str) -> str:
    for row in as_list(entry.get("groups")):
        if as_dict(row).get("group") == group:
            value = number(as_dict(row.get(measure)).get("value"))
            return "?" if value is None else f"{100 * value:.1f}%"
    return "?"


def _title(probe: str, entry: dict, gap: dict, measure: str) -> str:
    hi, lo = str(gap.get("highest")), str(gap.get("lowest"))
    first = WHAT[probe].format(rate=_rate(entry, hi, measure), group=hi)
    second = _rate(entry, lo, measure)
    return (f"{first[0].upper()}{first[1:]} but {second} for {lo} ({entry.get('name')}): a gap of "
            f"{points(float(gap['value']))} points{points_ci(interval(gap))}")


def robustness_gap(doc: dict, s: RobustnessGap) -> list[Draft]:
    """Per robustness probe, model and attribute: the gap between groups against the tolerance."""
    out = []
    for name in PROBES:
        for _probe, model, unit in units(doc, name):
            block = as_dict(as_dict(unit.get("details")).get("by_group"))
            if not block:
                continue  # the breakdown was off, or the results predate it
            problem = unit_problem(unit)
            entries = [as_dict(e) for e in as_list(block.get("attributes"))]
            judged = [e for e in entries if number(as_dict(e.get("gap")).get("value")) is not None]
            if problem is not None or not judged:
                why = problem or (f"no attribute has two groups of at least {block.get('min_support')} examples"
                                  if entries else "the data names no groups (no sensitive column, no identity terms)")
                out.append(not_tested("robustness_gap", name, "max_robustness_gap", model, why))
                continue
            tolerance = float(s.tolerance) if s.tolerance is not None else float(block.get("tolerance") or 0.1)
            measure = str(block.get("gap_measure") or "")
            for entry in judged:
                gap = as_dict(entry.get("gap"))
                value, p = float(gap["value"]), number(gap.get("p_value"))
                metric = f"robustness_gap/{entry.get('name')}"
                if p is None or not 0.0 <= p <= 1.0:
                    out.append(not_tested("robustness_gap", name, metric, model, "the probe gives no p-value",
                                          value=value))
                    continue
                out.append(Draft(rule="robustness_gap", probe=name, metric=metric, model=model,
                                 title=_title(name, entry, gap, measure), value=value, ci=interval(gap),
                                 threshold=tolerance, p_value=p, holds=value > tolerance,
                                 severity=severity(value, s.high, s.medium), effect=value - tolerance,
                                 reason="no gap beyond chance",
                                 reason_kept=f"a gap beyond chance, but not above the tolerance {tolerance:g}"))
    return out
