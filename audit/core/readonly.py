"""Read-only views of the results document, for probes that read earlier probes' output.

A probe gets ``ctx.results`` as a live view: it sees every unit recorded so far, and any attempt
to change it (item assignment, ``update``, ``append`` ...) raises, so only the results store
ever writes results.json.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NoReturn

READ_ONLY = "The results document is read-only here; only the results store writes it (a probe returns a ProbeResult)."


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError(READ_ONLY)


def read_only(value: Any) -> Any:
    """``value`` wrapped when it is a dict or list (recursively, on access); other values as they are."""
    if isinstance(value, dict):
        return ReadOnlyMapping(value)
    if isinstance(value, list):
        return ReadOnlySequence(value)
    return value


class ReadOnlyMapping(Mapping):
    """A dict seen through a window: reads pass through, nested containers come back wrapped."""

    __slots__ = ("_data",)

    def __init__(self, data: dict) -> None:
        self._data = data

    def __getitem__(self, key: Any) -> Any:
        return read_only(self._data[key])

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"ReadOnlyMapping({self._data!r})"

    __setitem__ = __delitem__ = update = pop = popitem = setdefault = clear = _refuse


class ReadOnlySequence(Sequence):
    """A list seen through a window; slices come back as read-only views too."""

    __slots__ = ("_data",)

    def __init__(self, data: list) -> None:
        self._data = data

    def __getitem__(self, index: Any) -> Any:
        return read_only(self._data[index])

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"ReadOnlySequence({self._data!r})"

    __setitem__ = __delitem__ = append = extend = insert = remove = pop = sort = reverse = clear = _refuse
    __iadd__ = _refuse
