"""Progress tells the truth: on a terminal a finished task shows complete even when the cache
answered part of it; in a log (stderr not a terminal) plain lines say when each task starts and
ends, with at most one line per interval in between."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from audit.core.progress import Display, _Lines


def test_log_lines_start_finish_and_throttle():
    buf = io.StringIO()
    now = [0.0]
    lines = _Lines(Console(file=buf, width=200), every_s=30, clock=lambda: now[0])
    lines.start("noise · m", 100)
    for _ in range(10):
        now[0] += 10
        lines.advance(5)
    lines.start("attack · m", None)
    lines.finish()
    out = buf.getvalue().splitlines()
    assert out[0] == "start  noise · m (100)"
    progress = [line for line in out if "noise · m:" in line]
    assert len(progress) == 3  # 100 s elapsed, one line per 30 s at most
    assert progress[0].strip() == "noise · m: 15/100, 0.5/s, about 170 s left"
    assert out[-3:] == ["done   noise · m in 100.0 s", "start  attack · m", "done   attack · m in 0.0 s"]


def test_in_a_log_the_display_writes_lines_not_bars():
    buf = io.StringIO()
    with Display(console=Console(file=buf, width=200, force_terminal=False)) as display:
        advance = display.task("metrics · m", 3)
        advance(3)
        display.log("a message")
    text = buf.getvalue()
    assert "start  metrics · m (3)" in text and "done   metrics · m in" in text and "a message" in text
    assert "━" not in text  # no bar characters in a log


def test_on_a_terminal_finished_tasks_show_complete():
    buf = io.StringIO()
    with Display(console=Console(file=buf, width=120, force_terminal=True)) as display:
        first = display.task("group-fairness · m", 872)
        first(0)  # every prediction came from the cache
        display.task("counterfactual · m", 533)(404)
        tasks = display._progress.tasks
        assert tasks[0].completed == 872  # the next task started: the first had ended
    assert [t.completed for t in display._progress.tasks] == [872, 533]


def test_an_interrupted_run_is_not_shown_complete():
    display = Display(console=Console(file=io.StringIO(), force_terminal=True))
    with pytest.raises(KeyboardInterrupt):
        with display:
            display.task("noise · m", 100)(40)
            raise KeyboardInterrupt
    assert display._progress.tasks[0].completed == 40


def test_a_task_started_in_another_thread_does_not_end_this_threads_task():
    """On Ray the models of a probe run side by side: each thread's task ends only when that thread starts
    another (or the run ends)."""
    import threading

    buf = io.StringIO()
    with Display(console=Console(file=buf, width=200, force_terminal=True)) as display:
        display.task("noise · a", 100)(10)
        other = threading.Thread(target=lambda: display.task("noise · b", 50)(5))
        other.start()
        other.join()
        assert [t.completed for t in display._progress.tasks] == [10, 5]
        display.task("attack · a", 10)
        assert [t.completed for t in display._progress.tasks] == [100, 5, 0]
    lines = io.StringIO()
    log = _Lines(Console(file=lines, width=200), every_s=30, clock=lambda: 0.0)
    log.start("noise · a", 100)
    other = threading.Thread(target=lambda: log.start("noise · b", 50))
    other.start()
    other.join()
    assert "done   noise · a" not in lines.getvalue()
    log.finish()
    assert lines.getvalue().count("done   ") == 2
