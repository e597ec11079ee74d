"""Waiting for worker threads without losing Ctrl-C: a bare ``Thread.join()`` keeps KeyboardInterrupt
from the main thread until the thread ends."""

from __future__ import annotations

import threading
from collections.abc import Callable


def start_and_join(threads: list[threading.Thread], on_interrupt: Callable[[], None]) -> None:
    """Start ``threads`` and wait for all of them; on Ctrl-C (or any error while waiting) ``on_interrupt()``
    runs, to tell them to stop, before the exception goes on."""
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)
    except BaseException:
        on_interrupt()
        raise
