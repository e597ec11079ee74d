"""Findings: what each probe's results say, as data, by documented rules (docs/findings.md).

A rule reads the results document (never a model, never a sidecar): the noise probe's worst drop in
accuracy, each attack recipe's success rate, the fairness gaps, every paired comparison of two models,
calibration, explanations that do not beat random words. It proposes one item per probe, metric and
model (and baseline, for a comparison): measured value, interval, the bound it is held to and, when the
rule rests on a test, a p-value. Over the whole audit the tested items are controlled for false
discoveries with Benjamini-Hochberg at ``q`` (``findings.q``, 0.05); the rule is printed in the block.

The package sits just above ``audit.stats`` and imports only it and ``audit.core``, so the config can
validate its section, the runner writes the block at the end of ``audit run``, and ``audit report`` /
``audit.load`` compute it in memory for results written before it existed. Reports only read it.
"""

from __future__ import annotations

from typing import Any

from audit.findings.settings import RULE_SETTINGS, FindingsConfig, parse_findings

_BLOCK = ("RULES", "add_findings", "fdr_rule", "findings_block", "settings_of")


def __getattr__(name: str) -> Any:
    """The block's functions load numpy (through audit.stats) on first use, so the config, which validates
    ``findings:`` through :mod:`audit.findings.settings`, stays light to import."""
    if name in _BLOCK:
        from audit.findings import block

        return getattr(block, name)
    raise AttributeError(f"module 'audit.findings' has no attribute {name!r}")


__all__ = ["RULE_SETTINGS", "FindingsConfig", "parse_findings", *_BLOCK]
