"""Probe x model units side by side: on Ray, the models of one probe run at once, one thread (lane) each.

The heavy work of a unit on Ray is its predictions, made by the model's pool of actors, so a lane here
mostly waits; while one model's unit perturbs texts or searches an attack on this machine, another's
predictions run on the cluster. Models that share a prediction store (the same model given twice) share
a lane and run one after another, so each unique text is still predicted once and the cache counts are
the local run's. Probes still run one after another, in dependency order. Nothing here imports Ray.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from audit.core.threads import start_and_join

T = TypeVar("T")


def lanes(items: Iterable[T], key: Callable[[T], Hashable]) -> list[list[T]]:
    """``items`` grouped by ``key`` (first appearance order), each group in its given order."""
    groups: dict[Hashable, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.values())


def run_lanes(groups: list[list[T]], work: Callable[[T], None]) -> None:
    """``work(item)`` for every item: the lanes at once, each lane's items one after another.

    The first error (an exception from ``work``) lets every other lane finish the item it is on, starts
    no new one, and is raised here; so is Ctrl-C, after which running items may still finish and record."""
    if len(groups) <= 1:
        for item in (groups[0] if groups else []):
            work(item)
        return
    stop = threading.Event()
    errors: list[BaseException] = []

    def lane(items: list[T]) -> None:
        for item in items:
            if stop.is_set():
                return
            try:
                work(item)
            except BaseException as exc:  # noqa: BLE001 - raised by the calling thread
                errors.append(exc)
                stop.set()
                return

    threads = [threading.Thread(target=lane, args=(g,), name=f"lane-{i}", daemon=True) for i, g in enumerate(groups)]
    start_and_join(threads, stop.set)
    if errors:
        raise errors[0]
