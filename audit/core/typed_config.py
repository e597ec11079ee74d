"""Frozen dataclasses from YAML mappings: unknown keys rejected by name, values checked against
the field annotations, so a typo fails at config time with the key's name (probe configs, model
entries, governance blocks and plug-ins all use it)."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any

from audit.core.bounds import LIMITS
from audit.core.errors import AuditError


def check_bounds(key: str, value: Any, where: str) -> None:
    """Refuse a size-like number outside its documented range (:data:`audit.core.bounds.LIMITS`)."""
    limits = LIMITS.get(key)
    if limits is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    low, high = limits
    if not low <= value <= high:
        raise AuditError(f"{where} is {value!r}, outside its range {low:,} to {high:,}; pick a value in it "
                         "(docs/configuration.md lists every range).")


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
        cfg = config_cls(**values)  # the class's own checks speak first; the shared ranges catch the rest
    except (TypeError, ValueError) as exc:
        raise AuditError(f"Invalid config for {where}: {exc}") from None
    for key, value in values.items():
        check_bounds(key, value, f"{where} key '{key}'")
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
        if isinstance(value, float) and not math.isfinite(value):
            raise AuditError(f"{where} must be a finite number, not {value!r}.")
        if hint is int and isinstance(value, float) and not value.is_integer():
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
