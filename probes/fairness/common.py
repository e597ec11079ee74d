"""Small helpers the three fairness probes share: metric records named by their specs, and
checks of the config values every probe has."""

from __future__ import annotations

import math

from audit.core.errors import AuditError
from audit.core.document import metric_pattern
from audit.probes.base import Metric, MetricSpec

BAD_COUNT = "{probe}.{key} must be >= {low}, got {value}."
BAD_SHARE = "{probe}.{key} must be between 0 and 1, got {value}."
NO_LABEL = "{probe}.positive_label {label!r} is not a label of model '{model}' (its labels: {labels}); set it to one of them."


class Specs:
    """A probe's MetricSpecs, to make :class:`Metric` records whose direction comes from the spec."""

    def __init__(self, specs: tuple[MetricSpec, ...]) -> None:
        self._exact = {s.name: s for s in specs if "{" not in s.name}
        self._patterns = [(metric_pattern(s.name), s) for s in specs if "{" in s.name]

    def spec(self, name: str) -> MetricSpec:
        if name in self._exact:
            return self._exact[name]
        for pattern, spec in self._patterns:
            if pattern.match(name):
                return spec
        raise KeyError(f"no metric spec matches {name!r}")

    def metric(self, name: str, value, ci=None) -> Metric:
        value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        return Metric(value, tuple(ci) if ci is not None and value is not None else None,
                      self.spec(name).higher_is_better)


def check_counts(probe: str, **values: int) -> None:
    """Each ``key=value`` must be >= 0 (``min_support``, ``permutations``, ``max_*`` caps >= 1)."""
    for key, value in values.items():
        low = 1 if key in ("min_support", "permutations", "max_texts", "max_sets") else 0
        if value < low:
            raise AuditError(BAD_COUNT.format(probe=probe, key=key, low=low, value=value))


def check_shares(probe: str, **values: float) -> None:
    """``confidence`` and ``alpha`` must be in (0, 1), tolerances in [0, 1]."""
    for key, value in values.items():
        open_interval = key in ("confidence", "alpha")
        if not (0 < value < 1 if open_interval else 0 <= value <= 1):
            raise AuditError(BAD_SHARE.format(probe=probe, key=key, value=value))


def positive_reason(probe: str, label: str | None, model) -> str | None:
    """Why ``positive_label`` does not fit ``model`` (None when it does or is unset)."""
    if label is None or label in model.labels:
        return None
    return NO_LABEL.format(probe=probe, label=label, model=model.id, labels=", ".join(model.labels))


def score_classes(labels: list[str], positive_label: str | None) -> list[int]:
    """Classes scored one-vs-rest: the positive one (given, or the second of two), else all."""
    if positive_label is not None:
        return [labels.index(positive_label)]
    if len(labels) == 2:
        return [1]
    return list(range(len(labels)))


def fmt_share(x: float) -> str:
    return f"{100 * x:.1f}%"
