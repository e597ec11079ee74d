"""The attack probe end to end on a keyword classifier: results re-verified against the model,
counts that add up, determinism by seed and concurrency, per-example resume, skips and budgets."""

from __future__ import annotations

import numpy as np
import pytest
from test_attack_support import (  # noqa: F401 - attack_env is a fixture
    Interrupted, KeywordModel, attack_env, cached, needs_wordnet, records_of, template_data, without_timing,
)

from audit.core.dataset import Dataset
from audit.probes.attack import AttackProbe
from audit.probes.base import ProbeContext

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra

BASE = {"recipes": ["deepwordbug"], "examples": 30, "workers": 4}


def run(raw: dict, model=None, data=None, seed: int = 0, **ctx):
    model = model or KeywordModel()
    probe = AttackProbe.from_mapping({**BASE, **raw})
    result = probe.run(cached(model), data or template_data(), ProbeContext(seed=seed, **ctx))
    return result, model


def test_successes_are_real_and_counts_add_up(attack_env):
    result, _ = run({})
    records = records_of(result)
    assert len(records) == 30
    d = result.details["recipes"]["deepwordbug"]
    assert d["successes"] + d["failures"] + d["skipped"] == d["sampled"] == 30
    assert d["attacked"] == d["successes"] + d["failures"] > 0
    fresh = KeywordModel()  # an independent model object: no shared cache
    wins = [r for r in records if r["outcome"] == "success"]
    assert wins, "the keyword model is easy to fool; no success means the attack did not run"
    proba = fresh.predict_proba([r["adversarial"] for r in wins])
    for r, row in zip(wins, proba):
        assert fresh.labels[int(np.argmax(row))] == r["adversarial_label"] != r["label"]
        assert r["confirmed"] is True and r["adversarial"] != r["text"] and r["words_changed"] >= 1
    m = result.metrics
    assert m["success_rate/deepwordbug"].value == pytest.approx(d["successes"] / d["attacked"])
    lo, hi = m["success_rate/deepwordbug"].ci
    assert lo <= m["success_rate/deepwordbug"].value <= hi
    assert m["accuracy_under_attack/deepwordbug"].value == pytest.approx(d["failures"] / d["evaluated"])
    assert m["max_success_rate"].value == m["success_rate/deepwordbug"].value
    assert m["min_accuracy_under_attack"].value == m["accuracy_under_attack/deepwordbug"].value
    assert m["success_rate/deepwordbug"].higher_is_better is False
    assert all(e["recipe"] == "deepwordbug" and e["adversarial"] for e in result.examples)


def test_same_seed_same_results_whatever_the_concurrency(attack_env):
    one, _ = run({"workers": 1})
    many, _ = run({"workers": 8})
    assert without_timing(records_of(one)) == without_timing(records_of(many))
    other, _ = run({"workers": 8}, seed=1)
    assert [r["id"] for r in records_of(other)] != [r["id"] for r in records_of(one)]  # another sample


def test_model_queries_go_through_the_cache_in_shared_batches(attack_env):
    result, model = run({"workers": 8})
    batching = result.details["recipes"]["deepwordbug"]["batching"]
    assert batching["mean_batch"] > 2  # examples' queries were merged
    assert model.calls <= batching["model_batches"] + 2  # + the clean predictions and the confirmation


def test_resume_skips_finished_examples(attack_env, tmp_path):
    full, full_model = run({"workers": 2}, work_dir=tmp_path / "full")
    with pytest.raises(Interrupted):
        run({"workers": 2}, model=KeywordModel(fail_after=6), work_dir=tmp_path / "work")
    resumed, model = run({"workers": 2}, work_dir=tmp_path / "work", resume=True)
    info = resumed.details["recipes"]["deepwordbug"]
    assert 0 < info["resumed"] < info["attacked"]
    assert model.texts < full_model.texts  # finished examples were not attacked again
    assert without_timing(records_of(resumed)) == without_timing(records_of(full))
    again, model = run({"workers": 2}, work_dir=tmp_path / "work", resume=True)
    assert again.details["recipes"]["deepwordbug"]["attacked_now"] == 0 and model.calls == 2


def test_without_resume_the_checkpoint_starts_afresh(attack_env, tmp_path):
    run({}, work_dir=tmp_path)
    result, _ = run({}, work_dir=tmp_path)
    assert result.details["recipes"]["deepwordbug"]["resumed"] == 0


def test_unavailable_recipe_is_reported_and_the_others_run(attack_env, tmp_path):
    result, _ = run({"recipes": ["deepwordbug", "bae"], "resources": {"masked_lm": str(tmp_path / "nope")}})
    assert "deepwordbug" in result.details["recipes"] and "bae" not in result.details["recipes"]
    message = result.details["unavailable"]["bae"]
    assert "masked_lm" in message and "AUDIT_MASKED_LM" in message
    assert "success_rate/bae" not in result.metrics


def test_empty_and_too_long_texts_are_skipped_and_counted(attack_env):
    texts = ["", "   ", "the movie was great", "the plot was awful", "a fun film"]
    data = Dataset(ids=[str(i) for i in range(5)], texts=texts, labels=["positive", "negative", "positive",
                                                                      "negative", "positive"], source="mem")
    result, _ = run({"examples": 5}, data=data)
    d = result.details["recipes"]["deepwordbug"]
    assert d["skipped_by_reason"]["empty"] == 2 and d["evaluated"] == 3 and d["sampled"] == 5


def test_time_budget_stops_an_example_as_inconclusive(attack_env):
    class Slow(KeywordModel):
        def predict_proba(self, texts):
            import time

            time.sleep(0.05)
            return super().predict_proba(texts)

    result, _ = run({"time_budget_s": 0.01, "examples": 6, "workers": 2}, model=Slow())
    records = records_of(result)
    assert any(r["outcome"] == "inconclusive" and r["reason"] == "time_budget" for r in records)
    assert not any(r["outcome"] == "failed" and r.get("reason") == "time_budget" for r in records)
    assert result.details["recipes"]["deepwordbug"]["inconclusive"] >= 1  # tests/probes/test_attack_budget.py: more


def test_query_budget_is_respected(attack_env):
    result, _ = run({"query_budget": 3})
    attacked = [r for r in records_of(result) if r["outcome"] in ("success", "failed")]
    assert attacked and all(r["queries"] <= 3 for r in attacked)
    assert any(r.get("reason") == "query_budget" for r in attacked)


def test_pruthi_changes_one_word_at_most(attack_env):
    result, _ = run({"recipes": ["pruthi"], "examples": 15})
    wins = [r for r in records_of(result) if r["outcome"] == "success"]
    assert all(r["words_changed"] == 1 for r in wins)


def test_pwws_swaps_wordnet_synonyms(attack_env):
    needs_wordnet()
    result, _ = run({"recipes": ["pwws"], "examples": 12})
    d = result.details["recipes"]["pwws"]
    assert d["successes"] + d["failures"] + d["skipped"] == 12 and d["successes"] > 0
    assert "wordnet" in d["resources"]
