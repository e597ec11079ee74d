"""The import-linter contracts in pyproject.toml hold, and they catch each back-pointing arrow
the codebase used to have (config -> probes, gate -> reports, demo -> cli, a circle between
the Hugging Face adapter and its attributions)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports")
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is a test dependency: pip install -e '.[test]'")


def _staged(tmp_path: Path) -> Path:
    """A copy of the package (links in audit/ followed) and the contracts, to break on purpose."""
    staged = tmp_path / "staged"
    shutil.copytree(ROOT / "audit", staged / "audit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", staged / "pyproject.toml")
    return staged


def _lint(staged: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=staged, env={"PYTHONPATH": str(staged), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)


def test_contracts_are_kept(tmp_path):
    proc = _lint(_staged(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(
    "module, arrow, contract",
    [
        ("audit/config.py", "import audit.probes.base", "One-way layers"),
        ("audit/gate/metric_lookup.py", "import audit.reports.report", "Only the CLI renders reports"),
        ("audit/compare/verdicts.py", "import audit.reports.scorecard", "Only the CLI renders reports"),
        ("audit/demo/pipeline.py", "import audit.cli.train_cmd", "One-way layers"),
        ("audit/models/hf_explain.py", "import audit.models.huggingface", "No import circles"),
        ("audit/probes/base.py", "import audit.runner", "One-way layers"),
        ("audit/reports/html.py", "import audit.models.base", "Reports import only"),
    ],
)
def test_a_back_pointing_import_breaks_a_contract(tmp_path, module, arrow, contract):
    staged = _staged(tmp_path)
    path = staged / module
    path.write_text(path.read_text() + f"\n{arrow}  # injected by the test\n")
    proc = _lint(staged)
    assert proc.returncode != 0
    broken = [line for line in proc.stdout.splitlines() if "BROKEN" in line]
    assert any(contract.split()[0] in line for line in broken), proc.stdout
