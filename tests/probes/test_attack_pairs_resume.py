"""Resume of an interrupted attack on sentence pairs: finished pairs are read back, not attacked
again; the results equal an uninterrupted run's; a resume with another ``perturb`` starts afresh."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pair_fixtures import OverlapNLI, nli_pairs
from test_attack_support import Interrupted, attack_env, cached, records_of, without_timing  # noqa: F401

from audit.probes.attack import AttackProbe
from audit.probes.base import ProbeContext

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra


class FailingNLI(OverlapNLI):
    """The overlap classifier, interrupted in its ``fail_after + 1``-th call."""

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__(0.55)
        self.calls, self.fail_after = 0, fail_after

    def predict_proba(self, pairs):
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise Interrupted("simulated interruption")
        return super().predict_proba(pairs)


def attack(work, perturb: str = "second", fail_after: int | None = None, resume: bool = False, data=None):
    model = FailingNLI(fail_after)
    probe = AttackProbe.from_mapping({"recipes": ["deepwordbug"], "examples": 24, "workers": 2, "perturb": perturb})
    ctx = ProbeContext(seed=0, work_dir=work, resume=resume)
    return probe.run(cached(model), data or nli_pairs(), ctx), model


def checkpointed(work) -> list[dict]:
    """Every record in the attack checkpoints under ``work``, as written."""
    return [json.loads(line)["record"] for path in sorted((work / "attack").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def compared(result) -> tuple:
    return without_timing(records_of(result)), result.metrics, result.examples, result.details["successes"]


@pytest.mark.parametrize("perturb", ["second", "first"])
def test_an_interrupted_pair_attack_resumes_where_it_stopped(attack_env, tmp_path, perturb):
    full, full_model = attack(tmp_path / "full", perturb)
    work = tmp_path / "work"
    with pytest.raises(Interrupted):
        attack(work, perturb, fail_after=6)
    before = checkpointed(work)
    assert before and all(r["text_pair"] for r in before)
    resumed, model = attack(work, perturb, resume=True)
    info = resumed.details["recipes"]["deepwordbug"]
    assert info["resumed"] == len(before) and 0 < info["resumed"] < info["attacked"]
    assert info["attacked_now"] == info["attacked"] - len(before)
    after = checkpointed(work)
    assert after[:len(before)] == before and len(after) == info["attacked"]  # none attacked twice
    assert len({r["id"] for r in after}) == len(after)
    assert len(model.seen) < len(full_model.seen)
    assert compared(resumed) == compared(full)
    assert resumed.details["perturb"] == perturb
    wins = [r for r in records_of(resumed) if r["outcome"] == "success"]
    assert wins and all(r["adversarial_pair"] is not None for r in wins)
    again, model = attack(work, perturb, resume=True)
    assert again.details["recipes"]["deepwordbug"]["attacked_now"] == 0 and model.calls == 2
    assert compared(again) == compared(full)


def test_a_resume_with_another_perturb_side_attacks_afresh(attack_env, tmp_path):
    work = tmp_path / "work"
    attack(work, "second")
    first_full, _ = attack(tmp_path / "first", "first")
    switched, _ = attack(work, "first", resume=True)
    info = switched.details["recipes"]["deepwordbug"]
    assert info["resumed"] == 0 and info["attacked_now"] == info["attacked"] > 0
    assert compared(switched) == compared(first_full)
    assert all(r["adversarial_pair"] == r["text_pair"] for r in records_of(switched) if r["outcome"] != "skipped")
    back, _ = attack(work, "second", resume=True)  # each side's checkpoint is kept apart
    assert back.details["recipes"]["deepwordbug"]["attacked_now"] == 0


def test_a_pair_whose_second_text_changed_is_attacked_again(attack_env, tmp_path):
    attack(tmp_path, "second")
    data = nli_pairs()
    changed = dataclasses.replace(data, text_pairs=[f"{b} today" for b in data.text_pairs])  # same ids and premises
    result, _ = attack(tmp_path, "second", resume=True, data=changed)
    assert result.details["recipes"]["deepwordbug"]["resumed"] == 0
    assert all(r["text_pair"].endswith(" today") for r in records_of(result))


INTERRUPTING = '''
from overlap_nli import LABELS, predict as overlap
CALLS, FAIL_AFTER = [0], [None]
def predict(pairs):
    CALLS[0] += 1
    if FAIL_AFTER[0] is not None and CALLS[0] > FAIL_AFTER[0]:
        raise KeyboardInterrupt
    return overlap(pairs)
predict.labels = LABELS
'''


@pytest.fixture()
def pair_project(tmp_path, monkeypatch, attack_env):  # noqa: F811
    data = nli_pairs()
    rows = ["premise\thypothesis\tlabel"] + [f"{a}\t{b}\t{y}" for a, b, y in
                                              zip(data.texts, data.text_pairs, data.labels)]
    (tmp_path / "pairs.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "interrupting_nli.py").write_text(INTERRUPTING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def audit_run(path, out: str, perturb: str, *flags: str):
    from click.testing import CliRunner

    from audit.cli import main

    cfg = {"data": {"source": "pairs.tsv"}, "models": [{"name": "nli", "spec": "interrupting_nli:predict"}],
           "probes": {"attack": {"recipes": ["deepwordbug"], "examples": 24, "workers": 2, "perturb": perturb}},
           "out": out}
    (path / "audit.json").write_text(json.dumps(cfg), encoding="utf-8")
    res = CliRunner().invoke(main, ["run", "--config", "audit.json", "--quiet", *flags])
    doc = json.loads((path / out / "results.json").read_text(encoding="utf-8"))
    return res, next((p["results"].get("nli") for p in doc["probes"] if p["name"] == "attack"), None)


def test_audit_run_resumes_an_interrupted_pair_attack_and_restarts_a_changed_side(pair_project):
    import interrupting_nli

    _, full = audit_run(pair_project, "full", "second")
    interrupting_nli.FAIL_AFTER[0], interrupting_nli.CALLS[0] = 6, 0
    res, unit = audit_run(pair_project, "out", "second")
    assert res.exit_code == 130 and unit is None, res.output
    interrupting_nli.FAIL_AFTER[0] = None
    res, unit = audit_run(pair_project, "out", "second", "--resume")
    assert res.exit_code == 0, res.output
    info = unit["details"]["recipes"]["deepwordbug"]
    assert 0 < info["resumed"] < info["attacked"] and info["attacked_now"] == info["attacked"] - info["resumed"]
    assert unit["metrics"] == full["metrics"] and unit["examples"] == full["examples"]
    res, unit = audit_run(pair_project, "out", "first", "--resume")  # another side: the first-side results
    assert res.exit_code == 0, res.output
    info = unit["details"]["recipes"]["deepwordbug"]
    assert unit["details"]["perturb"] == "first" and info["resumed"] == 0 < info["attacked_now"]
    assert all(e["adversarial_pair"] == e["text_pair"] for e in unit["examples"])
