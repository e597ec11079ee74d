"""Fixtures for the compare tests: a CLI runner, and two tiny real audits on the same data."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from audit.cli import main
from compare_builders import tiny_workdir


@pytest.fixture()
def invoke():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=True)


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory):
    """Two `audit run`s of the metrics probe on one CSV: run 'old' (words model), run 'new' (words + length)."""
    root = tiny_workdir(tmp_path_factory.mktemp("compare-real"))
    runner, models = CliRunner(), str(root / "tiny_models.py")
    outs = {}
    for name, specs in (("old", ["words"]), ("new", ["words", "length"])):
        args = ["run", "--data", str(root / "test.csv"), "--probe", "metrics", "--out", str(root / name), "-q"]
        for spec in specs:
            args += ["--model", f"{models}:{spec}"]
        res = runner.invoke(main, args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        outs[name] = root / name
    outs["data"] = root / "test.csv"
    outs["models"] = root / "tiny_models.py"
    return outs
