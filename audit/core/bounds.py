"""Documented ranges of every size-like config key, so no setting asks for unbounded work.

A key's range is the same wherever it appears (probe configs, model entries, data, plug-ins):
``build_config`` refuses a value outside it with one line naming the key and the range. The
upper ends are far beyond any useful setting (10x to 100x the defaults' scale) and small enough
that a run ends: ``bootstrap: 1000000000`` would resample for days. docs/configuration.md lists
the same table (a test keeps them equal).
"""

from __future__ import annotations

SEED_MAX = 2**64 - 1  # torch.manual_seed takes up to 64 bits

LIMITS: dict[str, tuple[float, float]] = {
    # statistics
    "bootstrap": (0, 100_000),  # resamples for CIs; 0 turns CIs off
    "resamples": (100, 1_000_000),  # the gate's paired bootstrap
    "permutations": (0, 1_000_000),
    "confidence": (0.5, 0.999),
    "alpha": (1e-6, 0.5),
    "bins": (2, 1_000),
    "tolerance": (0, 1),
    "group_tolerance": (0, 1),  # robustness by group: a gap between groups above it is flagged
    "dir_tolerance": (0, 1),
    "stability_severity": (0, 1),
    # findings (docs/findings.md): the false discovery rate and the rules' severity thresholds
    "q": (1e-6, 0.5),
    "high": (0, 1),
    "medium": (0, 1),
    "loss_high": (0, 100),  # relative to the baseline's loss: 0.25 is 25% above it
    "loss_medium": (0, 100),
    # how much of the data
    "limit": (1, 100_000_000),
    "examples": (1, 100_000),
    "max_texts": (1, 100_000_000),
    "max_sets": (1, 100_000),
    "max_examples": (0, 10_000),
    "min_support": (1, 10_000_000),
    "min_changed": (1, 10_000_000),  # noise: texts a cell must change to count in the changed-text headlines
    "group_min_support": (1, 10_000_000),  # robustness by group: examples a group needs to be compared
    "min_size": (1, 10_000_000),  # slices: examples a slice must hold (and leave outside it) to be tested
    "max_pairs": (0, 100_000),  # slices: pairs of slices tested at most
    "length_bins": (0, 100),  # slices: word-count quantile bins
    "non_ascii": (0, 1),  # slices: share of non-ASCII characters above which a text is in the non_ascii slice
    "max_values": (1, 100_000),  # slices: distinct values of a column sliced at most
    # attack and explanation work per example
    "query_budget": (1, 1_000_000),
    "time_budget_s": (0, 604_800),  # a week
    "workers": (1, 1_024),
    "ig_steps": (1, 4_096),
    "misclassified": (0, 10_000),
    "attacked": (0, 10_000),
    "random": (0, 10_000),
    "stability_versions": (0, 100),
    "random_baselines": (0, 1_000),
    "top_tokens": (1, 1_000),
    "global_examples": (0, 100_000),
    "min_token_count": (1, 1_000_000),
    # models
    "max_length": (1, 131_072),
    "batch_size": (1, 65_536),
    "seed": (0, SEED_MAX),
}
