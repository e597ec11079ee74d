"""Side by side units: lanes run at once (each would wait forever for the other if they ran one after
another), a lane's items run in order, models sharing a key share a lane, and the first error stops the
other lanes after their current item and reaches the caller."""

from __future__ import annotations

import threading
import time

import pytest

from audit.distributed.lanes import lanes, run_lanes


def test_models_sharing_a_store_share_a_lane_in_order():
    items = [("a", 1), ("b", 2), ("a2", 1), ("c", 3)]
    assert lanes(items, key=lambda x: x[1]) == [[("a", 1), ("a2", 1)], [("b", 2)], [("c", 3)]]
    assert lanes([], key=id) == []


def test_lanes_run_at_the_same_time():
    meet = threading.Barrier(3, timeout=10)  # passes only when three lanes wait on it at once
    seen: list[str] = []
    lock = threading.Lock()

    def work(item: str) -> None:
        if item.endswith("1"):
            meet.wait()
        with lock:
            seen.append(item)

    run_lanes([["a1", "a2"], ["b1"], ["c1", "c2", "c3"]], work)
    assert sorted(seen) == ["a1", "a2", "b1", "c1", "c2", "c3"]
    assert seen.index("a1") < seen.index("a2") and seen.index("c1") < seen.index("c2") < seen.index("c3")


def test_one_lane_runs_in_the_calling_thread():
    threads = []
    run_lanes([["x", "y"]], lambda item: threads.append(threading.current_thread()))
    assert threads == [threading.main_thread()] * 2
    run_lanes([], lambda item: pytest.fail("no work"))


def test_the_first_error_stops_other_lanes_after_their_current_item():
    started: list[str] = []
    failing = threading.Event()

    def work(item: str) -> None:
        started.append(item)
        if item == "bad":
            failing.set()
            raise ValueError("unit failed")
        if item == "slow":
            assert failing.wait(10)  # still running when the other lane fails
            time.sleep(0.5)  # and past the moment its error is recorded

    with pytest.raises(ValueError, match="unit failed"):
        run_lanes([["slow", "never"], ["bad", "never either"]], work)
    assert sorted(started) == ["bad", "slow"]
