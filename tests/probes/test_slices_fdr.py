"""The issue's acceptance figure, fast: on the demo corpus's slices (56 slices and pairs at min_size 30), errors that
fall independently of the slices make the probe report a slice in at most q of the runs (200 seeded runs, within a
binomial tolerance), while reporting every slice with an unadjusted p <= q would in most runs; a slice whose
examples' correctness is flipped at a known rate is found. ``bench/bench_slices_fdr.py`` prints the full table
(more runs, SST-2's slices, a TF-IDF model scored against permuted labels, several effect sizes)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from audit.demo.corpus import generate
from audit.probes.fairness.terms import load_axes
from audit.probes.slices.define import Settings, define
from audit.probes.slices.testing import score, weak

Q, RUNS, BASE = 0.05, 200, 0.2


@pytest.fixture(scope="module")
def slices():
    texts = [r["text"] for r in generate(872, seed=1, skewed=False)]
    sl = define(texts, None, load_axes(), {}, Settings())
    assert len(sl.tested) >= 40  # enough tests for multiplicity to matter
    return sl


def reported(masks: np.ndarray, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    table = score(errors, masks, 0.95)
    return weak(table, Q)[1], (table["p_value"] <= Q) & (table["diff"] > 0)


def test_without_a_slice_effect_any_slice_is_reported_in_at_most_q_of_the_runs(slices):
    masks, n = slices.masks, slices.masks.shape[1]
    any_bh = any_raw = 0
    for run in range(RUNS):
        errors = np.random.default_rng(run).random(n) < BASE
        bh, raw = reported(masks, errors)
        any_bh += bool(bh.any())
        any_raw += bool(raw.any())
    tolerance = binom.ppf(0.99, RUNS, Q) / RUNS  # 99% upper end of the share if the true rate were q
    assert any_bh / RUNS <= tolerance, (any_bh, RUNS)
    assert any_raw / RUNS > 0.5  # without the adjustment most runs report a slice: the test can tell


def test_a_planted_slice_is_found(slices):
    names = [s.name for s in slices.tested]
    target = names.index("negation")
    masks, n = slices.masks, slices.masks.shape[1]
    found = 0
    for run in range(50):
        rng = np.random.default_rng(10_000 + run)
        errors = (rng.random(n) < BASE) ^ (masks[target] & (rng.random(n) < 0.3))  # +18 points in the slice
        found += bool(reported(masks, errors)[0][target])
    assert found >= 45
