"""What a probe is: a name, a family, a frozen Config, declared metrics and ``run``.

A probe receives one cached model, the dataset and a :class:`ProbeContext`, and returns a
:class:`ProbeResult`. It never writes files or prints: the runner records its result, and
the reports render it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from audit.core.typed_config import build_config

if TYPE_CHECKING:
    from audit.cache import CachedModel
    from audit.core.dataset import Dataset

FAMILIES = ("performance", "robustness", "fairness", "explainability")


@dataclass(frozen=True)
class MetricSpec:
    """A metric a probe promises: its stable name (``{label}`` for per-class ones)."""

    name: str
    description: str
    higher_is_better: bool | None
    headline: bool = False  # shown in the scorecard


@dataclass
class Metric:
    value: float | None
    ci: tuple[float, float] | None = None
    higher_is_better: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "ci": list(self.ci) if self.ci is not None else None,
            "higher_is_better": self.higher_is_better,
        }


@dataclass
class ProbeResult:
    """One probe on one model. ``examples`` are small records shown in reports."""

    status: str = "ok"
    reason: str | None = None  # why not applicable, or the error message
    metrics: dict[str, Metric] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    predictions: dict[str, Any] | None = None  # per-example columns, stored in a sidecar file

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "metrics": {k: m.as_dict() for k, m in self.metrics.items()},
            "details": self.details,
            "examples": self.examples,
        }


@dataclass
class ProbeContext:
    """What a probe may use besides the model and data."""

    seed: int
    device: str = "cpu"
    progress: Callable[..., Any] | None = None  # progress(description, total) -> advance(n)
    work_dir: Path | None = None  # where a probe may keep its own checkpoints (OUT/work); None: nowhere
    resume: bool = False  # the run resumes an earlier one: a probe may reuse its checkpoints
    # The results document so far, as a live read-only view (audit.core.readonly): earlier probes'
    # output, read from their ``details``; any attempt to change it raises.
    results: Mapping[str, Any] | None = None

    def task(self, description: str, total: int):
        """A callable ``advance(n)`` for a progress bar; a no-op without a display."""
        if self.progress is None:
            return lambda n=1: None
        return self.progress(description, total)


class Probe:
    """Base class: subclasses set the ClassVars, a frozen ``Config`` and ``run``."""

    name: ClassVar[str]
    family: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    metric_specs: ClassVar[tuple[MetricSpec, ...]] = ()
    after: ClassVar[tuple[str, ...]] = ()  # probes whose results this one reads (ctx.results): they run first
    # Abilities the model's classifier must have (protocols from audit.models.base, e.g. HasTokenizer),
    # checked by the runner before ``run``: a model without one is recorded as not applicable.
    requires: ClassVar[tuple[type, ...]] = ()
    # Whether ``run`` reads ``data.inputs`` (sentence pairs as (text, text_pair)); a probe that reads
    # only ``data.texts`` would audit the first text of a pair alone, so the runner skips it on pairs.
    handles_pairs: ClassVar[bool] = False
    # Modules the probe needs beyond audit's own dependencies, each with how to install it (an extra):
    # where one is not installed the probe is not applicable, for that one reason, and the others run.
    needs: ClassVar[Mapping[str, str]] = {}

    @dataclass(frozen=True)
    class Config:
        pass

    def __init__(self, config: Any = None) -> None:
        self.config = config if config is not None else self.Config()

    @classmethod
    def from_mapping(cls, raw: dict[str, Any] | None) -> "Probe":
        """Build from a YAML mapping; unknown keys name themselves and the allowed ones."""
        return cls(build_config(cls.Config, raw or {}, f"probe '{cls.name}'"))

    @classmethod
    def unavailable(cls) -> str | None:
        """Why this probe cannot run in this Python environment at all (a module in ``needs`` is not
        installed; found without importing it), or None. Known before any data or model loads."""
        for module, install in cls.needs.items():
            if not installed(module):
                return missing_reason(module, install)
        return None

    def stale(self, result: Mapping[str, Any]) -> bool:
        """Whether a recorded result no longer holds: not applicable for want of a module that is now
        installed (a resumed run then runs the probe)."""
        return (result.get("status") == "not_applicable" and self.unavailable() is None
                and result.get("reason") in {missing_reason(m, i) for m, i in self.needs.items()})

    def not_applicable_to(self, data: Dataset) -> str | None:
        """A reason this probe cannot run on ``data`` (whatever the model), or None when it can:
        first, a module it needs that is not installed."""
        missing = self.unavailable()
        if missing:
            return missing
        if data.is_pair and not self.handles_pairs:
            return (f"{self.name} does not handle sentence pairs yet; run on pairs it would audit the first "
                    "text alone")
        return None

    def not_applicable(self, model: CachedModel) -> str | None:
        """A reason this probe cannot run on ``model``, or None when it can: by default, the first
        ability in ``requires`` that the model's classifier lacks."""
        for ability in self.requires:
            if not isinstance(model.classifier, ability):
                return f"needs a model with {ability.__name__} ({model.kind} models lack it)"
        return None

    def run(self, model: CachedModel, data: Dataset, ctx: ProbeContext) -> ProbeResult:
        raise NotImplementedError

    def config_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self.config)


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here, found without importing it (``sys.modules[module] = None``
    counts as absent, as the import system does)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return False


def missing_reason(module: str, install: str) -> str:
    """The one-line reason a probe needing ``module`` is skipped: what is missing and how to install it."""
    return f"{module} is not installed; {install}"
