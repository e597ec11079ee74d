"""The templates probe says which axes its suite never names (not tested), in results.json, the
console summary and both reports, rather than leaving them out silently."""

from __future__ import annotations

import json

from click.testing import CliRunner

from audit.cli import main


def test_axes_a_suite_never_names_are_said_out_loud(tmp_path, monkeypatch):
    from tfidf_workdir import build_tfidf_workdir

    root = build_tfidf_workdir(tmp_path)
    monkeypatch.chdir(root)
    res = CliRunner().invoke(main, ["run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "templates",
                                    "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    unit = json.loads((tmp_path / "out" / "results.json").read_text())["probes"][0]["results"]["tfidf"]
    per_axis = unit["details"]["per_axis"]
    assert set(per_axis) >= {"gender", "race", "religion", "age", "disability"}
    named = {a for a, e in per_axis.items() if e["texts"] > 0}
    empty = sorted(a for a, e in per_axis.items() if e["texts"] == 0)
    assert named and empty  # the sentiment suite fills some axes, not every one
    line = f"No text names a group of {', '.join(empty)}"
    assert line in " ".join(res.output.split())
    for name in ("report.html", "report.md"):
        text = " ".join((tmp_path / "out" / name).read_text(encoding="utf-8").replace("\\_", "_").split())
        assert "Axis coverage" in text and ", ".join(empty) in text, name
