"""`audit resources`: lists what each recipe needs and where it is; fetch errors are one line; the
command and `audit --help` / `audit probes` import no torch or textattack."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from audit import cli as cli_module
from audit.cli import main


@pytest.fixture()
def resources_cli(monkeypatch, tmp_path):
    """`audit resources ...` with the command registered and an empty, isolated audit cache dir."""
    monkeypatch.setitem(cli_module.COMMANDS, "resources",
                        ("audit.cli.resources_cmd", "resources", "Offline resources of the attack recipes."))
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("AUDIT_WORDNET", "AUDIT_GLOVE", "AUDIT_COUNTERFIT", "AUDIT_COUNTERFIT_CONSTRAINTS", "AUDIT_SYNONYMS",
                "AUDIT_SENTENCE_ENCODER", "AUDIT_MASKED_LM", "AUDIT_NLTK_DATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["resources", *args], catch_exceptions=True)


def test_lists_resources_and_recipes(resources_cli):
    res = resources_cli()
    assert res.exit_code == 0, res.output
    for name in ("stopwords", "wordnet", "glove", "counterfit", "synonyms", "sentence_encoder", "masked_lm"):
        assert f"  {name} " in res.output
    assert "needed by: pwws" in res.output and "AUDIT_MASKED_LM" in res.output
    assert "deepwordbug  ready" in res.output and "bae          needs masked_lm" in res.output


def test_env_var_paths_are_used(resources_cli, monkeypatch, tmp_path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("good fine\n", encoding="utf-8")
    monkeypatch.setenv("AUDIT_SYNONYMS", str(pairs))
    monkeypatch.setenv("AUDIT_MASKED_LM", str(tmp_path / "missing-mlm"))
    out = resources_cli().output
    assert f"at: {pairs}  (AUDIT_SYNONYMS)" in out
    assert "missing (AUDIT_MASKED_LM:" in out and "missing-mlm does not exist" in out


def test_config_paths_win_over_env(resources_cli, monkeypatch, tmp_path):
    pairs = tmp_path / "from_config.txt"
    pairs.write_text("good fine\n", encoding="utf-8")
    monkeypatch.setenv("AUDIT_SYNONYMS", str(tmp_path / "from_env.txt"))
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(f"probes:\n  attack:\n    resources: {{synonyms: {pairs}}}\n", encoding="utf-8")
    out = resources_cli("--config", str(cfg)).output
    assert f"at: {pairs}  (config)" in out


def test_unknown_resource_suggests_the_closest(resources_cli):
    res = resources_cli("--fetch", "wordnett")
    assert res.exit_code == 2
    assert "Unknown resource 'wordnett'. Did you mean 'wordnet'?" in res.output


def test_fetch_failure_is_one_line_with_the_manual_way(resources_cli, monkeypatch):
    from audit.resources import fetch

    def offline(log):
        raise OSError("network is unreachable")

    monkeypatch.setitem(fetch._FETCHERS, "synonyms", offline)
    res = resources_cli("--fetch", "synonyms")
    assert res.exit_code == 2
    line = res.output.strip()
    assert line.startswith("Error: Could not fetch synonyms (network is unreachable)") and "AUDIT_SYNONYMS" in line
    assert "\n" not in line and "Traceback" not in res.output


def test_fetch_stopwords_writes_the_shipped_list(resources_cli, tmp_path):
    res = resources_cli("--fetch", "stopwords")
    assert res.exit_code == 0, res.output
    words = (tmp_path / "cache" / "nltk_data" / "corpora" / "stopwords" / "english").read_text().split()
    assert len(words) == 179 and "the" in words and "wouldn't" in words


def test_no_heavy_imports_for_help_probes_and_resources(tmp_path):
    code = (
        "import sys\n"
        "import audit.probes.registry as registry\n"
        "registry.BUILTIN_MODULES = tuple(registry.BUILTIN_MODULES) + ('audit.probes.attack',)\n"
        "from click.testing import CliRunner\n"
        "from audit import cli\n"
        "cli.COMMANDS['resources'] = ('audit.cli.resources_cmd', 'resources', 'Offline resources.')\n"
        "for args in (['--help'], ['probes'], ['probes', 'attack'], ['resources']):\n"
        "    r = CliRunner().invoke(cli.main, args)\n"
        "    assert r.exit_code == 0, (args, r.output)\n"
        "    print(r.output)\n"
        "print('HEAVY', [m for m in ('torch', 'transformers', 'textattack', 'flair') if m in sys.modules])\n"
    )
    env = {"AUDIT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert "attack.success_rate/{recipe}" in out and "attack.max_success_rate" in out
    assert "HEAVY []" in out
