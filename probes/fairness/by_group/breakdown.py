"""A robustness probe's damage by group: per attribute and group, each measure with its interval; the
largest gap in one chosen rate (``robustness_gap/{attribute}``, with a simultaneous interval and a test);
the worst attribute's gap (``max_robustness_gap``), its interval holding jointly over every attribute.

Probes hand in per-example sums (:mod:`.rates`); everything here is arithmetic on them, so no model is
called: the breakdown reuses the predictions the probe already made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np

from audit.core.seeding import derive_seed
from audit.probes.base import Metric
from audit.probes.fairness.by_group.gap import gap, pairs, spread
from audit.probes.fairness.group.attributes import Attribute
from audit.probes.fairness.by_group.groups import sensitive_groups
from audit.probes.fairness.by_group.rates import Drop, Mean, Rate
from audit.stats import clustered

Measure = Union[Rate, Drop, Mean]
GAP = "robustness_gap"
HEADLINE = "max_robustness_gap"
NOTE = ("Each group's numbers pool its examples' trials (noise cells, recipes or counterfactuals), with the example "
        "as the cluster: rates get Korn-Graubard intervals (Clopper-Pearson at the effective sample size, Kish design "
        "effect), drops Newcombe's paired interval at the effective sample size, means a cluster bootstrap. The gap is "
        "the highest minus the lowest group rate among groups with at least min_support examples, its interval "
        "Bonferroni-adjusted Newcombe intervals over every pair of groups; p is the Rao-Scott chi-square test that the "
        "groups share one rate.")


@dataclass(frozen=True)
class Settings:
    probe: str
    gap_measure: str  # the rate whose spread between groups is the robustness gap
    min_support: int  # groups with fewer examples (with a trial) are shown but not compared
    tolerance: float  # a gap above it is flagged
    confidence: float
    seed: int
    intervals: bool = True


def _attribute(attr: Attribute, measures: dict[str, Measure], s: Settings) -> tuple[dict, dict[str, tuple[float, float]]]:
    values = np.array(attr.values, dtype=object)
    rows, rates, effective = [], {}, {}
    for group in sorted({v for v in attr.values if v is not None}):
        mask = values == group
        examples = measures[s.gap_measure].clusters(mask)
        row: dict = {"group": group, "examples": examples, "small": examples < s.min_support}
        for name, m in measures.items():
            row[name] = m.measure(mask, s.confidence, derive_seed(s.seed, s.probe, "by_group", attr.name, group, name),
                                  s.intervals)
        value = row[s.gap_measure]["value"]
        if not row["small"] and value is not None:
            rates[group] = value
            effective[group] = measures[s.gap_measure].effective(mask, s.confidence)  # type: ignore[union-attr]
        rows.append(row)
    g = gap(rates, effective, s.confidence, s.intervals)
    g["flagged"] = g["value"] is not None and g["value"] > s.tolerance
    return {"name": attr.name, "source": attr.source, "groups": rows, "gap": g}, effective


def _joint(effective: list[dict], confidence: float) -> tuple[float, float] | None:
    """The worst gap's interval, holding jointly over every pair of groups of every attribute."""
    used = [e for e in effective if len(e) >= 2]
    if not used:
        return None
    alpha_each = (1 - confidence) / sum(pairs(len(e)) for e in used)
    bounds = [spread(list(e.values()), alpha_each) for e in used]
    return max(b[0] for b in bounds), max(b[1] for b in bounds)


def by_sensitive_groups(data, measures: dict[str, Measure], s: Settings,
                        higher_is_better: dict[str, bool | None]) -> tuple[dict[str, Metric], dict]:
    """The breakdown over the data's sensitive groups (:mod:`.groups`) of ``measures`` (in data order)."""
    attributes, source = sensitive_groups(data)
    return breakdown([(a, measures) for a in attributes], source, s, higher_is_better)


def breakdown(attributes: list[tuple[Attribute, dict[str, Measure]]], source: dict, s: Settings,
              higher_is_better: dict[str, bool | None]) -> tuple[dict[str, Metric], dict]:
    """(metrics, details["by_group"]) for each attribute and its ``measures`` (per-example sums, in the order
    of the attribute's values); ``source`` says where the groups came from."""
    entries, effective = [], []
    for attr, measures in attributes:
        entry, eff = _attribute(attr, measures, s)
        entries.append(entry)
        effective.append(eff)
    metrics: dict[str, Metric] = {}
    for entry, (_, measures) in zip(entries, attributes):
        for row in entry["groups"]:
            for name in measures:
                m = row[name]
                metrics[f"group_{name}/{entry['name']}/{row['group']}"] = Metric(m["value"], _ci(m), higher_is_better[name])
        g = entry["gap"]
        metrics[f"{GAP}/{entry['name']}"] = Metric(g["value"], _ci(g), False)
    gaps = [e["gap"]["value"] for e in entries if e["gap"]["value"] is not None]
    worst = max(gaps) if gaps else None
    joint = _joint(effective, s.confidence) if worst is not None and s.intervals else None
    metrics[HEADLINE] = Metric(worst, joint, False)
    details = {"gap_measure": s.gap_measure, "min_support": s.min_support, "tolerance": s.tolerance,
               "confidence": s.confidence, "groups_from": source, "attributes": entries,
               "headline": {"value": worst, "ci": list(joint) if joint else None,
                            "attribute": next((e["name"] for e in entries if e["gap"]["value"] == worst), None)},
               "ci_method": {"rates": clustered.METHOD, "test": clustered.TEST, "note": NOTE}}
    return metrics, details


def _ci(m: dict):
    ci = m.get("ci")
    return tuple(ci) if ci is not None and m.get("value") is not None else None
