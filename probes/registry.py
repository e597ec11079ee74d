"""The probe registry: name -> class, with "did you mean" for unknown names.

Built-in probes register by importing their modules; a plug-in probe comes from the entry-point
group ``audit.probes`` or a module under ``plugins:`` in the config (docs/contributing.md).
"""

from __future__ import annotations

import pkgutil

import audit.probes
from audit.core.errors import AuditError
from audit.core.registry import Registry
from audit.probes.base import FAMILIES, Probe

# The probe battery's order in runs and reports; a module this list does not name comes after,
# alphabetically, so a new built-in probe needs only its own file (or folder) under probes/.
FIRST = ("metrics", "noise", "attack", "fairness", "explain")
NOT_PROBES = ("base", "registry")


def builtin_modules(path: list[str] | None = None) -> tuple[str, ...]:
    """Every module and package directly under ``audit.probes`` (listed, not imported), in battery order."""
    found = {m.name for m in pkgutil.iter_modules(path or list(audit.probes.__path__))} - set(NOT_PROBES)
    ordered = [name for name in FIRST if name in found] + sorted(found - set(FIRST))
    return tuple(f"audit.probes.{name}" for name in ordered)


# Importing a module registers its probes; done on first use so the CLI starts fast.
BUILTIN_MODULES = builtin_modules()


def _check(cls: type[Probe]) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Probe)):
        raise AuditError(f"{cls!r} is not a probe; a probe is a subclass of audit.probes.base.Probe.")
    if not isinstance(getattr(cls, "name", None), str) or not cls.name:
        raise AuditError(f"Probe class {cls.__module__}.{cls.__qualname__} has no name; set its `name`.")
    if cls.family not in FAMILIES:
        raise AuditError(f"Probe '{cls.name}' has family '{cls.family}'; use one of {', '.join(FAMILIES)}.")


PROBES: Registry[type[Probe]] = Registry("probe", "audit.probes", BUILTIN_MODULES, name_of=lambda cls: cls.name,
                                         check=_check)


def register(cls: type[Probe]) -> type[Probe]:
    """Class decorator: make a probe available by its ``name``."""
    return PROBES.register(cls.name, cls)


def all_probes() -> dict[str, type[Probe]]:
    """Every registered probe: built-ins in BUILTIN_MODULES order, then plug-ins as registered."""
    return dict(PROBES.items())


def get_probe(name: str) -> type[Probe]:
    return PROBES.get(name)


def skip_line(name: str, reason: str) -> str:
    """``attack skipped: textattack is not installed; pip install 'audit-text-clf[attack]'``."""
    return f"{name} skipped: {reason}"


def unavailable_lines(names: list[str] | None = None) -> list[str]:
    """One line for each of the named probes (default: all) that cannot run in this environment
    (``Probe.unavailable``: a module it needs is not installed), found without importing that module."""
    probes = all_probes()
    classes = [probes[n] for n in names if n in probes] if names is not None else list(probes.values())
    return [skip_line(cls.name, reason) for cls in classes if (reason := cls.unavailable())]
