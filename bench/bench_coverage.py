"""Coverage of the proportion intervals by seeded simulation: the share of samples whose 95% interval holds
the true rate, for the Clopper-Pearson interval every probe reports (``stats.proportion_interval``), beside
Wilson's and the percentile bootstrap's (which collapses to a point at 0 of n and n of n).

Run: python bench/bench_coverage.py [--draws 40000] [--boot 400]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.stats import clopper_pearson_bounds, two_sided_z, wilson_bounds  # noqa: E402

NS = (5, 10, 20, 35, 50, 100, 400)
PS = (0.0, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 0.99, 1.0)


def coverage(bounds, n: int, p: float, draws: int, seed: int) -> float:
    """Share of ``draws`` Binomial(n, p) counts whose interval ``bounds(k, n)`` holds ``p``."""
    lo, hi = bounds(np.arange(n + 1), n)
    k = np.random.default_rng(seed).binomial(n, p, size=draws)
    return float(np.mean((lo[k] <= p) & (p <= hi[k])))


def bootstrap_bounds(resamples: int, seed: int):
    """Percentile-bootstrap interval of k of n, per k: the resampled share is Binomial(n, k/n) / n."""
    def bounds(k: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        shares = rng.binomial(n, k[:, None] / n, size=(k.size, resamples)) / n
        return np.quantile(shares, 0.025, axis=1), np.quantile(shares, 0.975, axis=1)
    return bounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40000)
    parser.add_argument("--boot", type=int, default=400, help="bootstrap resamples per count")
    args = parser.parse_args()
    z = two_sided_z(0.05)
    methods = {"clopper-pearson": lambda k, n: clopper_pearson_bounds(k, n, 0.95),
               "wilson": lambda k, n: wilson_bounds(k, n, z), "bootstrap": bootstrap_bounds(args.boot, 1)}
    for name, bounds in methods.items():
        print(f"\n{name}: coverage of nominal 95% intervals ({args.draws} draws per cell)")
        print("n \\ p   " + " ".join(f"{p:>6g}" for p in PS))
        for n in NS:
            row = [coverage(bounds, n, p, args.draws, seed=n * 1000 + j) for j, p in enumerate(PS)]
            print(f"{n:<8d}" + " ".join(f"{c:6.3f}" for c in row))


if __name__ == "__main__":
    main()
