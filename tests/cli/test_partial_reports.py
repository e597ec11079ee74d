"""A later probe's input error or an interrupt still leaves reports of every finished unit beside
results.json (the failing unit shown as such); only `audit run` suggests --resume."""

from __future__ import annotations

import json

import pytest


def test_an_input_error_in_a_later_probe_still_renders_what_finished(cli, tmp_path, monkeypatch):
    from audit.core.errors import AuditError
    from audit.probes.fairness.group.probe import GroupFairnessProbe

    def bad_input(*args, **kwargs):  # e.g. a probe's data file that turns out unusable mid-run
        raise AuditError("group-fairness: the spam column is unusable; fix it")

    monkeypatch.setattr(GroupFairnessProbe, "run", bad_input)
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "metrics", "--probe", "group-fairness",
              "--out", str(out), "-q")
    assert res.exit_code == 2 and "spam column" in res.output, res.output
    doc = json.loads((out / "results.json").read_text())
    status = {p["name"]: p["results"]["tfidf"]["status"] for p in doc["probes"]}
    assert status == {"metrics": "ok", "group-fairness": "error"}
    accuracy = doc["probes"][0]["results"]["tfidf"]["metrics"]["accuracy"]["value"]
    for name in ("report.html", "report.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert f"{accuracy:.3f}" in text and "spam column" in text, name  # the finished unit and the failing one


def test_an_interrupt_renders_what_finished_and_suggests_resume(cli, tmp_path, monkeypatch):
    from audit.probes.fairness.group.probe import GroupFairnessProbe

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(GroupFairnessProbe, "run", interrupted)
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "metrics", "--probe", "group-fairness",
              "--out", str(out), "-q")
    assert res.exit_code == 130 and "--resume" in res.output, res.output
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
    unit = json.loads((out / "results.json").read_text())["probes"][0]["results"]["tfidf"]
    assert unit["status"] == "ok" and "metrics" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["gate", "report"])
def test_other_commands_do_not_suggest_a_resume_they_lack(cli, tmp_path, monkeypatch, command):
    out = tmp_path / "out"
    assert cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "metrics", "--out", str(out), "-q").exit_code == 0
    (tmp_path / "p.yaml").write_text('checks:\n  - metric: metrics.accuracy\n    operator: ">="\n    threshold: 0.1\n',
                                     encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    import audit.reports

    monkeypatch.setattr(audit.reports, "write_reports", interrupted)
    monkeypatch.setattr("audit.api.outputs.evaluate", interrupted)
    args = ("gate", str(out), "--policy", str(tmp_path / "p.yaml")) if command == "gate" else ("report", str(out))
    res = cli(*args)
    assert res.exit_code == 130, res.output
    assert "--resume" not in res.output.replace("only `audit run` has --resume", "") and f"audit {command}" in res.output
