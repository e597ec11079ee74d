"""A callable in the current directory is found without PYTHONPATH, and --labels names its
classes on the command line (they used to be settable only in YAML)."""

from __future__ import annotations

import json
import subprocess
import sys

MODULE = """
import numpy as np
def shouty(texts):
    p = np.array([0.9 if "!" in t else 0.2 for t in texts])
    return np.stack([1 - p, p], axis=1)
"""


def test_a_callable_here_with_labels_on_the_command_line(tmp_path):
    (tmp_path / "my_model_here.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "d.csv").write_text("text,label\ngreat!,loud\nfine,calm\nwow!,loud\nok,calm\n", encoding="utf-8")
    audit = [sys.executable, "-P", "-c", "import sys; from audit.cli import main; sys.exit(main())"]  # -P: no cwd on the path
    res = subprocess.run(audit + ["run", "--model", "my_model_here:shouty", "--labels", "calm,loud", "--data", "d.csv",
                                  "--probe", "metrics", "--out", "o", "-q"],
                         cwd=tmp_path, capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    assert doc["models"][0]["labels"] == ["calm", "loud"]
    assert doc["probes"][0]["results"]["shouty"]["metrics"]["accuracy"]["value"] == 1.0


def test_bad_labels_are_one_line(tmp_path):
    from click.testing import CliRunner

    from audit.cli import main

    res = CliRunner().invoke(main, ["run", "--model", "x:y", "--labels", "a,a", "--data", "d.csv", "-q"])
    assert res.exit_code == 2 and "two or more distinct classes" in res.output
