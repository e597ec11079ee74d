"""The `findings:` config section: defaults are the documented rules, overrides are validated by name and
range, the resolved settings are recorded in run.config, and docs/findings.md lists every rule and key."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from audit.config import TOP_LEVEL_KEYS, resolve_config
from audit.core.bounds import LIMITS
from audit.core.errors import AuditError
from audit.findings import RULE_SETTINGS, RULES, FindingsConfig, parse_findings

DOCS = Path(__file__).resolve().parents[2] / "docs"
BASE = {"data": {"source": "test.csv"}, "models": ["m.skops"]}


def test_defaults_and_overrides():
    assert parse_findings(None, "x") == FindingsConfig()
    cfg = parse_findings({"q": 0.1, "noise_drop": {"tolerance": 0.03, "metric": "max_accuracy_drop"},
                          "explain_faithfulness": False, "calibration": None}, "x")
    assert cfg.q == 0.1 and cfg.noise_drop.tolerance == 0.03 and cfg.noise_drop.metric == "max_accuracy_drop"
    assert cfg.noise_drop.high == 0.10  # untouched keys keep their defaults
    assert cfg.explain_faithfulness.enabled is False and cfg.calibration == FindingsConfig().calibration
    assert parse_findings({"group_gap": {"metrics": ["max_accuracy_difference"]}}, "x").group_gap.metrics == (
        "max_accuracy_difference",)


@pytest.mark.parametrize("raw,message", [
    ({"noise_drp": {}}, r"Unknown findings rule 'noise_drp'\. Did you mean 'noise_drop'\?"),
    ({"noise_drop": {"tolerence": 0.1}}, r"Unknown config key\(s\) 'tolerence' for findings\.noise_drop in cfg\.yaml\. "
                                         r"Allowed: enabled, high, medium, metric, tolerance"),
    ({"q": 0.7}, r"findings in cfg\.yaml key 'q' is 0\.7, outside its range 1e-06 to 0\.5"),
    ({"q": 0}, r"q must lie strictly between 0 and 1"),
    ({"noise_drop": {"tolerance": 2}}, r"key 'tolerance' is 2\.0, outside its range 0 to 1"),
    ({"noise_drop": {"medium": 0.2}}, r"'medium' \(0\.2\) must not exceed 'high' \(0\.1\)"),
    ({"noise_drop": {"metric": "worst_accuracy"}}, r"metric must be one of max_changed_accuracy_drop, max_accuracy_drop"),
    ({"group_gap": {"metrics": ["min_demographic_parity_ratio"]}}, r"group_gap: metrics must be some of"),
    ({"attack_success": {"tolerance": "half"}}, r"key 'tolerance' must be a number"),
    ([0.05], r"'findings' in cfg\.yaml must be a mapping"),
])
def test_bad_settings_are_named(raw, message):
    with pytest.raises(AuditError, match=message):
        parse_findings(raw, "cfg.yaml")


def test_the_section_is_a_top_level_key_and_is_recorded():
    assert "findings" in TOP_LEVEL_KEYS
    cfg = resolve_config({**BASE, "findings": {"noise_drop": {"tolerance": 0.05}}})
    recorded = cfg.as_dict()["findings"]
    assert recorded["noise_drop"]["tolerance"] == 0.05 and recorded["q"] == 0.05
    assert parse_findings(recorded, "the run's config") == cfg.findings  # what results.json keeps reads back
    assert resolve_config(dict(BASE)).findings == FindingsConfig()
    with pytest.raises(AuditError, match="Unknown findings rule"):
        resolve_config({**BASE, "findings": {"nois": {}}})


def test_every_numeric_key_has_a_range_and_every_rule_is_in_the_registry():
    assert set(RULES) == set(RULE_SETTINGS) == {f.name for f in dataclasses.fields(FindingsConfig)} - {"q"}
    for cls in [FindingsConfig, *RULE_SETTINGS.values()]:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if set(typing.get_args(hints[f.name]) or (hints[f.name],)) & {int, float}:
                low, high = LIMITS[f.name]
                assert f.default is None or low <= f.default <= high, (cls.__name__, f.name)


def test_docs_list_every_rule_and_key_with_its_default():
    text = (DOCS / "findings.md").read_text(encoding="utf-8")
    defaults = FindingsConfig()
    for name in RULE_SETTINGS:
        assert f"### `{name}`" in text, name
        section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        for f in dataclasses.fields(RULE_SETTINGS[name]):
            value = getattr(getattr(defaults, name), f.name)
            shown = "null" if value is None else str(value).lower() if isinstance(value, bool) else (
                "[" + ", ".join(value) + "]" if isinstance(value, tuple) else f"{value:g}" if isinstance(value, float)
                else str(value))
            assert re.search(rf"\| `{f.name}` \| `{re.escape(shown)}` \|", section), (name, f.name, shown)
    assert "q = 0.05" in text
