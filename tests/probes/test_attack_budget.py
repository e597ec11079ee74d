"""Attack outcomes do not depend on how busy the machine is: the query budget is the limit, and a
time budget (off by default) stops an example as "inconclusive", never a failure, left out of the
success rate. A slow model is simulated by a clock that jumps 1,000 s on every model call."""

from __future__ import annotations

import json
import time

import pytest
from test_attack_support import (  # noqa: F401 - attack_env is a fixture
    KeywordModel, attack_env, cached, records_of, template_data, without_timing,
)

from audit.probes.attack import AttackProbe
from audit.probes.base import ProbeContext

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra

BASE = {"recipes": ["deepwordbug"], "examples": 30, "workers": 4}
STEP_S = 1000.0  # seconds every model call seems to take


class SlowClock:
    """time.monotonic / perf_counter / time, each running STEP_S ahead per model call made so far."""

    def __init__(self, monkeypatch) -> None:
        self.offset = 0.0
        for name in ("monotonic", "perf_counter", "time"):
            real = getattr(time, name)
            monkeypatch.setattr(time, name, lambda real=real: real() + self.offset)


class SlowModel(KeywordModel):
    """The keyword model on a machine so busy that every call takes STEP_S."""

    def __init__(self, clock: SlowClock) -> None:
        super().__init__()
        self.clock = clock

    def predict_proba(self, texts):
        self.clock.offset += STEP_S
        return super().predict_proba(texts)


def run(raw: dict, model=None, **ctx):
    probe = AttackProbe.from_mapping({**BASE, **raw})
    return probe.run(cached(model or KeywordModel()), template_data(), ProbeContext(seed=0, **ctx))


def by_outcome(records: list[dict], outcome: str) -> set[str]:
    return {r["id"] for r in records if r["outcome"] == outcome}


def test_without_a_time_budget_a_slow_model_changes_no_outcome(attack_env, monkeypatch):
    fast = run({})
    slow = run({}, model=SlowModel(SlowClock(monkeypatch)))
    assert without_timing(records_of(slow)) == without_timing(records_of(fast))
    assert {k: m.as_dict() for k, m in slow.metrics.items()} == {k: m.as_dict() for k, m in fast.metrics.items()}
    assert slow.details["recipes"]["deepwordbug"]["inconclusive"] == 0
    assert not any(r.get("reason") == "time_budget" for r in records_of(slow))


def test_with_a_time_budget_slow_examples_are_inconclusive_not_failures(attack_env, monkeypatch):
    budget = {"time_budget_s": 2.5 * STEP_S}  # about three model calls per example
    fast = run(budget)  # a fast model never reaches it: the same outcomes as with no budget
    assert without_timing(records_of(fast)) == without_timing(records_of(run({})))
    slow = run(budget, model=SlowModel(SlowClock(monkeypatch)))
    before, after = records_of(fast), records_of(slow)
    stopped = by_outcome(after, "inconclusive")
    assert stopped and by_outcome(after, "success"), "the budget should stop some examples and not others"
    assert by_outcome(after, "failed") <= by_outcome(before, "failed")  # the budget made no failure
    assert by_outcome(after, "success") <= by_outcome(before, "success")
    for b, a in zip(before, after):
        if a["outcome"] == "inconclusive":
            assert b["outcome"] in ("success", "failed") and a["reason"] == "time_budget"
            assert a["original_confidence"] == b["original_confidence"] and a["adversarial"] is None
        else:
            assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}

    d, m = slow.details["recipes"]["deepwordbug"], slow.metrics
    assert d["inconclusive"] == len(stopped) and d["attacked"] == d["successes"] + d["failures"]
    assert d["successes"] + d["failures"] + d["inconclusive"] + d["skipped"] == d["sampled"] == 30
    assert d["success_rate_basis"] == (f"success over {d['attacked']} attacked examples; {len(stopped)} "
                                       "inconclusive (time budget) left out")
    assert m["success_rate/deepwordbug"].value == pytest.approx(d["successes"] / d["attacked"])
    assert m["accuracy_under_attack/deepwordbug"].value == pytest.approx(
        d["failures"] / (d["evaluated"] - d["inconclusive"]))
    assert m["clean_accuracy/deepwordbug"].value == fast.metrics["clean_accuracy/deepwordbug"].value
    assert m["inconclusive/deepwordbug"].value == len(stopped) and fast.metrics["inconclusive/deepwordbug"].value == 0
    assert fast.details["recipes"]["deepwordbug"]["success_rate_basis"] == (
        f"success over {fast.details['recipes']['deepwordbug']['attacked']} attacked examples")

    saved = json.loads(json.dumps(slow.as_dict(), allow_nan=False))  # results.json and the sidecar columns
    assert saved["details"]["recipes"]["deepwordbug"]["inconclusive"] == len(stopped)
    assert saved["metrics"]["inconclusive/deepwordbug"]["value"] == len(stopped)
    assert json.loads(json.dumps(slow.predictions))["outcome"].count("inconclusive") == len(stopped)


def test_resume_keeps_inconclusive_examples_as_they_were(attack_env, monkeypatch, tmp_path):
    budget = {"time_budget_s": 2.5 * STEP_S, "workers": 2}
    with monkeypatch.context() as slow_machine:
        first = run(budget, model=SlowModel(SlowClock(slow_machine)), work_dir=tmp_path)
    (checkpoint,) = (tmp_path / "attack").glob("*.jsonl")
    lines = checkpoint.read_text().splitlines()
    kept = [line for line in lines if json.loads(line)["record"]["outcome"] == "inconclusive"]
    assert kept and len(kept) < len(lines)
    checkpoint.write_text("\n".join(kept) + "\n")  # as if interrupted: only the inconclusive ones finished

    resumed = run(budget, work_dir=tmp_path, resume=True)  # now on a fast machine
    info = resumed.details["recipes"]["deepwordbug"]
    assert info["resumed"] == len(kept) and info["attacked_now"] == len(lines) - len(kept)
    assert info["inconclusive"] == first.details["recipes"]["deepwordbug"]["inconclusive"] == len(kept)
    was = {r["id"]: r for r in records_of(first) if r["outcome"] == "inconclusive"}
    now = {r["id"]: r for r in records_of(resumed) if r["outcome"] == "inconclusive"}
    assert now == was
