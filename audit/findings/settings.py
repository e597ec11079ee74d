"""The ``findings:`` section of the audit config: the false discovery rate and each rule's thresholds.

One frozen dataclass per rule; every key has a default (docs/findings.md explains each) and the
section may name any subset::

    findings:
      q: 0.05                       # Benjamini-Hochberg false discovery rate over every test of the audit
      noise_drop: {tolerance: 0.03} # a rule's keys; the others keep their defaults
      explain_faithfulness: false   # a rule switched off (the same as {enabled: false})

Unknown rules and keys are refused by name (with the allowed ones), numbers are checked against
their ranges (audit/core/bounds.py). ``tolerance: null`` in the fairness rules means the probe's own
``tolerance`` (as configured for that probe), so the probe's flags and the findings agree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from audit.core.errors import AuditError, did_you_mean
from audit.core.typed_config import build_config

NOISE_METRICS = ("max_changed_accuracy_drop", "max_accuracy_drop")
BIAS_FAMILIES = ("subgroup", "bpsn", "bnsp")
GAP_METRICS = ("max_demographic_parity_difference", "max_equalized_odds_difference",
               "max_equal_opportunity_difference", "max_accuracy_difference")


def _severity_order(cls_name: str, high: float, medium: float) -> None:
    if medium > high:
        raise ValueError(f"{cls_name}: 'medium' ({medium}) must not exceed 'high' ({high})")


@dataclass(frozen=True)
class NoiseDrop:
    enabled: bool = True
    metric: str = "max_changed_accuracy_drop"  # the noise headline tested: max_changed_accuracy_drop or max_accuracy_drop
    tolerance: float = 0.02  # a drop in accuracy up to this (2 points) is tolerated
    high: float = 0.10  # severity high from a drop of 10 points
    medium: float = 0.05  # severity medium from 5 points (else low)

    def __post_init__(self) -> None:
        if self.metric not in NOISE_METRICS:
            raise ValueError(f"noise_drop: metric must be one of {', '.join(NOISE_METRICS)}, not {self.metric!r}")
        _severity_order("noise_drop", self.high, self.medium)


@dataclass(frozen=True)
class AttackSuccess:
    enabled: bool = True
    tolerance: float = 0.5  # a recipe may flip up to half of the examples it attacks
    high: float = 0.8  # severity high from a success rate of 80%
    medium: float = 0.65  # severity medium from 65% (else low)

    def __post_init__(self) -> None:
        _severity_order("attack_success", self.high, self.medium)


@dataclass(frozen=True)
class GroupGap:
    enabled: bool = True
    metrics: tuple[str, ...] = ("max_demographic_parity_difference", "max_equalized_odds_difference")  # headline gaps
    tolerance: float | None = None  # null: the group-fairness probe's own tolerance (0.1 by default)
    high: float = 0.20  # severity high from a gap of 20 points
    medium: float = 0.10  # severity medium from 10 points (else low)

    def __post_init__(self) -> None:
        bad = [m for m in self.metrics if m not in GAP_METRICS]
        if bad or not self.metrics:
            raise ValueError(f"group_gap: metrics must be some of {', '.join(GAP_METRICS)}, not {list(self.metrics)!r}")
        _severity_order("group_gap", self.high, self.medium)


@dataclass(frozen=True)
class BiasAuc:
    enabled: bool = True
    families: tuple[str, ...] = BIAS_FAMILIES  # group AUCs judged against the overall AUC: subgroup, bpsn, bnsp
    tolerance: float | None = None  # null: the bias-auc probe's own tolerance (0.05 by default)
    high: float = 0.15  # severity high from a group AUC 15 points below the overall AUC
    medium: float = 0.10  # severity medium from 10 points (else low)

    def __post_init__(self) -> None:
        bad = [f for f in self.families if f not in BIAS_FAMILIES]
        if bad or not self.families:
            raise ValueError(f"bias_auc: families must be some of {', '.join(BIAS_FAMILIES)}, not "
                             f"{list(self.families)!r}")
        _severity_order("bias_auc", self.high, self.medium)


@dataclass(frozen=True)
class CounterfactualFlips:
    enabled: bool = True
    tolerance: float | None = None  # null: the counterfactual probe's own tolerance (0.05 by default)
    high: float = 0.15  # severity high from a flip rate of 15%
    medium: float = 0.08  # severity medium from 8% (else low)

    def __post_init__(self) -> None:
        _severity_order("counterfactual_flips", self.high, self.medium)


@dataclass(frozen=True)
class TemplateFailures:
    enabled: bool = True
    tolerance: float = 0.10  # the mean failure rate of the templates' tests may reach 10%
    high: float = 0.30  # severity high from 30%
    medium: float = 0.15  # severity medium from 15% (else low)

    def __post_init__(self) -> None:
        _severity_order("template_failures", self.high, self.medium)


@dataclass(frozen=True)
class TemplateGroupGap:
    enabled: bool = True
    tolerance: float | None = None  # null: the templates probe's own tolerance (0.1 by default)
    high: float = 0.20  # severity high from a gap in mean score of 20 points
    medium: float = 0.10  # severity medium from 10 points (else low)

    def __post_init__(self) -> None:
        _severity_order("template_group_gap", self.high, self.medium)


@dataclass(frozen=True)
class RobustnessGap:
    enabled: bool = True
    tolerance: float | None = None  # null: each robustness probe's own group_tolerance (0.1 by default)
    high: float = 0.20  # severity high from a gap of 20 points between groups
    medium: float = 0.10  # severity medium from 10 points (else low)

    def __post_init__(self) -> None:
        _severity_order("robustness_gap", self.high, self.medium)


@dataclass(frozen=True)
class PairedDifference:
    enabled: bool = True
    high: float = 0.05  # accuracy: severity high from a difference of 5 points
    medium: float = 0.02  # accuracy: severity medium from 2 points (else low)
    loss_high: float = 0.25  # Brier score, log loss: severity high from 25% above the baseline's
    loss_medium: float = 0.10  # Brier score, log loss: severity medium from 10% above it (else low)

    def __post_init__(self) -> None:
        _severity_order("paired_difference", self.high, self.medium)
        _severity_order("paired_difference (loss)", self.loss_high, self.loss_medium)


@dataclass(frozen=True)
class Calibration:
    enabled: bool = True
    tolerance: float = 0.10  # expected calibration error up to 0.10 is tolerated
    high: float = 0.20  # severity high from an ECE of 0.20
    medium: float = 0.15  # severity medium from 0.15 (else low)

    def __post_init__(self) -> None:
        _severity_order("calibration", self.high, self.medium)


@dataclass(frozen=True)
class ExplainFaithfulness:
    enabled: bool = True
    tolerance: float = 0.0  # a method must beat random words by more than this (faithfulness is 0 for random)


@dataclass(frozen=True)
class WeakSlice:
    enabled: bool = True
    paired: bool = True  # also each slice where the first model errs more than another (the probe's paired block)
    high: float = 0.15  # severity high from an excess error rate of 15 points
    medium: float = 0.05  # severity medium from 5 points (else low)

    def __post_init__(self) -> None:
        _severity_order("weak_slice", self.high, self.medium)


RULE_SETTINGS: dict[str, type] = {
    "noise_drop": NoiseDrop,
    "attack_success": AttackSuccess,
    "group_gap": GroupGap,
    "bias_auc": BiasAuc,
    "counterfactual_flips": CounterfactualFlips,
    "template_failures": TemplateFailures,
    "template_group_gap": TemplateGroupGap,
    "robustness_gap": RobustnessGap,
    "paired_difference": PairedDifference,
    "calibration": Calibration,
    "explain_faithfulness": ExplainFaithfulness,
    "weak_slice": WeakSlice,
}


@dataclass(frozen=True)
class FindingsConfig:
    """Every rule's settings and the false discovery rate; the defaults are the documented rules."""

    q: float = 0.05  # Benjamini-Hochberg false discovery rate over all tests of the audit
    noise_drop: NoiseDrop = field(default_factory=NoiseDrop)
    attack_success: AttackSuccess = field(default_factory=AttackSuccess)
    group_gap: GroupGap = field(default_factory=GroupGap)
    bias_auc: BiasAuc = field(default_factory=BiasAuc)
    counterfactual_flips: CounterfactualFlips = field(default_factory=CounterfactualFlips)
    template_failures: TemplateFailures = field(default_factory=TemplateFailures)
    template_group_gap: TemplateGroupGap = field(default_factory=TemplateGroupGap)
    robustness_gap: RobustnessGap = field(default_factory=RobustnessGap)
    paired_difference: PairedDifference = field(default_factory=PairedDifference)
    calibration: Calibration = field(default_factory=Calibration)
    explain_faithfulness: ExplainFaithfulness = field(default_factory=ExplainFaithfulness)
    weak_slice: WeakSlice = field(default_factory=WeakSlice)

    def __post_init__(self) -> None:
        if not 0.0 < self.q < 1.0:
            raise ValueError(f"findings: q must lie strictly between 0 and 1, not {self.q!r}")

    def rule(self, name: str) -> Any:
        return getattr(self, name)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_findings(raw: Any, where: str) -> FindingsConfig:
    """The ``findings`` mapping of a config (None: every default), validated: unknown rules and keys are named
    with the allowed ones; ``rule: false`` switches a rule off, ``rule: null`` keeps its defaults."""
    if raw is None:
        return FindingsConfig()
    if isinstance(raw, FindingsConfig):
        return raw
    if not isinstance(raw, dict):
        raise AuditError(f"'findings' in {where} must be a mapping (q: 0.05, noise_drop: {{tolerance: 0.02}}, ...), "
                         f"not {raw!r}.")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "q":
            values[key] = value
            continue
        if key not in RULE_SETTINGS:
            raise AuditError(did_you_mean("findings rule", str(key), ["q", *RULE_SETTINGS])
                             + f" (in 'findings' of {where}; docs/findings.md lists the rules)")
        if value is False:
            value = {"enabled": False}
        elif value is True or value is None:
            value = {}
        values[key] = build_config(RULE_SETTINGS[key], value, f"findings.{key} in {where}")
    return build_config(FindingsConfig, values, f"findings in {where}")
