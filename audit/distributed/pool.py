"""A model's pool of Ray actors, and the classifier the driver's prediction cache calls instead of the local one.

The cache still decides what to predict (each unique text once per audit); a request for its missing texts is
cut into contiguous shards, one per actor, sent at once and put back in order. Predictions do not depend on
which actor made them, so results equal the local run's whatever the number of workers. An actor whose
process dies is restarted by Ray (it loads the model again) and its unfinished request retried.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from audit.core.errors import AuditError
from audit.distributed.messages import ray_message

MIN_SHARD = 16  # fewer texts than this per actor are not worth a round trip
RESTARTS = 3  # how often Ray restarts a dead actor, and retries its request, before the unit fails


class ModelPool:
    """``workers`` actors holding model ``name``; each reserves ``cpus`` CPUs (or one GPU when ``gpu``)."""

    def __init__(self, model_config, name: str, device: str, *, workers: int, cpus: float, gpu: bool,
                 threads: int, fingerprint: str) -> None:
        import ray

        from audit.distributed.worker import ModelWorker

        self.name, self.workers = name, workers
        options: dict[str, Any] = {"max_restarts": RESTARTS, "max_task_retries": RESTARTS,
                                   "num_cpus": 0 if gpu else cpus, "num_gpus": 1 if gpu else 0}
        actor = ray.remote(ModelWorker).options(**options)
        self.actors: list[Any] = [actor.remote(model_config, name, "cuda" if gpu else device, threads)
                                  for _ in range(workers)]
        try:
            prints = ray.get([a.fingerprint.remote() for a in self.actors])
        except Exception as exc:  # noqa: BLE001 - any worker-side failure to load is one line for the user
            raise AuditError(f"Model '{name}' did not load on the Ray workers: {ray_message(exc)}. The workers need "
                             "the model's files and code at the same paths as this machine.") from None
        if any(p != fingerprint for p in prints):
            raise AuditError(f"Model '{name}' loaded on the Ray workers differs from this machine's (fingerprint "
                             f"{prints[0]} vs {fingerprint}); give every node the same model files.")

    def predict(self, inputs: list, batches: list[np.ndarray] | None = None) -> np.ndarray:
        """Probabilities of ``inputs`` in their order. ``batches`` (row indices, as the model batches one
        request) keeps each batch whole on one worker, so its probabilities are the local run's to the bit."""
        import ray

        if not inputs:
            return np.zeros((0, 0))
        groups = batches if batches is not None else [np.arange(len(inputs))]
        shards = min(self.workers, len(groups) if batches is not None else max(1, math.ceil(len(inputs) / MIN_SHARD)))
        parts = _shards(groups, shards) if batches is not None else np.array_split(np.arange(len(inputs)), shards)
        try:
            rows = ray.get([self.actors[j].predict.remote([inputs[i] for i in part]) for j, part in enumerate(parts)])
        except ray.exceptions.RayError as exc:
            raise AuditError(f"The Ray workers of model '{self.name}' failed ({ray_message(exc)}); the finished "
                             "work is saved: run again with --resume.") from None
        out = np.empty((len(inputs), rows[0].shape[1]), dtype=np.float64)
        for part, got in zip(parts, rows):
            out[part] = got
        return out

    def pids(self) -> list[int]:
        import ray

        return ray.get([a.pid.remote() for a in self.actors])


class PooledClassifier:
    """The local classifier for everything (labels, tokenizer, gradients for white-box probes) except
    ``predict_proba``, which goes to the pool."""

    def __init__(self, local: Any, pool: ModelPool) -> None:
        self._local = local
        self.pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_local"], name)

    def predict_proba(self, inputs: list) -> np.ndarray:
        inputs = list(inputs)
        plan = getattr(self._local, "request_batches", None)
        return self.pool.predict(inputs, plan(inputs) if plan is not None and inputs else None)


def _shards(batches: list[np.ndarray], shards: int) -> list[np.ndarray]:
    """Consecutive whole batches per shard, about the same number of rows in each, rows in batch order."""
    sizes = np.cumsum([len(b) for b in batches])
    cuts = np.searchsorted(sizes, sizes[-1] * np.arange(1, shards) / shards, side="left") + 1
    groups = np.split(np.arange(len(batches)), cuts)
    return [np.concatenate([batches[i] for i in g]) for g in groups if len(g)]
