"""Honest statuses: a unit that ran only part of its work is "partial" and one without any value is
"no_values", each with the reason, in results.json, on the console and in the gate; never "ok"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from test_attack_probe import run as run_attack
from test_attack_support import attack_env  # noqa: F401 - a fixture

import audit
from audit.cli.console_summary import incomplete_units


@pytest.mark.textattack
def test_attack_with_a_recipe_missing_its_resource_is_partial(attack_env, tmp_path):  # noqa: F811
    result, _ = run_attack({"recipes": ["deepwordbug", "pwws"], "resources": {"wordnet": str(tmp_path / "nowhere")}})
    assert result.status == "partial"
    assert result.reason.startswith("pwws skipped: ") and "wordnet" in result.reason.lower()
    assert "success_rate/deepwordbug" in result.metrics and "success_rate/pwws" not in result.metrics
    full, _ = run_attack({"recipes": ["deepwordbug"]})
    assert full.status == "ok" and full.reason == ""


def small_groups_frame() -> pd.DataFrame:
    """40 reviews, gender groups of 6 and 4 (the rest unknown): below the default min_support."""
    texts = [f"review number {i} was {'great' if i % 2 else 'awful'}" for i in range(40)]
    gender = ["female"] * 6 + ["male"] * 4 + [""] * 30
    return pd.DataFrame({"text": texts, "label": ["positive" if i % 2 else "negative" for i in range(40)],
                         "gender": gender})


def words(texts):
    p = np.array([0.9 if "great" in t else 0.1 for t in texts])
    return np.stack([1 - p, p], axis=1)


def test_group_fairness_below_min_support_has_no_values(tmp_path):
    result = audit.run(models={"words": {"model": words, "labels": ["negative", "positive"]}},
                       data=small_groups_frame(), sensitive="gender", probes=["metrics", "group-fairness"],
                       out=tmp_path / "o", progress=False)
    unit = result.units.set_index("probe").loc["group-fairness"]
    assert unit.status == "no_values"
    assert "min_support=30" in unit.reason and "largest group 6, next 4" in unit.reason
    lines = incomplete_units(result.doc, result.models)
    assert lines == [f"group-fairness · words: no values: {unit.reason}"]
    verdict = result.gate({"checks": [{"metric": "group-fairness.max_demographic_parity_difference",
                                       "operator": "<=", "threshold": 0.1}]})
    row = verdict["checks"][0]
    assert row["status"] == "error" and "has no values" in row["message"]
    # the console summary prints that line
    console = Console(record=True, width=200)
    from audit.cli.console_summary import print_summary

    print_summary(result.doc, console)
    assert "group-fairness · words: no values: no attribute has two groups" in console.export_text()
    # and it is done: a resumed run does not redo it
    again = audit.run(models={"words": {"model": words, "labels": ["negative", "positive"]}},
                      data=small_groups_frame(), sensitive="gender", probes=["metrics", "group-fairness"],
                      out=tmp_path / "o", resume=True, progress=False)
    assert again.units.duration_s.tolist() == result.units.duration_s.tolist()
