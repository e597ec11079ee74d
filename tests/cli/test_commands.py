"""`audit --help`, `probes`, `init` and `train`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from audit.starter import starter_config

REPO = Path(__file__).resolve().parents[2]


def test_help_lists_commands_without_heavy_imports():
    code = (
        "import sys; from click.testing import CliRunner; from audit.cli import main\n"
        "r = CliRunner().invoke(main, ['--help']); print(r.output)\n"
        "r = CliRunner().invoke(main, ['probes']); print(r.output)\n"
        "print('HEAVY', [m for m in ('torch', 'transformers', 'textattack', 'sklearn', 'datasets', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for command in ("run", "train", "report", "probes", "init"):
        assert command in out
    assert "metrics.accuracy" in out and "bootstrap" in out
    assert "HEAVY []" in out


def test_probes_unknown_name(cli):
    res = cli("probes", "metrix")
    assert res.exit_code == 2 and "Did you mean 'metrics'" in res.output


def test_init_writes_the_committed_default_config(cli, tmp_path):
    target = tmp_path / "audit.yaml"
    res = cli("init", str(target))
    assert res.exit_code == 0, res.output
    assert target.read_text() == starter_config()
    assert (REPO / "configs" / "default.yaml").read_text() == starter_config(), (
        "configs/default.yaml is stale: regenerate it with `audit init configs/default.yaml --force`"
    )
    again = cli("init", str(target))
    assert again.exit_code == 2 and "--force" in again.output


def test_init_config_runs(cli, tmp_path):
    import yaml

    cfg = yaml.safe_load(starter_config())
    cfg["data"] = {"source": "test.csv"}
    cfg["models"] = [{"name": "t", "spec": "tfidf.skops"}]
    cfg["out"] = str(tmp_path / "out")
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(cfg))
    res = cli("run", "--config", str(path), "-q")
    assert res.exit_code == 0, res.output


def test_train_tfidf_then_audit(cli, tmp_path):
    model = tmp_path / "m.skops"
    res = cli("train", "--data", "test.csv", "--arch", "tfidf", "--out", str(model))
    assert res.exit_code == 0, res.output
    assert model.is_file()
    res = cli("run", "--model", str(model), "--data", "test.csv", "--out", str(tmp_path / "out"), "-q")
    assert res.exit_code == 0, res.output
