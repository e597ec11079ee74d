"""Terminal progress and messages, on stderr, so stdout stays clean for scripts.

A :class:`Display` is a context manager around a rich ``Progress``; probes get only its
``task(description, total) -> advance(n)`` callable through the probe context.
"""

from __future__ import annotations

from typing import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Display:
    """Progress bars and log lines on stderr (silenced by ``quiet``); ``out`` is stdout for results."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.console = Console(stderr=True)
        self.out = Console()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            disable=quiet,
        )

    def __enter__(self) -> "Display":
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def task(self, description: str, total: int | None) -> Callable[[int], None]:
        """Add a bar and return ``advance(n=1)``; the bar completes when it reaches ``total``."""
        task_id = self._progress.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            self._progress.advance(task_id, n)

        return advance

    def log(self, message: str) -> None:
        if not self.quiet:
            self._progress.console.print(message, highlight=False)
