"""Bytes that stand for an in-memory object's content, the same in every process that holds the same object.

A plain ``pickle.dumps`` is not enough: a set pickles in iteration order, which for strings changes
from one process to the next (hash randomisation), and a fitted ``TfidfVectorizer`` keeps ``id()`` of
its stop-word list (a memory address), so the same model would look new on every ``resume``. Sets
are pickled sorted here, and an estimator's ``*_id`` integers are left out.
A callable is its code plus everything it reads: defaults, closure cells and the globals its code
names, followed into the functions it calls; a global that is a module counts by its name and version.
"""

from __future__ import annotations

import inspect
import io
import pickle
import re
import types
from typing import Any

MAX_DEPTH = 4  # how far code_and_values follows called functions
ADDRESS_KEY = re.compile(r"_id\Z")  # an estimator attribute holding an id(), e.g. TfidfVectorizer._stop_words_id


def _set_of(kind: str, items: list) -> Any:
    return frozenset(items) if kind == "frozenset" else set(items)


def _sorted(items: Any) -> list:
    try:
        return sorted(items)
    except TypeError:  # mixed types: a stable order by their pickled bytes
        return sorted(items, key=lambda x: pickle.dumps(x, protocol=4))


class _CanonicalPickler(pickle._Pickler):  # type: ignore[name-defined,misc]  # the Python pickler can be taught about sets
    # The standard library's own savers, named here: dill (which datasets imports) rewrites the shared
    # table pickle._Pickler.dispatch, and the bytes must not depend on what else was imported first.
    dispatch = {t: getattr(pickle._Pickler, name) for t, name in (  # type: ignore[attr-defined]
        (type(None), "save_none"), (bool, "save_bool"), (int, "save_long"), (float, "save_float"),
        (bytes, "save_bytes"), (bytearray, "save_bytearray"), (str, "save_str"), (tuple, "save_tuple"),
        (list, "save_list"), (dict, "save_dict"), (types.FunctionType, "save_global"), (type, "save_type"))}

    def save_sorted_set(self, obj: Any) -> None:
        self.save_reduce(_set_of, (type(obj).__name__, _sorted(obj)), obj=obj)  # type: ignore[attr-defined]

    dispatch[set] = save_sorted_set  # type: ignore[assignment]
    dispatch[frozenset] = save_sorted_set  # type: ignore[assignment]

    def reducer_override(self, obj: Any) -> Any:
        state = _estimator_state(obj)
        return NotImplemented if state is None else (_rebuilt, (type(obj), state))


def _rebuilt(cls: type, state: list) -> Any:  # named by the pickle only: the bytes are hashed, never loaded
    raise NotImplementedError


def _estimator_state(obj: Any) -> list | None:
    """A scikit-learn-style estimator's state without memory addresses, in key order; None for other objects."""
    if isinstance(obj, type) or not (callable(getattr(obj, "get_params", None)) and hasattr(obj, "fit")):
        return None
    state = obj.__getstate__() if hasattr(obj, "__getstate__") else vars(obj)
    if not isinstance(state, dict):
        return None
    return sorted((k, v) for k, v in state.items() if not (ADDRESS_KEY.search(k) and isinstance(v, int)))


def canonical_pickle(obj: Any) -> bytes:
    """``obj`` pickled with sets in sorted order (pickling errors propagate: the caller decides)."""
    buf = io.BytesIO()
    _CanonicalPickler(buf, protocol=4).dump(obj)
    return buf.getvalue()


def code_and_values(fn: Any) -> bytes:
    """What decides a callable's output: its source (or bytecode) and the values it reads."""
    parts: list[bytes] = []
    _callable_parts(fn, parts, depth=0, seen=set())
    return b"".join(len(p).to_bytes(8, "little") + p for p in parts)


def _callable_parts(fn: Any, parts: list[bytes], depth: int, seen: set[int]) -> None:
    if id(fn) in seen:
        return
    seen.add(id(fn))
    if isinstance(fn, types.MethodType):
        parts.append(canonical_pickle(fn.__self__))
        fn = fn.__func__
    if isinstance(fn, types.FunctionType):
        _function_parts(fn, parts, depth, seen)
    elif isinstance(fn, types.BuiltinFunctionType):
        parts.append(f"builtin {fn.__module__}.{fn.__qualname__}".encode())
    else:  # an object with __call__: its state and its class's code
        parts.append(canonical_pickle(fn))
        parts.append(_source(type(fn)).encode())


def _function_parts(fn: types.FunctionType, parts: list[bytes], depth: int, seen: set[int]) -> None:
    parts.append(f"{fn.__module__}.{fn.__qualname__}".encode())
    parts.append(_source(fn).encode())
    parts.append(canonical_pickle((fn.__defaults__, fn.__kwdefaults__)))
    for cell in fn.__closure__ or ():
        _value_parts(cell.cell_contents, parts, depth, seen)
    for name in sorted(_global_names(fn.__code__)):
        if name in fn.__globals__:
            parts.append(name.encode())
            _value_parts(fn.__globals__[name], parts, depth, seen)


def _value_parts(value: Any, parts: list[bytes], depth: int, seen: set[int]) -> None:
    if isinstance(value, types.ModuleType):
        parts.append(f"module {value.__name__} {getattr(value, '__version__', '')}".encode())
    elif isinstance(value, type):
        parts.append(f"class {value.__module__}.{value.__qualname__}".encode())
        parts.append(_source(value).encode())
    elif isinstance(value, (types.FunctionType, types.MethodType)):
        if depth < MAX_DEPTH:
            _callable_parts(value, parts, depth + 1, seen)
        else:
            parts.append(f"{value.__module__}.{value.__qualname__}".encode())
    elif isinstance(value, types.BuiltinFunctionType):
        parts.append(f"builtin {value.__module__}.{value.__qualname__}".encode())
    else:
        parts.append(canonical_pickle(value))


def _global_names(code: types.CodeType) -> set[str]:
    """Names the code (and the functions and comprehensions defined inside it) may read as globals."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _source(obj: Any) -> str:
    """The source text (a notebook cell's too: IPython keeps it); bytecode when there is none."""
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        if code is None:
            return f"<no source: {getattr(obj, '__qualname__', type(obj).__name__)}>"
        return repr((code.co_code, code.co_consts, code.co_names))
