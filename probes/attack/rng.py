"""Per-example randomness for attacks that run several examples at once in threads.

TextAttack's random character edits draw from numpy's and Python's global generators, so with
concurrent examples one example's perturbations would depend on the others. Our seeded
transformations draw from :func:`current_rng`, a generator the worker thread sets for the example
it is attacking, seeded by (run seed, probe, recipe, example id) as everywhere in audit.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

from audit.core.seeding import rng_for

_local = threading.local()


def current_rng() -> np.random.Generator:
    """The generator of the example this thread is attacking (a fixed one outside an attack)."""
    rng = getattr(_local, "rng", None)
    if rng is None:
        rng = _local.rng = np.random.default_rng(0)
    return rng


@contextmanager
def example_rng(*parts: object):
    """Seed :func:`current_rng` for one example on this thread."""
    previous = getattr(_local, "rng", None)
    _local.rng = rng_for(*parts)
    try:
        yield _local.rng
    finally:
        _local.rng = previous
