"""How the pools reserve the cluster and split a request. With more actors (every model's pool) than CPUs or
GPUs, each actor takes a fraction, so every pool is placed and the models of a probe can run side by side;
a GPU goes only to a Hugging Face model. A transformer's request goes out in whole batches that each worker
rebuilds exactly, with about equal cost per worker. No Ray is started: the pool is recorded, not built."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from audit.distributed import pool as pool_module
from audit.distributed.engine import RayEngine, RaySettings
from audit.distributed.pool import _shards, batch_costs


@dataclass(frozen=True)
class Loaded:
    id: str
    kind: str
    fingerprint: str = "fp"
    classifier: object = None


@dataclass(frozen=True)
class Config:
    spec: str = "not-a-path"
    obj: object = None


def placed(monkeypatch, resources: dict, kind: str, models: int, workers: int | None = None) -> dict:
    seen: dict = {}

    class Recorder:
        def __init__(self, model_config, name, device, **kw):
            seen.update(kw, device=device)
            self.workers = kw["workers"]

    monkeypatch.setattr(pool_module, "ModelPool", Recorder)
    engine = RayEngine(RaySettings(workers=workers))
    monkeypatch.setattr(engine, "resources", lambda: resources)
    engine.wrap(Loaded("m", kind), Config(), "cpu", models)
    return seen


@pytest.mark.parametrize("resources, kind, models, workers, want", [
    ({"CPU": 2.0}, "sklearn", 1, None, (2, 1.0, 0.0)),  # one actor per CPU
    ({"CPU": 2.0}, "sklearn", 2, None, (2, 0.5, 0.0)),  # two models' pools share two CPUs
    ({"CPU": 16.0, "GPU": 1.0}, "huggingface", 2, None, (1, 1.0, 0.5)),  # two transformers share the GPU
    ({"CPU": 16.0, "GPU": 4.0}, "huggingface", 1, None, (4, 1.0, 1.0)),  # one actor per GPU
    ({"CPU": 16.0, "GPU": 4.0}, "sklearn", 1, 2, (2, 1.0, 0.0)),  # no GPU for a model that cannot use it
])
def test_reservations(monkeypatch, resources, kind, models, workers, want):
    seen = placed(monkeypatch, resources, kind, models, workers)
    assert (seen["workers"], seen["cpus"], seen["gpus"]) == want


def rebatch(lengths: list[int], rows: np.ndarray, size: int) -> list[list[int]]:
    """What a transformer adapter does with a request: longest first (stable), then batches of ``size``."""
    order = np.argsort([-lengths[i] for i in rows], kind="stable")
    ranked = [int(rows[i]) for i in order]
    return [ranked[k : k + size] for k in range(0, len(ranked), size)]


@pytest.mark.parametrize("n, size, shards", [(1024, 32, 2), (1000, 32, 3), (70, 32, 2), (37, 8, 4)])
def test_shards_hold_whole_batches_of_equal_cost(n, size, shards):
    rng = np.random.default_rng(n)
    texts = ["x" * int(k) for k in rng.integers(1, 200, n)]
    lengths = [len(t) for t in texts]
    planned = rebatch(lengths, np.arange(n), size)
    batches = [np.array(b) for b in planned]
    parts = _shards(batches, shards, batch_costs(texts, batches))
    assert sorted(int(i) for p in parts for i in p) == list(range(n))
    rebuilt = [b for p in parts for b in rebatch(lengths, p, size)]
    assert sorted(map(tuple, rebuilt)) == sorted(map(tuple, planned))  # each worker rebuilds the planned batches
    cost = [sum(len(b) * max(lengths[i] for i in b) for b in rebatch(lengths, p, size)) for p in parts]
    # equal rows of the planned order (the long texts all on the first worker)
    contiguous = np.array_split(np.concatenate(batches), shards)
    naive = [sum(len(b) * max(lengths[i] for i in b) for b in rebatch(lengths, p, size)) for p in contiguous]
    if len(batches) >= 4 * shards:
        assert max(cost) / min(cost) < 1.15 < max(naive) / min(naive)
