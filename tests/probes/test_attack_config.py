"""Attack config and recipe names: bad input fails at once, with one line naming the fix.

None of these tests imports textattack: config errors and missing resources are found before it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from test_attack_support import KeywordModel, cached, template_data

from audit.core.errors import AuditError
from audit.probes.attack import AttackProbe
from audit.resources.recipes import RECIPES, resolve_recipe
from audit.probes.base import ProbeContext


def build(**raw) -> AttackProbe:
    return AttackProbe.from_mapping(raw)


def test_unknown_recipe_suggests_the_closest():
    with pytest.raises(AuditError) as err:
        build(recipes=["deepwordbog"])
    assert str(err.value).startswith("Unknown attack recipe 'deepwordbog'. Did you mean 'deepwordbug'? Known: ")
    assert "\n" not in str(err.value)


def test_recipes_by_textattack_name_and_aliases():
    assert resolve_recipe("PWWSRen2019").name == "pwws"
    assert resolve_recipe("bert_attack").name == "bert-attack"
    assert [p.recipe.name for p in build(recipes="DeepWordBugGao2018").config.plans()] == ["deepwordbug"]


@pytest.mark.parametrize("raw, key", [
    ({"query_budget": 0}, "attack.query_budget"),
    ({"query_budget": -5}, "attack.query_budget"),
    ({"time_budget_s": -1}, "attack.time_budget_s"),
    ({"examples": 0}, "attack.examples"),
    ({"workers": 0}, "attack.workers"),
    ({"recipes": {"pwws": {"query_budget": 0}}}, "attack.recipes.pwws.query_budget"),
    ({"recipes": {"pwws": {"time_budget_s": -1.0}}}, "attack.recipes.pwws.time_budget_s"),
])
def test_budgets_must_be_positive(raw, key):
    with pytest.raises(AuditError, match=rf"^{key} must be a positive number, got -?[0-9.]+\."):
        build(**raw)


def test_time_budget_is_off_by_default_and_with_null_or_0():
    assert build().config.time_budget_s is None
    assert [p.time_budget_s for p in build(recipes=["pwws"]).config.plans()] == [None]
    plans = build(recipes={"deepwordbug": {"time_budget_s": 0}, "pwws": {"time_budget_s": None}, "pruthi": {}},
                  time_budget_s=30).config.plans()
    assert [p.time_budget_s for p in plans] == [None, None, 30.0]
    assert [p.time_budget_s for p in build(time_budget_s=0).config.plans()] == [None, None]
    with pytest.raises(AuditError, match=r"Or give null \(or 0\) for no time budget\.$"):
        build(time_budget_s=-2)


def test_per_recipe_settings_override_the_defaults():
    plans = build(recipes={"deepwordbug": None, "pwws": {"examples": 7, "query_budget": 99}}, examples=20).config.plans()
    assert [(p.recipe.name, p.examples, p.query_budget) for p in plans] == [("deepwordbug", 20, 2000), ("pwws", 7, 99)]


@pytest.mark.parametrize("raw, message", [
    ({"recipes": {"pwws": {"budget": 3}}}, "Unknown key(s) 'budget' for attack recipe 'pwws'"),
    ({"recipes": ["pwws", "PWWSRen2019"]}, "names 'pwws' twice"),
    ({"recipes": []}, "attack.recipes is empty"),
    ({"resources": {"glov": "x"}}, "Unknown resource 'glov'. Did you mean 'glove'?"),
    ({"recipez": ["pwws"]}, "Unknown config key(s) 'recipez'"),
])
def test_config_mistakes_name_themselves(raw, message):
    with pytest.raises(AuditError) as err:
        build(**raw)
    assert message in str(err.value)


def test_every_recipe_names_a_paper_and_its_resources():
    from audit.resources.catalog import RESOURCES

    for info in RECIPES.values():
        assert info.paper and ":" in info.factory
        assert all(name in RESOURCES for group in info.needs for name in group)


def test_missing_resources_fail_up_front_before_textattack(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path))
    probe = build(recipes=["bae"], resources={"masked_lm": str(tmp_path / "no-such-model")})
    with pytest.raises(AuditError) as err:
        probe.run(cached(KeywordModel()), template_data(), ProbeContext(seed=0))
    message = str(err.value)
    assert "masked_lm" in message and "no-such-model" in message and "AUDIT_MASKED_LM" in message
    assert "\n" not in message


def test_importing_the_probe_imports_no_heavy_library():
    code = ("import sys, audit.probes.attack, audit.resources.catalog, audit.cli.resources_cmd, audit.reports.sections.attack; "
            "print(sorted(m for m in ('torch', 'textattack', 'transformers', 'nltk') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
