"""The one train/validation split both trainers use, so their validation scores are comparable."""

from __future__ import annotations

import numpy as np


def stratified_split(labels: list[str], val_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(train, val) indices: ``round(val_fraction * n_c)`` of each class to validation, at least one kept for training."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    val: list[int] = []
    by_class: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    for name in sorted(by_class):
        idx = [int(i) for i in rng.permutation(by_class[name])]
        n_val = min(int(round(val_fraction * len(idx))), len(idx) - 1)
        val.extend(idx[:n_val])
        train.extend(idx[n_val:])
    return sorted(train), sorted(val)
