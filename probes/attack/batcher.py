"""Share model batches between examples attacked at the same time.

TextAttack searches one example at a time and queries a handful of candidates per step (four for
DeepWordBug), far below the batch size where a transformer is efficient. Each worker thread here
attacks its own example; when every busy worker is waiting for predictions, the last one to ask
sends all their texts to the model in one call (through the prediction cache, which de-duplicates
and batches with dynamic padding) and hands each worker its rows. The model runs while the other
threads are blocked, so the search code needs no locks of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


class AttackCancelled(Exception):
    """Raised in worker threads when the attack run is being stopped (another worker failed, Ctrl-C)."""


@dataclass
class _Request:
    channel: str
    texts: list[str]
    rows: np.ndarray | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class BatchStats:
    flushes: int = 0  # rounds of batched calls
    texts: int = 0  # model texts sent (before the cache de-duplicates)
    largest: int = 0

    def as_dict(self) -> dict[str, float]:
        return {"model_batches": self.flushes, "texts_queried": self.texts, "largest_batch": self.largest,
                "mean_batch": round(self.texts / self.flushes, 2) if self.flushes else 0.0}


@dataclass
class QueryBatcher:
    """``caller(channel)(texts)`` for worker threads; each channel's function runs on one thread at a time.

    Channels are the model ("model") and, for some recipes, the sentence encoder ("encoder"): one
    batcher for both, so a worker waiting on either counts as waiting.
    """

    fns: dict[str, Callable[[list[str]], np.ndarray]]
    stats: BatchStats = field(default_factory=BatchStats)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _pending: list[_Request] = field(default_factory=list, repr=False)
    _busy: int = 0  # workers attacking an example right now
    _flushing: bool = False
    _cancelled: bool = False

    def join(self) -> None:
        """A worker starts attacking."""
        with self._cond:
            self._busy += 1

    def leave(self) -> None:
        """A worker stops (finished, failed or cancelled); others may now be the last to wait."""
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    def caller(self, channel: str) -> Callable[[list[str]], np.ndarray]:
        if channel not in self.fns:
            raise KeyError(f"no batcher channel {channel!r}")
        return lambda texts: self.predict(texts, channel)

    def predict(self, texts: list[str], channel: str = "model") -> np.ndarray:
        req = _Request(channel, list(texts))
        with self._cond:
            if self._cancelled:
                raise AttackCancelled()
            self._pending.append(req)
            self._cond.notify_all()
        while True:
            with self._cond:
                while not req.done and not self._cancelled and (self._flushing or len(self._pending) < self._busy):
                    self._cond.wait()
                if req.done:
                    break
                if self._cancelled:
                    raise AttackCancelled()
                batch, self._pending, self._flushing = self._pending, [], True
            self._flush(batch)
        if req.error is not None:
            raise req.error
        return req.rows

    def _flush(self, batch: list[_Request]) -> None:
        texts = [t for r in batch if r.channel == "model" for t in r.texts]
        for channel, fn in self.fns.items():
            group = [r for r in batch if r.channel == channel]
            if not group:
                continue
            try:
                rows = np.asarray(fn([t for r in group for t in r.texts]))
                start = 0
                for r in group:
                    r.rows, start = rows[start : start + len(r.texts)], start + len(r.texts)
            except BaseException as exc:  # noqa: BLE001 - every waiting worker must learn of it
                for r in group:
                    r.error = exc
        with self._cond:
            for r in batch:
                r.done = True
            self.stats.flushes += 1
            self.stats.texts += len(texts)
            self.stats.largest = max(self.stats.largest, len(texts))
            self._flushing = False
            self._cond.notify_all()
