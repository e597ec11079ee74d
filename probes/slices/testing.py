"""Is a model's error rate higher inside a slice than outside it? One-sided Fisher exact tests, Newcombe intervals
of the difference, Benjamini-Hochberg over every slice tested.

Why Fisher's exact test, one-sided:

* one-sided, because the hypothesis is directional by design: a weak slice is one where the model errs *more*; a
  slice where it errs less is not reported, and a two-sided test would spend half of each test's level on it (a
  loss of power that Benjamini-Hochberg over hundreds of slices cannot afford);
* exact, because the slices that matter are small (30 examples by default, fewer errors) and intersections
  smaller, where the normal approximation of a two-proportion z-test is poor; conditioning on the margins also
  makes it valid whatever the overall error rate. Its discreteness makes it conservative, which only lowers the
  false discovery rate. The p-value is the hypergeometric upper tail P(X >= errors in the slice), scipy's
  ``fisher_exact(table, alternative="greater")``, computed for all slices at once.

The interval of each difference (error rate in the slice minus outside it, independent samples) is Newcombe's
method 10 from the two Wilson intervals (``audit.stats.newcombe_interval``), two-sided at ``confidence``; it
describes the size of a gap and is not adjusted for the selection (the decision is the adjusted p).
"""

from __future__ import annotations

import numpy as np

from audit.stats import benjamini_hochberg, newcombe_interval, two_sided_z, wilson_bounds

TEST = "fisher-exact-one-sided"


def fisher_greater(errors_in, size_in, errors_total, n) -> np.ndarray:
    """One-sided Fisher exact p that errors are more common inside a slice: P(X >= errors_in) for X hypergeometric
    (``size_in`` draws from ``n`` examples of which ``errors_total`` are errors); vectorised."""
    from scipy.stats import hypergeom

    k = np.asarray(errors_in)
    return np.clip(hypergeom.sf(k - 1, n, errors_total, np.asarray(size_in)), 0.0, 1.0)


def score(errors: np.ndarray, masks: np.ndarray, confidence: float) -> dict[str, np.ndarray]:
    """Per slice (row of ``masks``): size, errors, error rate in and out, their difference with its interval, and the
    one-sided Fisher p-value."""
    errors = np.asarray(errors, dtype=bool)
    n, total = errors.size, int(errors.sum())
    size = masks.sum(axis=1).astype(int)
    k_in = np.count_nonzero(masks[:, errors], axis=1).astype(int)  # the error columns only: no slices x n temporary
    size_out, k_out = n - size, total - k_in
    rate_in, rate_out = k_in / size, k_out / size_out
    z = two_sided_z(1 - confidence)
    l1, u1 = wilson_bounds(k_in, size, z)
    l2, u2 = wilson_bounds(k_out, size_out, z)
    lower, upper = newcombe_interval(rate_in, l1, u1, rate_out, l2, u2)
    return {"n": size, "errors": k_in, "error_rate": rate_in, "error_rate_rest": rate_out, "diff": rate_in - rate_out,
            "lower": np.maximum(-1.0, lower), "upper": np.minimum(1.0, upper),
            "p_value": fisher_greater(k_in, size, total, n)}


def weak(table: dict[str, np.ndarray], q: float) -> tuple[np.ndarray, np.ndarray]:
    """(BH-adjusted p-values, weak): a slice is weak when its adjusted p is at most ``q`` and it errs more."""
    adjusted = np.array(benjamini_hochberg(table["p_value"].tolist()), dtype=float)
    return adjusted, (adjusted <= q) & (table["diff"] > 0)
