"""A model's pool of Ray actors, and the classifier the driver's prediction cache calls instead of the local one.

The cache still decides what to predict (each unique text once per audit); a request for its missing texts is
cut into shards, one per actor, sent at once and put back in order: a transformer's request by whole batches
of about equal cost per shard (its batches run longest texts first, so equal row counts would give one actor
the long texts), any other model's in contiguous runs of rows. Predictions do not depend on
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
    """``workers`` actors holding model ``name``; each reserves ``cpus`` CPUs, or ``gpus`` of a GPU when above 0
    (a fraction when several actors share one)."""

    def __init__(self, model_config, name: str, device: str, *, workers: int, cpus: float, gpus: float = 0.0,
                 threads: int, fingerprint: str) -> None:
        import ray

        from audit.distributed.worker import ModelWorker

        self.name, self.workers = name, workers
        options: dict[str, Any] = {"max_restarts": RESTARTS, "max_task_retries": RESTARTS,
                                   "num_cpus": 0 if gpus else cpus, "num_gpus": gpus}
        actor = ray.remote(ModelWorker).options(**options)
        self.actors: list[Any] = [actor.remote(model_config, name, "cuda" if gpus else device, threads)
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
        parts = (_shards(groups, shards, batch_costs(inputs, groups)) if batches is not None
                 else np.array_split(np.arange(len(inputs)), shards))
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


def _shards(batches: list[np.ndarray], shards: int, costs: list[float]) -> list[np.ndarray]:
    """Whole batches per shard, about the same cost in each (the longest batch first to the least loaded
    shard), each shard's batches in their planned order: a model that sorts a request by length then
    batches it again rebuilds exactly these batches."""
    load = [0.0] * shards
    owned: list[list[int]] = [[] for _ in range(shards)]
    for b in sorted(range(len(batches)), key=lambda b: -costs[b]):
        j = load.index(min(load))
        load[j] += costs[b]
        owned[j].append(b)
    return [np.concatenate([batches[b] for b in sorted(own)]) for own in owned if own]


def batch_costs(inputs: list, batches: list[np.ndarray]) -> list[float]:
    """A batch's cost: its rows times its longest input in characters (a batch is padded to its longest)."""
    size = [len(x) if isinstance(x, str) else sum(len(t) for t in x) for x in inputs]
    return [len(b) * max((size[i] for i in b), default=0) for b in batches]
