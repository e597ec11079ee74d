"""One group's robustness numbers, each pooled over the group's examples with the example as the cluster.

Three kinds of measure, all from per-example sums (an example is perturbed by every noise cell, attacked
by every recipe, swapped into every counterfactual it allows, so its trials are correlated):

* ``Rate``: successes of trials (flips of changed texts, successful attacks of attacked examples), with
  Korn-Graubard's interval at the effective sample size (:mod:`audit.stats.clustered`);
* ``Drop``: clean minus perturbed accuracy over the same trials, with Newcombe's paired interval on the
  2x2 table at the effective sample size (the design effect of the per-trial difference);
* ``Mean``: a sum over a count (queries per successful attack), with a cluster bootstrap interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit import stats
from audit.stats import clustered


def _listed(ci: tuple[float, float] | None) -> list[float] | None:
    """An interval as the results file holds it (rules read the live document before it is written)."""
    return list(ci) if ci is not None else None


@dataclass(frozen=True)
class Rate:
    """Per example: ``successes`` of ``trials``."""

    successes: np.ndarray
    trials: np.ndarray

    def clusters(self, mask: np.ndarray) -> int:
        return int(np.sum(mask & (self.trials > 0)))

    def measure(self, mask: np.ndarray, confidence: float, seed: int, on: bool) -> dict:
        k, n = self.successes[mask], self.trials[mask]
        total = float(n.sum())
        if total <= 0:
            return {"value": None, "ci": None, "successes": 0, "trials": 0}
        return {"value": float(k.sum()) / total, "ci": _listed(clustered.clustered_interval(k, n, confidence)) if on else None,
                "successes": int(k.sum()), "trials": int(total),
                "design_effect": round(clustered.design_effect(k, n), 4)}

    def effective(self, mask: np.ndarray, confidence: float) -> tuple[float, float]:
        """(successes, trials) of the group at its effective sample size."""
        k, n, _ = clustered.effective_counts(self.successes[mask], self.trials[mask], confidence)
        return k, n


@dataclass(frozen=True)
class Drop:
    """Per example, over its ``trials``: how many were right before (``clean``) and after (``after``) the
    change, and right both times (``both``)."""

    clean: np.ndarray
    after: np.ndarray
    both: np.ndarray
    trials: np.ndarray

    def clusters(self, mask: np.ndarray) -> int:
        return int(np.sum(mask & (self.trials > 0)))

    def measure(self, mask: np.ndarray, confidence: float, seed: int, on: bool) -> dict:
        n = self.trials[mask]
        total = float(n.sum())
        if total <= 0:
            return {"value": None, "ci": None, "trials": 0}
        clean, after, both = self.clean[mask], self.after[mask], self.both[mask]
        value = (float(clean.sum()) - float(after.sum())) / total
        ci = None
        if on:
            deff = clustered.difference_design_effect(clean, after, clean + after - 2 * both, n)
            scale = clustered.df_factor(int(np.sum(n > 0)), confidence) / deff
            right, was, now = float(both.sum()), float(clean.sum()), float(after.sum())
            _, lower, upper = stats.newcombe_paired(right * scale, (was - right) * scale, (now - right) * scale,
                                                    (total - was - now + right) * scale, confidence=confidence)
            ci = [lower, upper]
        return {"value": value, "ci": ci, "trials": int(total), "clean_correct": int(clean.sum()),
                "correct": int(after.sum())}


@dataclass(frozen=True)
class Mean:
    """Per example: a ``total`` over a ``count`` (queries of successful attacks over successful attacks)."""

    total: np.ndarray
    count: np.ndarray
    resamples: int

    def clusters(self, mask: np.ndarray) -> int:
        return int(np.sum(mask & (self.count > 0)))

    def measure(self, mask: np.ndarray, confidence: float, seed: int, on: bool) -> dict:
        num, den = self.total[mask & (self.count > 0)], self.count[mask & (self.count > 0)]
        if den.sum() <= 0:
            return {"value": None, "ci": None, "count": 0}
        ci = None
        if on and self.resamples > 0 and den.size >= 2:
            samples = stats.bootstrap.ratio_samples(num[:, None], den[:, None], self.resamples, seed)
            ci = _listed(stats.bootstrap.interval(samples[:, 0], confidence))
        return {"value": float(num.sum() / den.sum()), "ci": ci, "count": int(den.sum())}
