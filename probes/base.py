"""What a probe is: a name, a family, a frozen Config, declared metrics and ``run``.

A probe receives one cached model, the dataset and a :class:`ProbeContext`, and returns a
:class:`ProbeResult`. It never writes files or prints: the runner records its result, and
the reports render it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar

from audit.core.errors import AuditError

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
    results: dict[str, Any] | None = None  # the results document so far, read-only: earlier probes' output

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

    @dataclass(frozen=True)
    class Config:
        pass

    def __init__(self, config: Any = None) -> None:
        self.config = config if config is not None else self.Config()

    @classmethod
    def from_mapping(cls, raw: dict[str, Any] | None) -> "Probe":
        """Build from a YAML mapping; unknown keys name themselves and the allowed ones."""
        return cls(build_config(cls.Config, raw or {}, f"probe '{cls.name}'"))

    def not_applicable(self, model: Any) -> str | None:
        """A reason this probe cannot run on ``model``, or None when it can."""
        return None

    def run(self, model: Any, data: Any, ctx: ProbeContext) -> ProbeResult:
        raise NotImplementedError

    def config_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self.config)


def build_config(config_cls: type, raw: dict[str, Any], where: str):
    """Instantiate a frozen dataclass from a mapping, rejecting unknown keys and wrong types.

    Values are checked against the field annotations (str, int, float, bool, tuples, dicts,
    ``X | None``), so a YAML typo fails here with the key's name rather than deep inside a probe.
    """
    if not isinstance(raw, dict):
        raise AuditError(f"The config of {where} must be a mapping of keys to values, not {type(raw).__name__}.")
    allowed = {f.name: f for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise AuditError(
            f"Unknown config key(s) {', '.join(repr(k) for k in unknown)} for {where}. "
            f"Allowed: {', '.join(sorted(allowed)) or '(none)'}."
        )
    hints = typing.get_type_hints(config_cls)
    values = {key: _coerce(value, hints.get(key, Any), f"{where} key '{key}'") for key, value in raw.items()}
    try:
        cfg = config_cls(**values)
    except (TypeError, ValueError) as exc:
        raise AuditError(f"Invalid config for {where}: {exc}") from None
    return cfg


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """``value`` converted to ``hint`` where that is lossless (list -> tuple, 3 -> 3.0), else an AuditError."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, option, where)
            except AuditError as exc:
                errors.append(str(exc))
        raise AuditError(errors[0] if errors else f"{where} has an invalid value {value!r}.")
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise AuditError(f"{where} must be true or false, not {value!r}.")
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AuditError(f"{where} must be a number, not {value!r}.")
        if hint is int and float(value) != int(value):
            raise AuditError(f"{where} must be a whole number, not {value!r}.")
        return hint(value)
    if hint is str:
        if isinstance(value, str):
            return value
        raise AuditError(f"{where} must be a string, not {value!r}.")
    if origin is tuple or hint is tuple:
        if not isinstance(value, (list, tuple)):
            raise AuditError(f"{where} must be a list, not {value!r}.")
        item = args[0] if args and (len(args) == 2 and args[1] is Ellipsis) else Any
        return tuple(_coerce(v, item, where) for v in value)
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise AuditError(f"{where} must be a mapping (key: value), not {value!r}.")
        return value
    return value
