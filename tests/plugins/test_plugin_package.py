"""A third-party plug-in, installed as a user would (pip, entry points), reaches every command:
`audit probes` lists its probe, `audit run` loads its model adapter and runs its probe and its
perturbation, the reports show its metrics, `audit gate` and `audit compare` address them, and
the attack probe takes its recipe (running it is the one slow test: TextAttack's import). The same plug-in named under ``plugins:`` (a module on
the path, no entry points) works too. Every command runs in a subprocess, as a user would run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample_plugin"

# Short texts (at most five words) a keyword model gets right; long ones it gets half right.
ROWS = [
    ("a good film", "positive"), ("great fun", "positive"), ("good acting throughout", "positive"),
    ("simply great", "positive"), ("dull and slow", "negative"), ("bad plot", "negative"),
    ("a tedious mess", "negative"), ("boring from the start", "negative"),
    ("this was a great film from start to finish", "positive"), ("the cast is good and the script sparkles", "positive"),
    ("a moving story with a wonderful cast overall", "positive"), ("i laughed and cried and loved every minute", "positive"),
    ("the plot was boring and the ending dull", "negative"), ("nothing in this film works for even a minute", "negative"),
    ("the acting was not good at all sadly", "negative"), ("hardly a great film despite the famous names", "negative"),
]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """The plug-in pip-installed into work/site (offline, no build isolation), and a tiny CSV."""
    work = tmp_path_factory.mktemp("plugin")
    shutil.copytree(SAMPLE, work / "pkg")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "--target", str(work / "site"), str(work / "pkg")], check=True, capture_output=True)
    lines = ["text,label"] + [f"{text},{label}" for text, label in ROWS]
    (work / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return work


def audit(work: Path, *args: str, path: str | None = "site") -> subprocess.CompletedProcess:
    """`audit ARGS` in ``work`` with PYTHONPATH=work/PATH (None: the plug-in is not installed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(AUDIT_CACHE_DIR=str(work / "cache"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if path is not None:
        env["PYTHONPATH"] = str(work / path)
    return subprocess.run([sys.executable, "-m", "audit", *args], cwd=work, env=env, capture_output=True, text=True,
                          check=False)


def probe_results(run: Path, name: str) -> dict:
    doc = json.loads((run / "results.json").read_text(encoding="utf-8"))
    return next(p for p in doc["probes"] if p["name"] == name)["results"]


def test_audit_probes_lists_the_plugin_probe(work):
    listed = audit(work, "probes")
    assert listed.returncode == 0, listed.stderr
    assert "length-gap  (performance, version 1, plug-in from audit-sample-plugin)" in listed.stdout
    assert "length-gap.accuracy_gap *" in listed.stdout and "max_words: 5" in listed.stdout
    typo = audit(work, "probes", "lenght-gap")
    assert typo.returncode == 2 and "Unknown probe 'lenght-gap'. Did you mean 'length-gap'?" in typo.stderr
    assert "length-gap" not in audit(work, "probes", path=None).stdout  # not installed: not there


def test_run_report_gate_and_compare_with_plugin_model_probe_and_perturbation(work):
    (work / "noise.yaml").write_text("probes:\n  noise: {perturbations: [stutter, upper], severities: [0.5], "
                                     "bootstrap: 0}\n", encoding="utf-8")
    common = ("--data", "data.csv", "--probe", "metrics", "--probe", "length-gap", "-q")
    first = audit(work, "run", "--model", "kw=keyword:great,good", "--model", "kw2=keyword:great", *common,
                  "--probe", "noise", "--config", "noise.yaml", "--out", "run1")
    assert first.returncode == 0, first.stderr
    doc = json.loads((work / "run1" / "results.json").read_text(encoding="utf-8"))
    assert [(m["id"], m["kind"]) for m in doc["models"]] == [("kw", "keyword"), ("kw2", "keyword")]
    assert doc["run"]["versions"]["audit-sample-plugin"] == "0.1.0"  # provenance names the plug-in
    gap = probe_results(work / "run1", "length-gap")["kw"]
    assert gap["status"] == "ok" and gap["details"] == {"short_texts": 8, "long_texts": 8}
    assert {k: m["value"] for k, m in gap["metrics"].items()} == {"accuracy_gap": 0.5, "short_accuracy": 1.0,
                                                                   "long_accuracy": 0.5}
    noise = probe_results(work / "run1", "noise")["kw"]
    assert noise["status"] == "ok" and "flip_rate/stutter@0.5" in noise["metrics"]
    for report in ("report.html", "report.md"):
        text = (work / "run1" / report).read_text(encoding="utf-8").replace("\\_", "_")
        assert "length-gap" in text and "accuracy_gap" in text and "long_accuracy" in text and "stutter" in text, report

    # The gate and compare read results.json alone: they need no plug-in installed.
    for name, threshold, code in (("pass", 0.5, 0), ("fail", 0.3, 1)):
        (work / f"{name}.yaml").write_text(f"checks:\n  - metric: length-gap.accuracy_gap\n    operator: '<='\n"
                                           f"    threshold: {threshold}\n    models: kw\n", encoding="utf-8")
        gate = audit(work, "gate", "run1", "--policy", f"{name}.yaml", path="site" if code == 0 else None)
        assert gate.returncode == code, gate.stdout + gate.stderr
    assert "length-gap.accuracy_gap · kw: value 0.5 fails <= 0.3" in gate.stdout

    second = audit(work, "run", "--model", "kw=keyword:great,good,loved,wonderful", *common, "--out", "run2")
    assert second.returncode == 0, second.stderr
    assert probe_results(work / "run2", "length-gap")["kw"]["metrics"]["long_accuracy"]["value"] == 0.75
    compared = audit(work, "compare", "run1", "run2", "--out", "cmp", path=None)
    assert compared.returncode == 0, compared.stderr
    text = (work / "cmp" / "compare.json").read_text(encoding="utf-8")
    assert '"address": "length-gap.accuracy_gap"' in text and '"address": "length-gap.long_accuracy"' in text


def test_attack_config_takes_the_plugin_recipe(work):
    code = ("from audit.probes.registry import get_probe\n"
            "attack = get_probe('attack').from_mapping({'recipes': ['char-delete', 'deepwordbug']})\n"
            "print([plan.recipe.factory for plan in attack.config.plans()])\n"
            "get_probe('attack').from_mapping({'recipes': ['char-delet']})\n")
    env = {**os.environ, "PYTHONPATH": str(work / "site")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.stdout.strip() == "['audit_sample_plugin:char_delete', 'audit.probes.attack.recipes_char:deepwordbug']"
    assert "Unknown attack recipe 'char-delet'. Did you mean 'char-delete'?" in proc.stderr


@pytest.mark.slow
@pytest.mark.textattack
def test_plugin_recipe_attacks_and_is_listed_by_audit_resources(work):
    """Slow (~25 s): TextAttack's import dominates."""
    listed = audit(work, "resources")
    assert listed.returncode == 0, listed.stderr
    assert "char-delete  ready  (plug-in from audit-sample-plugin)" in listed.stdout
    (work / "attack.yaml").write_text("probes:\n  attack: {recipes: [char-delete], examples: 6, workers: 2}\n",
                                      encoding="utf-8")
    ran = audit(work, "run", "--config", "attack.yaml", "--model", "kw=keyword:great,good", "--data", "data.csv",
                "--probe", "attack", "--out", "run-attack", "-q")
    assert ran.returncode == 0, ran.stderr
    result = probe_results(work / "run-attack", "attack")["kw"]
    assert result["status"] == "ok" and result["metrics"]["success_rate/char-delete"]["value"] > 0
    assert all(len(e["adversarial"]) == len(e["text"]) - 1 for e in result["examples"])  # one deletion each


def test_plugins_key_imports_a_module_without_entry_points(work):
    local = work / "local"
    local.mkdir()
    shutil.copy(SAMPLE / "audit_sample_plugin.py", local)
    (local / "house_rules.py").write_text(
        '"""Plug-ins kept with the project: registered on import, named under plugins: in the config."""\n'
        "import audit_sample_plugin as sample\n"
        "from audit.models.adapters import ADAPTERS\n"
        "from audit.probes.registry import register\n\n"
        "register(sample.LengthGap)\n"
        "ADAPTERS.register(sample.KEYWORD.kind, sample.KEYWORD)\n", encoding="utf-8")
    config = ("plugins: [{module}]\ndata: {{source: data.csv}}\nmodels: [{{name: kw, spec: 'keyword:great', kind: keyword}}]\n"
              "probes: {{length-gap: {{max_words: 3}}}}\nout: run3\n")
    (work / "local.yaml").write_text(config.format(module="house_rules"), encoding="utf-8")
    ran = audit(work, "run", "--config", "local.yaml", "-q", path="local")
    assert ran.returncode == 0, ran.stderr
    gap = probe_results(work / "run3", "length-gap")["kw"]
    assert gap["status"] == "ok" and gap["details"] == {"short_texts": 7, "long_texts": 9}
    # `audit run --gate` reads the config's plugins: first, so its policy may name the plug-in's metric.
    (work / "local-gate.yaml").write_text("checks:\n  - metric: length-gap.accuracy_gap\n    operator: '<='\n"
                                          "    threshold: 0.1\n", encoding="utf-8")
    gated = audit(work, "run", "--config", "local.yaml", "--out", "run4", "--gate", "local-gate.yaml", "-q", path="local")
    assert gated.returncode == 1 and "length-gap.accuracy_gap" in gated.stdout, gated.stdout + gated.stderr

    (work / "missing.yaml").write_text(config.format(module="no_such_plugin"), encoding="utf-8")
    missing = audit(work, "run", "--config", "missing.yaml", "-q", path="local")
    assert missing.returncode == 2 and missing.stderr.strip() == (
        "Error: Plug-in module 'no_such_plugin' (listed under plugins:) not found. Install it, add its folder to "
        "PYTHONPATH, or remove it from plugins.")
