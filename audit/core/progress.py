"""Progress and messages, on stderr, so stdout stays clean for scripts.

A :class:`Display` is a context manager; probes get only its ``task(description, total) ->
advance(n)`` callable through the probe context. On a terminal it draws rich progress bars; a
task that ends short of its total (predictions the cache already held) is shown complete once
the next task of the same thread starts or the run ends (tasks of one thread run one after another;
on Ray the models of a probe run side by side, one thread each). When stderr is not a
terminal (a CI log), bars would print nothing until the end, so it writes plain lines instead:
one when a task starts, one when it ends, and at most one every ``every_s`` seconds in between
(done/total, rate, time left).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class _Lines:
    """Plain progress lines for logs: start, finish, and a throttled line in between (per thread)."""

    def __init__(self, console: Console, every_s: float, clock=time.monotonic) -> None:
        self.console, self.every_s, self.clock = console, every_s, clock
        self.current: dict[int, dict] = {}  # thread ident -> its running task
        self._lock = threading.Lock()

    def start(self, description: str, total: int | None) -> dict:
        self.finish(threading.get_ident())
        now = self.clock()
        task = {"description": description, "total": total, "done": 0, "t0": now, "last": now}
        with self._lock:
            self.current[threading.get_ident()] = task
            self.console.print(f"start  {description}" + (f" ({total:,})" if total else ""), highlight=False,
                               markup=False)
        return task

    def advance(self, n: int, task: dict | None = None) -> None:
        task = task or self.current.get(threading.get_ident())
        if task is None or task.get("finished"):
            return
        task["done"] += n
        now = self.clock()
        if now - task["last"] >= self.every_s:
            task["last"] = now
            rate = task["done"] / max(now - task["t0"], 1e-9)
            total = task["total"]
            left = f", about {(total - task['done']) / rate:,.0f} s left" if total and rate > 0 else ""
            of = f"/{total:,}" if total else ""
            with self._lock:
                self.console.print(f"       {task['description']}: {task['done']:,}{of}, {rate:,.1f}/s{left}",
                                   highlight=False, markup=False)

    def finish(self, thread: int | None = None) -> None:
        """End the running task of ``thread`` (None: of every thread)."""
        with self._lock:
            ended = [self.current.pop(t) for t in (list(self.current) if thread is None else [thread])
                     if t in self.current]
            for task in ended:
                task["finished"] = True
                seconds = self.clock() - task["t0"]
                self.console.print(f"done   {task['description']} in {seconds:,.1f} s", highlight=False,
                                   markup=False)


class Display:
    """Progress and log lines on stderr (silenced by ``quiet``); ``out`` is stdout for results."""

    def __init__(self, *, quiet: bool = False, every_s: float = 30.0, console: Console | None = None) -> None:
        self.quiet = quiet
        self.console = console or Console(stderr=True)
        self.out = Console()
        self._lines = None if self.console.is_terminal or quiet else _Lines(self.console, every_s)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            disable=quiet or self._lines is not None,
        )
        self._owner: dict = {}  # progress task id -> the thread that started it

    def __enter__(self) -> "Display":
        self._progress.__enter__()
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:  # a run that ended: every task it started has finished
            self.done()
        self._progress.__exit__(exc_type, *exc)

    def done(self) -> None:
        """Every task started so far has ended (before the summary is printed)."""
        self._complete_all()
        if self._lines is not None:
            self._lines.finish()

    def _complete_all(self, thread: int | None = None) -> None:
        """Show complete the tasks started by ``thread`` (None: by any thread)."""
        for task in self._progress.tasks:
            mine = thread is None or self._owner.get(task.id) == thread
            if mine and task.total is not None and task.completed < task.total:
                self._progress.update(task.id, completed=task.total)

    def task(self, description: str, total: int | None) -> Callable[[int], None]:
        """Start a task and return ``advance(n=1)``; starting one means the previous ones of this thread ended."""
        self._complete_all(threading.get_ident())
        if self._lines is not None:
            lines = self._lines
            started = lines.start(description, total)

            def advance_line(n: int = 1) -> None:
                lines.advance(n, started)

            return advance_line
        task_id = self._progress.add_task(description, total=total)
        self._owner[task_id] = threading.get_ident()

        def advance(n: int = 1) -> None:
            self._progress.advance(task_id, n)

        return advance

    def log(self, message: str) -> None:
        if not self.quiet:
            self.console.print(message, highlight=False)
