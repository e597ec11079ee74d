"""The slices probe's numbers against independent computations: error rates in and out of each slice and their
difference (pandas), the one-sided Fisher exact p (scipy's fisher_exact), the Newcombe interval (statsmodels'
confint_proportions_2indep, method "newcomb") and Benjamini-Hochberg (statsmodels' multipletests, fdr_bh)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from audit.probes.slices.testing import fisher_greater, score, weak
from audit.stats import benjamini_hochberg


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(3)
    n = 500
    masks = rng.random((12, n)) < rng.uniform(0.08, 0.6, size=(12, 1))
    errors = rng.random(n) < 0.2 + 0.25 * masks[0]  # the first slice errs more
    return errors, masks


def test_rates_and_differences_equal_pandas(case):
    errors, masks = case
    table = score(errors, masks, 0.95)
    frame = pd.DataFrame({"error": errors})
    for i, mask in enumerate(masks):
        by = frame.groupby(pd.Series(mask, name="in"))["error"].agg(["mean", "sum", "size"])
        assert table["n"][i] == by.loc[True, "size"] and table["errors"][i] == by.loc[True, "sum"]
        assert table["error_rate"][i] == pytest.approx(by.loc[True, "mean"], abs=1e-15)
        assert table["error_rate_rest"][i] == pytest.approx(by.loc[False, "mean"], abs=1e-15)
        assert table["diff"][i] == pytest.approx(by.loc[True, "mean"] - by.loc[False, "mean"], abs=1e-15)


def test_fisher_p_equals_scipy(case):
    errors, masks = case
    table = score(errors, masks, 0.95)
    for i, mask in enumerate(masks):
        a, b = int((mask & errors).sum()), int((mask & ~errors).sum())
        c, d = int((~mask & errors).sum()), int((~mask & ~errors).sum())
        assert table["p_value"][i] == pytest.approx(fisher_exact([[a, b], [c, d]], alternative="greater")[1],
                                                    rel=1e-9, abs=1e-300)
    assert table["p_value"][0] < 1e-6 and table["diff"][0] > 0.2


@pytest.mark.parametrize("k_in, n_in, k_all, n", [(0, 30, 10, 100), (30, 30, 30, 100), (5, 30, 5, 60), (1, 1, 1, 1)])
def test_fisher_p_at_the_edges(k_in, n_in, k_all, n):
    table = [[k_in, n_in - k_in], [k_all - k_in, n - n_in - (k_all - k_in)]]
    assert fisher_greater(k_in, n_in, k_all, n) == pytest.approx(fisher_exact(table, alternative="greater")[1])


def test_newcombe_interval_equals_statsmodels(case):
    errors, masks = case
    table = score(errors, masks, 0.9)
    for i, mask in enumerate(masks):
        lo, hi = confint_proportions_2indep(int((mask & errors).sum()), int(mask.sum()), int((~mask & errors).sum()),
                                            int((~mask).sum()), method="newcomb", compare="diff", alpha=0.1)
        assert (table["lower"][i], table["upper"][i]) == pytest.approx((lo, hi), abs=1e-10)
        assert table["lower"][i] <= table["diff"][i] <= table["upper"][i]


def test_benjamini_hochberg_equals_statsmodels(case):
    errors, masks = case
    table = score(errors, masks, 0.95)
    adjusted, is_weak = weak(table, 0.05)
    rejected, reference, _, _ = multipletests(table["p_value"], alpha=0.05, method="fdr_bh")
    assert adjusted == pytest.approx(reference, abs=1e-15)
    assert benjamini_hochberg(table["p_value"].tolist()) == pytest.approx(reference.tolist(), abs=1e-15)
    assert np.array_equal(is_weak, rejected & (table["diff"] > 0)) and is_weak[0]
