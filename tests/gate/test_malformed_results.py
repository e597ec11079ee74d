"""A results.json broken inside is bad input for every reader (gate, report, compare, record): exit
2 naming the JSON path, never a gate verdict ("Gate FAILED" would read as a verdict on the model)."""

from __future__ import annotations

import copy
import json

import pytest
from cli_invoke import invoke

from audit.core.results import schema_problem

BREAKS = {
    "a probe without results": (lambda d: d["probes"][0].pop("results"), "$.probes[0]", "'results' is a required property"),
    "models a string": (lambda d: d.__setitem__("models", "cand,base"), "$.models", "is not of type 'array'"),
    "a metric value 'high'": (lambda d: d["probes"][0]["results"]["cand"]["metrics"]["accuracy"].__setitem__("value", "high"),
                              "$.probes[0].results.cand.metrics.accuracy.value", "'high'"),
    "an unknown status": (lambda d: d["probes"][0]["results"]["cand"].__setitem__("status", "great"),
                          "$.probes[0].results.cand.status", "'great'"),
    "a CI of three ends": (lambda d: d["probes"][0]["results"]["cand"]["metrics"]["accuracy"].__setitem__("ci", [0, 1, 2]),
                           "$.probes[0].results.cand.metrics.accuracy.ci", ""),
}


def broken(folder, how):
    doc = json.loads((folder / "results.json").read_text())
    BREAKS[how][0](doc)
    (folder / "results.json").write_text(json.dumps(doc), encoding="utf-8")


def one_error_line(res) -> str:
    assert res.exit_code == 2, res.output
    (line,) = [x for x in res.output.splitlines() if x.startswith("Error:")]
    assert "Traceback" not in res.output and "Gate FAILED" not in res.output and "PASSED" not in res.output
    return line


def test_what_the_runner_writes_is_valid(results):
    folder, _ = results
    assert schema_problem(json.loads((folder / "results.json").read_text())) is None


@pytest.mark.parametrize("how", sorted(BREAKS))
def test_gate_on_a_malformed_file_is_exit_2_naming_the_path(results, policy, how):
    folder, _ = results
    broken(folder, how)
    line = one_error_line(invoke("gate", str(folder), "--policy", str(policy("checks:\n  - metric: metrics.accuracy\n    operator: \">=\"\n    threshold: 0.5\n"))))
    _, path, what = BREAKS[how]
    assert f"malformed at {path}" in line and what in line, line


@pytest.mark.parametrize("command", ["report", "record", "compare"])
def test_every_reader_refuses_it(results, tmp_path, command):
    folder, _ = results
    good = tmp_path / "good"
    good.mkdir()
    (good / "results.json").write_text((folder / "results.json").read_text(), encoding="utf-8")
    broken(folder, "models a string")
    args = {"report": ("report", str(folder)), "record": ("record", str(folder)),
            "compare": ("compare", str(good), str(folder), "--out", str(tmp_path / "cmp"))}[command]
    assert "malformed at $.models" in one_error_line(invoke(*args))


def test_schema_accepts_an_interrupted_run():
    doc = {"schema": "audit-results/1", "run": {"id": "r", "started_at": "t", "finished_at": None, "seed": 0, "config": {}},
           "dataset": None, "models": [], "probes": [], "gate": None}
    assert schema_problem(doc) is None
    bad = copy.deepcopy(doc)
    bad["run"]["seed"] = -1
    assert schema_problem(bad).startswith("$.run.seed")
