"""Seeded randomness that does not depend on which other examples ran.

Every perturbation draws from an rng seeded by (run seed, probe, example id), as HELM does,
so one example's perturbation is the same whether the audit ran 10 examples or 10,000, and
in whatever order.
"""

from __future__ import annotations

import hashlib

import numpy as np


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from any parts (str() of each, hashed with sha256)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "little")


def rng_for(*parts: object) -> np.random.Generator:
    """A numpy Generator seeded by ``derive_seed(*parts)``."""
    return np.random.default_rng(derive_seed(*parts))
