"""TextAttack is the `attack` extra: without it the attack probe is skipped with one line saying how to
install it, recorded as not applicable with that reason before it imports anything, and every other
probe runs. These tests hide TextAttack (``sys.modules['textattack'] = None``, as the import system
reads a module that is not there), so they run whether the extra is installed or not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tfidf_workdir import build_tfidf_workdir

from audit.probes.attack import AttackProbe
from audit.probes.base import Probe, installed
from audit.probes.registry import all_probes, unavailable_lines

REASON = "textattack is not installed; pip install 'audit-text-clf[attack]'"
LINE = f"attack skipped: {REASON}"


@pytest.fixture()
def no_textattack(monkeypatch):
    monkeypatch.setitem(sys.modules, "textattack", None)


class _Data:
    is_pair = False


def test_the_attack_probe_says_textattack_is_missing_and_how_to_install_it(no_textattack):
    assert not installed("textattack")
    assert AttackProbe.unavailable() == REASON
    assert AttackProbe().not_applicable_to(_Data()) == REASON  # what the runner records, for every model
    assert unavailable_lines(["metrics", "attack", "noise"]) == [LINE]
    assert unavailable_lines() == [LINE]  # no other built-in probe needs an extra
    assert all(cls.unavailable() is None for name, cls in all_probes().items() if name != "attack")
    assert "attack" in all_probes()  # still registered: `audit probes` lists it


def test_a_probe_needing_nothing_extra_is_available():
    assert Probe.needs == {} and Probe.unavailable() is None
    assert not installed("no_such_module_here") and not installed("no_such_package.sub")


def test_a_skip_for_want_of_textattack_is_stale_once_it_is_installed(no_textattack, monkeypatch):
    skipped = {"status": "not_applicable", "reason": REASON}
    other = {"status": "not_applicable", "reason": "needs a model with HasTokenizer"}
    assert not AttackProbe().stale(skipped)  # still missing: the skip holds
    monkeypatch.setattr("audit.probes.base.installed", lambda module: True)
    assert AttackProbe().stale(skipped)  # installed now: a resumed run attacks
    assert not AttackProbe().stale(other) and not AttackProbe().stale({"status": "ok"})


def test_a_resumed_run_drops_a_stale_skip(tmp_path, no_textattack, monkeypatch):
    from audit.core.results import ResultsStore, dumps

    def resumed(results):  # the results file of an earlier run, as --resume reads it back
        store = ResultsStore(tmp_path, {"probes": []})
        store.probe_entry(AttackProbe(), [])["results"]["m"] = results
        return ResultsStore(tmp_path, json.loads(dumps(store.doc)))

    skipped = {"status": "not_applicable", "reason": REASON}
    store = resumed(skipped)
    assert store.is_done(store.probe_entry(AttackProbe(), []), "m")  # still missing: not run again
    monkeypatch.setattr("audit.probes.base.installed", lambda module: True)
    store = resumed(skipped)
    assert not store.is_done(store.probe_entry(AttackProbe(), []), "m")  # installed since: the attack runs
    store = resumed({"status": "ok", "reason": None})
    assert store.is_done(store.probe_entry(AttackProbe(), []), "m")


# `audit run` in a Python where TextAttack is not there: one line, the reason recorded, the others run.
RUN_WITHOUT_TEXTATTACK = """
import sys
sys.modules['textattack'] = None
sys.modules['flair'] = None
from audit.cli import main
sys.argv = ['audit'] + sys.argv[1:]
try:
    main()
finally:
    sys.stderr.write('TEXTATTACK ' + repr(sys.modules.get('textattack', 'gone')) + '\\n')
"""


def test_audit_run_without_textattack_skips_the_attack_in_one_line(tmp_path):
    workdir = build_tfidf_workdir(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_TEXTATTACK, "run", "--model", "tfidf.skops", "--data", "test.csv",
         "--probe", "metrics", "--probe", "attack", "--probe", "counterfactual", "--out", str(out), "-q"],
        capture_output=True, text=True, cwd=workdir, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert output.count("textattack") == output.count(LINE) == 1, output  # one line says it all
    assert "TEXTATTACK None" in proc.stderr  # nothing tried to import it (an import would raise, not replace None)
    assert "Traceback" not in output and "does not import" not in output
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    status = {p["name"]: {m: (r["status"], r["reason"]) for m, r in p["results"].items()} for p in doc["probes"]}
    assert status["attack"] == {"tfidf": ("not_applicable", REASON)}
    assert status["metrics"]["tfidf"][0] == "ok" and status["counterfactual"]["tfidf"][0] == "ok"


def test_importing_every_probe_imports_no_textattack():
    code = (
        "import importlib, sys\n"
        "from audit.probes.registry import BUILTIN_MODULES, all_probes\n"
        "for module in BUILTIN_MODULES:\n"
        "    importlib.import_module(module)\n"
        "probes = [cls() for cls in all_probes().values()]\n"
        "import audit.runner, audit.cli.run_cmd, audit.demo.pipeline\n"
        "print('LOADED', sorted(m for m in ('textattack', 'flair', 'nltk') if sys.modules.get(m) is not None))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert "LOADED []" in out


def test_audit_resources_without_textattack_says_the_recipes_cannot_run(no_textattack, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from audit.cli import main

    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path))
    res = CliRunner().invoke(main, ["resources"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == LINE and res.output.count("textattack") == 1
    assert "Recipes" in res.output


def test_audit_probes_lists_the_attack_and_says_it_is_skipped_here(no_textattack):
    from click.testing import CliRunner

    from audit.cli import main

    res = CliRunner().invoke(main, ["probes", "attack"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("attack") and f"  skipped in runs here: {REASON}" in res.output
    assert "attack.max_success_rate" in res.output
