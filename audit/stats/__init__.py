"""All statistics of the audit, each written once; numpy (and scipy.special, lazily) only.

Where things are:

==========================  ===================================================================
``proportions``             the interval probes report for a share (:func:`proportion_interval`:
                            Clopper-Pearson, :func:`clopper_pearson_bounds`),
                            Wilson score interval (:func:`wilson_bounds`, scalar :func:`wilson`),
                            Newcombe's method-10 interval of a difference (:func:`newcombe_interval`;
                            paired: :func:`newcombe_paired`, :func:`paired_proportion_interval`)
``bootstrap``               seeded index draws (:func:`draws`), :func:`bootstrap_ci`,
                            :func:`bootstrap_means`, :func:`percentile_interval`, the paired
                            bootstrap of a difference (:func:`paired_bootstrap_diff`,
                            :func:`paired_bootstrap`), the cluster bootstrap of ratios
                            (:func:`~audit.stats.bootstrap.ratio_samples`), the simultaneous
                            (sup-t) band of several statistics (:func:`simultaneous_band`)
``auc``                     ROC AUC as the Mann-Whitney statistic (ties half) for weighted rows,
                            every bootstrap resample at once (:func:`~audit.stats.auc.weighted_auc`,
                            :func:`~audit.stats.auc.mid_counts`)
``paired_tests``            :func:`mcnemar` (exact below 25 discordant pairs, else chi-square),
                            :func:`sign_flip_test` (permutation test of a mean difference),
                            :func:`sign_test`
``multiplicity``            :func:`holm`, :func:`benjamini_hochberg` (and which it rejects at q:
                            :func:`benjamini_hochberg_rejects`)
``bound_tests``             one-sided tests of a value against a fixed bound: exact binomial
                            (:func:`binomial_exceeds`), from an interval under a normal
                            approximation (:func:`interval_exceeds`)
``classification``          confusion matrices, precision/recall/F1, Brier and log loss per example,
                            calibration bins, ECE (vectorised over bootstrap resamples)
``checks``                  :class:`StatsInputError` (an AuditError and a ValueError)
==========================  ===================================================================

Probe-specific statistics built from these stay with their probe (the fairness gap's simultaneous
bounds and permutation test in ``audit.probes.fairness``). This package imports nothing from audit
but ``audit.core.errors``, so any layer may use it. Names below are re-exported for
``from audit import stats``; ``stats.bootstrap.interval`` and friends are reached through their module.
"""

from __future__ import annotations

from audit.stats import auc, bootstrap, bound_tests, classification, multiplicity, paired_tests, proportions
from audit.stats.bootstrap import (
    bootstrap_ci, bootstrap_means, draws, paired_bootstrap, paired_bootstrap_diff, percentile_interval,
    simultaneous_band,
)
from audit.stats.bound_tests import binomial_exceeds, interval_exceeds
from audit.stats.validation import StatsInputError
from audit.stats.classification import (
    brier_per_example, calibration_bins, confusion_batch, ece_batch, f1_macro_from_cm, f1_weighted_from_cm,
    log_loss_per_example, prf_from_cm,
)
from audit.stats.multiplicity import benjamini_hochberg, benjamini_hochberg_rejects, holm
from audit.stats.paired_tests import mcnemar, sign_flip_test, sign_test
from audit.stats.proportions import (
    EXACT, NEWCOMBE, clopper_pearson_bounds, newcombe_interval, newcombe_paired, paired_proportion_interval,
    proportion_interval, two_sided_z, wilson, wilson_bounds,
)

__all__ = [
    "EXACT", "NEWCOMBE", "StatsInputError", "auc", "benjamini_hochberg", "benjamini_hochberg_rejects", "binomial_exceeds", "bootstrap", "bootstrap_ci",
    "bootstrap_means", "bound_tests", "interval_exceeds",
    "brier_per_example", "calibration_bins", "classification", "clopper_pearson_bounds", "confusion_batch", "draws",
    "ece_batch", "f1_macro_from_cm", "f1_weighted_from_cm", "holm", "log_loss_per_example", "mcnemar",
    "multiplicity", "newcombe_interval", "newcombe_paired", "paired_bootstrap", "paired_bootstrap_diff",
    "paired_proportion_interval", "paired_tests", "percentile_interval", "prf_from_cm", "proportion_interval",
    "proportions", "sign_flip_test", "sign_test", "simultaneous_band", "two_sided_z", "wilson", "wilson_bounds",
]
