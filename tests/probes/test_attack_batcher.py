"""The cross-example batcher: merges concurrent requests, returns each worker its rows, and stops
every worker when the model fails or the run is cancelled."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from audit.probes.attack.batcher import AttackCancelled, QueryBatcher


def run_workers(batcher: QueryBatcher, jobs: list[list[str]], channel: str = "model"):
    """One thread per job list; each asks for one text at a time. Returns rows per worker, errors."""
    out: dict[int, list] = {i: [] for i in range(len(jobs))}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for text in jobs[i]:
                out[i].append(batcher.predict([text, text + "!"], channel))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            batcher.cancel()
        finally:
            batcher.leave()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for _ in threads:
        batcher.join()
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    return out, errors


def length_model(calls: list[int]):
    def predict(texts):
        calls.append(len(texts))
        p = np.array([len(t) / 100 for t in texts])
        return np.stack([1 - p, p], axis=1)

    return predict


def test_concurrent_requests_share_batches_and_get_their_own_rows():
    calls: list[int] = []
    batcher = QueryBatcher({"model": length_model(calls)})
    jobs = [[f"w{i}-{k}" + "x" * i for k in range(5)] for i in range(6)]
    out, errors = run_workers(batcher, jobs)
    assert errors == []
    for i, rows in out.items():
        for text, row in zip(jobs[i], rows):
            assert row.shape == (2, 2)
            assert row[0, 1] == pytest.approx(len(text) / 100) and row[1, 1] == pytest.approx((len(text) + 1) / 100)
    assert sum(calls) == 6 * 5 * 2
    assert len(calls) < 30 and max(calls) > 2  # requests of different workers were merged
    assert batcher.stats.as_dict()["texts_queried"] == 60


def test_channels_are_batched_separately():
    seen: dict[str, list[int]] = {"model": [], "encoder": []}
    batcher = QueryBatcher({"model": length_model(seen["model"]), "encoder": length_model(seen["encoder"])})
    out, errors = run_workers(batcher, [["a", "b"], ["c"]], channel="encoder")
    assert errors == [] and seen["model"] == [] and sum(seen["encoder"]) == 6


def test_a_model_error_reaches_every_waiting_worker():
    def broken(texts):
        raise ValueError("model exploded")

    out, errors = run_workers(QueryBatcher({"model": broken}), [["a", "b"], ["c", "d"], ["e"]])
    assert errors and all(isinstance(e, (ValueError, AttackCancelled)) for e in errors)
    assert any(isinstance(e, ValueError) for e in errors)


def test_cancel_stops_waiting_workers():
    batcher = QueryBatcher({"model": length_model([])})
    batcher.join()
    batcher.join()  # a second worker that never asks: the first would wait for it forever
    result: list = []

    def waiting() -> None:
        try:
            batcher.predict(["x"])
        except AttackCancelled as exc:
            result.append(exc)

    t = threading.Thread(target=waiting)
    t.start()
    batcher.cancel()
    t.join(5)
    assert not t.is_alive() and isinstance(result[0], AttackCancelled)
