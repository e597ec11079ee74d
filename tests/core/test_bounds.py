"""Every size-like config key has a documented range, and a value outside it (or a non-finite
number) is bad input: one line naming the key and the range, exit 2, never a crash or a run
without end."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from audit.config import ModelConfig
from audit.core.bounds import LIMITS, SEED_MAX
from audit.core.errors import AuditError
from audit.core.typed_config import build_config
from audit.data_loader import DataConfig
from audit.probes.registry import all_probes

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def config_classes():
    return [p.Config for p in all_probes().values() if hasattr(p, "Config")] + [ModelConfig, DataConfig]


def numeric_fields():
    for cls in config_classes():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            if typing.get_origin(hint) is not tuple and set(typing.get_args(hint) or (hint,)) & {int, float}:
                yield cls, f


def test_every_numeric_config_key_has_a_range_and_its_default_is_inside():
    for cls, f in numeric_fields():
        assert f.name in LIMITS, f"{cls.__qualname__}.{f.name} has no range in audit/core/bounds.py"
        low, high = LIMITS[f.name]
        if isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
            assert low <= f.default <= high, (cls.__qualname__, f.name, f.default)


def test_the_documented_table_is_the_enforced_one():
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", DOC.read_text(encoding="utf-8"), flags=re.M))
    assert set(rows) == set(LIMITS)
    for key, (low, high) in LIMITS.items():
        assert rows[key].strip() == f"{low:,} to {high:,}", key


@pytest.mark.parametrize("key,value", [("bootstrap", 1_000_000_000), ("max_examples", 10**9), ("ig_steps", 10**6),
                                       ("permutations", 10**12), ("query_budget", 10**9)])
def test_unbounded_work_is_refused_naming_key_and_range(key, value):
    cls = next(c for c, f in numeric_fields() if f.name == key)
    low, high = LIMITS[key]
    with pytest.raises(AuditError, match=rf"key '{key}' is .*outside its range {low:,} to {high:,}"):
        build_config(cls, {key: value}, "probe x")


@pytest.mark.parametrize("key,value", [("bootstrap", -1), ("bins", 1), ("confidence", 1.0)])
def test_values_below_or_at_the_edge_are_refused_by_name(key, value):
    cls = next(c for c, f in numeric_fields() if f.name == key)
    with pytest.raises(AuditError, match=key):  # the probe's own check or the shared range, whichever speaks first
        build_config(cls, {key: value}, "probe x")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
@pytest.mark.parametrize("key", ["bootstrap", "max_length", "limit", "confidence"])
def test_non_finite_numbers_are_bad_input_not_an_overflow(key, value):
    cls = next(c for c, f in numeric_fields() if f.name == key)
    extra = {"spec": "m"} if cls is ModelConfig else {"source": "d.csv"} if cls is DataConfig else {}
    with pytest.raises(AuditError, match=rf"key '{key}' must be a finite number"):
        build_config(cls, {**extra, key: value}, "probe x")


def test_whole_numbers_beyond_float_precision_are_checked_by_range_not_rounding():
    with pytest.raises(AuditError, match=f"outside its range 0 to {SEED_MAX:,}"):
        build_config(DataConfig, {"source": "d.csv", "seed": 2**64 + 1}, "data")
    assert build_config(DataConfig, {"source": "d.csv", "seed": 2**63 + 1}, "data").seed == 2**63 + 1
