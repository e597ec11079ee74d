"""One registry type for everything a plug-in can add: probes, model adapters, attack recipes and
noise perturbations.

Built-ins register when their modules are imported; plug-ins come from installed entry points
(the plug-in's ``[project.entry-points."audit.probes"]`` table, say) or from the modules an audit
config lists under ``plugins:``. Nothing loads before first use, so ``audit --help`` stays light.
The order is stable: built-ins in module order, then plug-ins in the order they registered.
A plug-in that fails to load is the user's to fix or uninstall: one line names it, never a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from importlib import metadata
from types import ModuleType
from typing import Any, Generic, TypeVar

from audit.core.errors import AuditError, did_you_mean

T = TypeVar("T")

# Where registrations come from while a plug-in loads (an entry point or a `plugins:` module), so that an
# object without a module of its own (an instance) is still credited to the plug-in that registered it.
_LOADING: list[str] = []

ENTRY_POINT_FAILED = ("Plug-in entry point '{ep}' of {dist} (group {group}) failed to load: {reason}. "
                      "Fix the plug-in or uninstall it (pip uninstall {dist}).")
MODULE_NOT_FOUND = ("Plug-in module '{module}' (listed under plugins:) not found. "
                    "Install it, add its folder to PYTHONPATH, or remove it from plugins.")
MODULE_FAILED = ("Importing plug-in module '{module}' (listed under plugins:) failed: {reason}. "
                 "Fix the module or remove it from plugins.")


def one_line(exc: BaseException) -> str:
    """An exception as ``Type: message`` on one line (AuditErrors keep their own words)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, AuditError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _origin_of(obj: Any) -> str:
    """The module a class, function or module comes from; for an instance, the plug-in loading now."""
    if isinstance(obj, ModuleType):
        return obj.__name__
    if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")):
        return str(getattr(obj, "__module__", "") or "")
    return _LOADING[-1] if _LOADING else ""


class Registry(Generic[T]):
    """Name -> object for one ``kind`` of thing (``"probe"``, ``"attack recipe"`` ...).

    ``name_of`` gives the name an entry point's object registers under (a probe's ``name``; without
    it, the entry point's name); ``check`` raises an AuditError for an object that cannot serve.
    """

    def __init__(self, kind: str, entry_point_group: str, builtin_modules: tuple[str, ...] = (), *,
                 name_of: Callable[[T], str] | None = None, check: Callable[[T], None] | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self.builtin_modules = tuple(builtin_modules)
        self.name_of = name_of
        self.check = check
        self._entries: dict[str, tuple[T, str]] = {}  # name -> (object, origin), in registration order
        self._state = "new"  # -> "loading" -> "loaded"

    def register(self, name: str, obj: T | None = None, *, origin: str | None = None) -> Any:
        """Make ``obj`` available as ``name``; without ``obj``, a decorator that registers what it decorates."""
        if obj is None:
            return lambda target: self.register(name, target, origin=origin)
        if self.check is not None:
            self.check(obj)
        where = origin if origin is not None else _origin_of(obj)
        known = self._entries.get(name)
        if known is not None and known[0] is not obj and not _same_definition(known[0], obj):
            raise AuditError(f"Two {self.kind}s are named '{name}' (from {known[1] or 'unknown'} and {where or 'unknown'}); "
                             "rename one, or uninstall the plug-in that clashes.")
        self._entries[name] = (obj, where)
        return obj

    def get(self, name: str) -> T:
        """The object registered as ``name``; an unknown name suggests the closest known one."""
        self._load()
        if name not in self._entries:
            raise AuditError(did_you_mean(self.kind, name, self._entries))
        return self._entries[name][0]

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def names(self) -> list[str]:
        return [name for name, _ in self.items()]

    def values(self) -> list[T]:
        return [obj for _, obj in self.items()]

    def items(self) -> list[tuple[str, T]]:
        """Every (name, object): built-ins in ``builtin_modules`` order, then plug-ins as registered."""
        self._load()
        order = sorted(enumerate(self._entries.items()), key=lambda item: (self._rank(item[1][1][1]), item[0]))
        return [(name, obj) for _, (name, (obj, _)) in order]

    def origin(self, name: str) -> str | None:
        """Where a plug-in came from (distribution or module); None for a built-in."""
        self._load()
        where = self._entries[name][1]
        return None if self._rank(where) < len(self.builtin_modules) else where or "unknown"

    def load_plugins(self, modules: Iterable[str]) -> None:
        """Import the ``plugins:`` modules of a config (they register themselves) after the built-ins."""
        self._load()
        load_plugins(modules)

    def _rank(self, origin: str) -> int:
        for i, module in enumerate(self.builtin_modules):
            if origin == module or origin.startswith(module + "."):
                return i
        return len(self.builtin_modules)

    def _load(self) -> None:
        """Import the built-in modules, then every installed entry point of the group, once."""
        if self._state != "new":
            return  # loaded, or loading now (a built-in module asked for the names while importing)
        self._state = "loading"
        try:
            for module in self.builtin_modules:
                importlib.import_module(module)
            for ep in sorted(metadata.entry_points(group=self.entry_point_group), key=lambda e: (e.name, e.value)):
                self._load_entry_point(ep)
        except BaseException:
            self._state = "new"  # the next use tries again and reports the same problem
            raise
        self._state = "loaded"

    def _load_entry_point(self, ep: metadata.EntryPoint) -> None:
        """An entry point names the object to register, or a module that registers its own."""
        dist = ep.dist.name if ep.dist is not None else "an unknown distribution"
        _LOADING.append(dist)
        try:
            obj = ep.load()
            if not isinstance(obj, ModuleType):
                if self.check is not None:
                    self.check(obj)
                self.register(self.name_of(obj) if self.name_of else ep.name, obj, origin=dist)
        except Exception as exc:  # noqa: BLE001 - any failure of foreign code is the plug-in's, told in one line
            raise AuditError(ENTRY_POINT_FAILED.format(ep=f"{ep.name} = {ep.value}", dist=dist, group=ep.group,
                                                       reason=one_line(exc))) from None
        finally:
            _LOADING.pop()


def _same_definition(a: Any, b: Any) -> bool:
    """The same class or function defined again (a module imported twice), not a real clash."""
    if not (isinstance(a, type) and isinstance(b, type)):
        return False
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def load_plugins(modules: Iterable[str]) -> None:
    """Import each module named under ``plugins:`` in an audit config; they register what they add.
    These are modules the user chose to run, like a ``module:function`` model spec."""
    for module in modules:
        _LOADING.append(module)
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
                raise AuditError(MODULE_NOT_FOUND.format(module=module)) from None
            raise AuditError(MODULE_FAILED.format(module=module, reason=one_line(exc))) from None
        except Exception as exc:  # noqa: BLE001 - the plug-in's failure, told in one line
            raise AuditError(MODULE_FAILED.format(module=module, reason=one_line(exc))) from None
        finally:
            _LOADING.pop()
