"""`audit run` with the attack probe: metrics in results.json, per-example checkpoints under
OUT/work, `--resume` of an interrupted attack, and one-line errors for bad attack configs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_attack_support import attack_env  # noqa: F401 - fixture
from tiny_bert import template_sentences

import audit.probes.registry as registry
import audit.reports.sections as sections
from audit.cli import main
from audit.reports.sections.attack import attack_section

pytestmark = pytest.mark.textattack  # needs TextAttack: the `attack` extra

MODEL = '''
import numpy as np
WEIGHTS = {w: 2.0 for w in "great wonderful delightful excellent charming moving brilliant fun".split()}
WEIGHTS.update({w: -2.0 for w in "terrible awful boring dull painful bland tedious bad".split()})
def keyword(texts):
    s = np.array([sum(WEIGHTS.get(w, 0.0) for w in t.lower().split()) + 0.1 for t in texts])
    p = 1 / (1 + np.exp(-s))
    return np.stack([1 - p, p], axis=1)
keyword.labels = ["negative", "positive"]
'''


@pytest.fixture()
def project(tmp_path, monkeypatch, attack_env):  # noqa: F811
    monkeypatch.setattr(registry, "BUILTIN_MODULES", tuple(registry.BUILTIN_MODULES) + ("audit.probes.attack",))
    monkeypatch.setitem(sections.RENDERERS, "attack", attack_section)
    (tmp_path / "attack_model.py").write_text(MODEL, encoding="utf-8")
    rows = ["text\tlabel"] + [f"{t}\t{y}" for t, y in template_sentences()[:60]]
    (tmp_path / "data.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def write_config(path, attack: dict) -> str:
    cfg = {"data": {"source": "data.tsv"}, "models": [{"name": "kw", "spec": "attack_model:keyword"}],
           "probes": {"attack": attack}, "out": "out"}
    (path / "audit.yaml").write_text(json.dumps(cfg), encoding="utf-8")
    return str(path / "audit.yaml")


def audit(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def test_run_writes_attack_results_and_checkpoints(project):
    cfg = write_config(project, {"recipes": ["deepwordbug", "pruthi"], "examples": 12, "workers": 4})
    res = audit("run", "--config", cfg, "--quiet")
    assert res.exit_code == 0, res.output
    doc = json.loads((project / "out" / "results.json").read_text())
    entry = next(p for p in doc["probes"] if p["name"] == "attack")
    result = entry["results"]["kw"]
    assert result["status"] == "ok"
    assert {"max_success_rate", "success_rate/deepwordbug", "success_rate/pruthi"} <= set(result["metrics"])
    lines = (project / "out" / result["predictions_file"]).read_text().splitlines()
    assert len(lines) == 24 and {json.loads(x)["recipe"] for x in lines} == {"deepwordbug", "pruthi"}
    assert len(list((project / "out" / "work" / "attack").glob("kw--*.jsonl"))) == 2
    assert "deepwordbug · success rate" in (project / "out" / "report.md").read_text()


def test_resume_reuses_finished_examples(project):
    cfg = write_config(project, {"recipes": ["deepwordbug"], "examples": 12, "workers": 2})
    assert audit("run", "--config", cfg, "--quiet").exit_code == 0
    doc_path = project / "out" / "results.json"
    doc = json.loads(doc_path.read_text())
    first = doc["probes"][0]["results"]["kw"]
    del doc["probes"][0]["results"]["kw"]  # as if interrupted before the unit was saved
    doc_path.write_text(json.dumps(doc))
    res = audit("run", "--config", cfg, "--quiet", "--resume")
    assert res.exit_code == 0, res.output
    again = json.loads(doc_path.read_text())["probes"][0]["results"]["kw"]
    info = again["details"]["recipes"]["deepwordbug"]
    assert info["attacked_now"] == 0 and info["resumed"] == info["attacked"] > 0
    assert again["metrics"] == first["metrics"]


@pytest.mark.parametrize("attack, message", [
    ({"recipes": ["textfoolr"]}, "Unknown attack recipe 'textfoolr'. Did you mean 'textfooler'?"),
    ({"query_budget": 0}, "attack.query_budget must be a positive number, got 0."),
])
def test_bad_attack_config_is_one_line(project, attack, message):
    res = audit("run", "--config", write_config(project, attack), "--quiet")
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
