"""The `governance` config section: validated like every other key, recorded in results via the
resolved config, and offered (commented) by `audit init`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from audit.config import GovernanceConfig, Reviewer, parse_governance, resolve_config
from audit.core.errors import AuditError
from audit.starter import starter_config

REPO = Path(__file__).resolve().parents[2]


def config_file(tmp_path, governance: str) -> Path:
    p = tmp_path / "audit.yaml"
    p.write_text("data: {source: a.csv}\nmodels: [m.skops]\ngovernance:\n" + governance, encoding="utf-8")
    return p


def test_governance_parsed_into_the_resolved_config(tmp_path):
    p = config_file(tmp_path, "  intended_use: Rank reviews.\n  limitations: English only\n"
                              "  reviewers: [{name: Ann, role: Risk}, Bob]\n")
    cfg = resolve_config(p)
    assert cfg.governance == GovernanceConfig(intended_use="Rank reviews.", limitations=("English only",),
                                              reviewers=(Reviewer("Ann", "Risk"), Reviewer("Bob", "")))
    recorded = cfg.as_dict()["governance"]
    assert recorded["intended_use"] == "Rank reviews." and recorded["reviewers"][1] == {"name": "Bob", "role": ""}


def test_unknown_governance_key_names_the_allowed_ones(tmp_path):
    p = config_file(tmp_path, "  intended_uses: Rank reviews.\n")
    with pytest.raises(AuditError) as e:
        resolve_config(p)
    msg = str(e.value)
    assert "'intended_uses'" in msg and "intended_use" in msg and "out_of_scope_uses" in msg and "\n" not in msg


def test_bad_governance_values(tmp_path):
    with pytest.raises(AuditError, match="'nam'.*Allowed: name, role"):
        resolve_config(config_file(tmp_path, "  reviewers: [{nam: Ann}]\n"))
    with pytest.raises(AuditError, match="must be a mapping"):
        resolve_config(config_file(tmp_path, "  - a list\n"))
    with pytest.raises(AuditError, match="limitations"):
        parse_governance({"limitations": [3]}, "x.yaml")
    assert resolve_config(config_file(tmp_path, "  null\n")).governance is None


def test_starter_config_offers_a_valid_commented_governance_section():
    text = starter_config()
    block = re.search(r"^# governance:.*?\n((?:#   .*\n)+)", text, flags=re.M)
    assert block is not None
    uncommented = "governance:\n" + "".join(line[1:] + "\n" for line in block.group(1).splitlines())
    gov = parse_governance(yaml.safe_load(uncommented)["governance"], "starter")
    assert gov.intended_use and gov.out_of_scope_uses and gov.reviewers
    assert "governance" not in yaml.safe_load(text)  # commented out: the starter runs without it


def test_example_governance_config_is_valid():
    cfg = resolve_config(REPO / "configs" / "governance.yaml")
    gov = cfg.governance
    assert gov is not None and gov.intended_use and gov.out_of_scope_uses and gov.limitations and gov.reviewers
