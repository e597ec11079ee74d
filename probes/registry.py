"""The plain probe registry: name -> class, with "did you mean" for unknown names."""

from __future__ import annotations

import importlib

from audit.core.errors import AuditError, did_you_mean
from audit.probes.base import FAMILIES, Probe

_REGISTRY: dict[str, type[Probe]] = {}


def register(cls: type[Probe]) -> type[Probe]:
    """Class decorator: make a probe available by its ``name``."""
    if cls.family not in FAMILIES:
        raise RuntimeError(f"Probe '{cls.name}' has family '{cls.family}'; use one of {', '.join(FAMILIES)}.")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise RuntimeError(f"Two probes are named '{cls.name}'.")
    _REGISTRY[cls.name] = cls
    return cls


# Importing a module registers its probes; done on first use so the CLI starts fast.
BUILTIN_MODULES = ("audit.probes.metrics", "audit.probes.noise", "audit.probes.attack", "audit.probes.fairness", "audit.probes.explain")


def _load_builtin() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def _rank(cls: type[Probe]) -> int:
    """Position of the probe's module in BUILTIN_MODULES (plug-ins after), so the order is the
    same whichever module happened to be imported first."""
    for i, module in enumerate(BUILTIN_MODULES):
        if cls.__module__ == module or cls.__module__.startswith(module + "."):
            return i
    return len(BUILTIN_MODULES)


def all_probes() -> dict[str, type[Probe]]:
    """Every registered probe: built-ins in BUILTIN_MODULES order, then plug-ins as registered."""
    _load_builtin()
    ordered = sorted(enumerate(_REGISTRY.values()), key=lambda item: (_rank(item[1]), item[0]))
    return {cls.name: cls for _, cls in ordered}


def get_probe(name: str) -> type[Probe]:
    probes = all_probes()
    if name not in probes:
        raise AuditError(did_you_mean("probe", name, probes))
    return probes[name]
