"""The `noise` probe's settings, checked when the config is read (before any model loads)."""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.errors import AuditError
from audit.probes.fairness.by_group.settings import check_group_keys
from audit.probes.noise.apply import severity_key
from audit.probes.noise.catalog import NAMES, check_names
from audit.probes.noise.common import check_severity
from audit.probes.noise.lexicon import load_synonyms
from audit.probes.noise.sides import check_sides

BAD_SEVERITIES = "noise.severities must be a non-empty list of numbers between 0 and 1, e.g. [0.05, 0.1, 0.2]; got {value!r}."
REPEATED_SEVERITY = "noise.severities lists {value} more than once; list each severity once."


@dataclass(frozen=True)
class NoiseConfig:
    perturbations: tuple[str, ...] = NAMES  # perturbations to run (default: all; `audit probes noise` lists them)
    severities: tuple[float, ...] = (0.05, 0.1, 0.2)  # shares of characters / words touched, each in [0, 1]
    synonyms: str | None = None  # file of 'word1 word2' pairs per line; null: the bundled English list
    max_examples: int = 20  # flipped predictions kept per model for the report
    bootstrap: int = 1000  # resamples for the headline and confidence-drop CIs; 0 turns every CI off
    confidence: float = 0.95  # CI level
    bins: int = 10  # bins of the expected calibration error under noise
    min_changed: int = 20  # texts a cell must change to count in the changed-text headlines (its own rates count any)
    by_group: bool = True  # break flips and drops down by sensitive group (data columns, else identity terms in the text)
    group_min_support: int = 20  # groups with fewer examples are shown but not compared in robustness_gap
    group_tolerance: float = 0.1  # a gap in changed-text flip rate between groups above this is flagged
    sides: str = "both"  # sentence pairs: noise on the first text, the second, or both (both also reports each alone); single texts ignore it

    def __post_init__(self) -> None:
        object.__setattr__(self, "perturbations", check_names(self.perturbations))
        object.__setattr__(self, "severities", _check_severities(self.severities))
        if self.synonyms is not None and not isinstance(self.synonyms, str):
            raise AuditError(f"noise.synonyms must be a file path or null, not {self.synonyms!r}.")
        if "synonym" in self.perturbations:
            load_synonyms(self.synonyms)  # a missing or malformed file stops the audit before models load
        if self.max_examples < 0:
            raise AuditError(f"noise.max_examples must be >= 0, got {self.max_examples}.")
        if self.bootstrap < 0:
            raise AuditError(f"noise.bootstrap must be >= 0, got {self.bootstrap}.")
        if not 0 < self.confidence < 1:
            raise AuditError(f"noise.confidence must be between 0 and 1, got {self.confidence}.")
        if self.min_changed < 1:
            raise AuditError(f"noise.min_changed must be >= 1, got {self.min_changed}.")
        if self.bins < 1:
            raise AuditError(f"noise.bins must be >= 1, got {self.bins}.")
        check_group_keys("noise", self.group_min_support, self.group_tolerance)
        check_sides(self.sides)


def _check_severities(value) -> tuple[float, ...]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not value:
        raise AuditError(BAD_SEVERITIES.format(value=value))
    out = tuple(check_severity(v) for v in value)
    keys = [severity_key(s) for s in out]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise AuditError(REPEATED_SEVERITY.format(value=", ".join(repeated)))
    return tuple(sorted(out))  # ascending, as the severity axis of the charts
