"""Holm and Benjamini-Hochberg adjusted p-values against statsmodels' multipletests, in the input order, with
ties, single tests, and entries that are no test (None) left out of the family."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from audit.core.errors import AuditError
from audit.stats import benjamini_hochberg, holm

METHODS = [(holm, "holm"), (benjamini_hochberg, "fdr_bh")]


@pytest.mark.parametrize("adjust,sm_method", METHODS)
def test_equals_statsmodels_on_random_families(adjust, sm_method):
    rng = np.random.default_rng(0)
    for m in (1, 2, 3, 5, 8, 13, 21, 40):  # few calls: statsmodels' Holm runs gc.collect() each time
        p = rng.random(m) ** rng.choice([1, 3, 8])  # many small p-values, as in a real family
        if m > 2:
            p[rng.integers(0, m, size=2)] = p[0]  # ties
        want = multipletests(p, method=sm_method)[1]
        np.testing.assert_allclose(adjust(p.tolist()), want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("adjust,sm_method", METHODS)
def test_none_entries_stay_none_and_are_not_counted(adjust, sm_method):
    p = [0.01, None, 0.04, 0.03, None, 0.5]
    got = adjust(p)
    want = multipletests([0.01, 0.04, 0.03, 0.5], method=sm_method)[1]
    assert got[1] is None and got[4] is None
    assert [got[i] for i in (0, 2, 3, 5)] == pytest.approx(want, rel=1e-12)
    assert adjust([]) == [] and adjust([None]) == [None]
    assert adjust([0.2]) == [0.2]  # one test: nothing to adjust


def test_known_answers():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    # BH: sorted 0.01, 0.03, 0.04 -> 0.03, 0.045, 0.04 -> running minimum from the top: 0.03, 0.04, 0.04
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    assert all(b <= h + 1e-15 for b, h in zip(benjamini_hochberg([0.01, 0.02, 0.2]), holm([0.01, 0.02, 0.2])))


@pytest.mark.parametrize("adjust", [holm, benjamini_hochberg])
@pytest.mark.parametrize("bad", [[0.1, 1.5], [-0.01], [float("nan"), 0.2]])
def test_p_values_outside_zero_one_are_refused(adjust, bad):
    with pytest.raises(AuditError, match="p-values must lie between 0 and 1"):
        adjust(bad)
