"""Any string that can be a group value works through group-fairness, results.json, both reports
and the gate: newlines, tabs, slashes, dots, markup and quotes included."""

from __future__ import annotations

import csv
import html
import json

from audit.core.document import metric_pattern

ODD = ["line one\nline two", "tab\there", "a/b.c", "<b>bold</b>", 'say "hi"', "  spaced  "]


def test_metric_patterns_match_any_group_value():
    pattern = metric_pattern("accuracy/{attribute}/{group}")
    for value in ODD + ["trailing newline\n"]:
        assert pattern.match(f"accuracy/grp/{value}"), value
    assert not pattern.match("accuracy/grp")


def test_odd_group_values_through_probe_reports_and_gate(cli, tmp_path, workdir):
    rows = list(csv.DictReader((workdir / "test.csv").open(encoding="utf-8")))
    with (tmp_path / "odd.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["text", "label", "grp"])
        writer.writeheader()
        for i, row in enumerate(rows * 5):
            writer.writerow({"text": row["text"], "label": row["label"], "grp": ODD[i % len(ODD)]})
    cfg = tmp_path / "c.yaml"
    cfg.write_text("probes: {group-fairness: {min_support: 5, bootstrap: 50}}\n", encoding="utf-8")
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--data", str(tmp_path / "odd.csv"), "--sensitive", "grp",
              "--probe", "group-fairness", "--config", str(cfg), "--out", str(out), "-q")
    assert res.exit_code == 0, res.output
    unit = json.loads((out / "results.json").read_text())["probes"][0]["results"]["tfidf"]
    assert unit["status"] == "ok", unit.get("reason")
    for value in ODD:
        assert f"accuracy/grp/{value}" in unit["metrics"], value
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in page and html.escape("<b>bold</b>") in page
    md = (out / "report.md").read_text(encoding="utf-8")
    table = [line for line in md.splitlines() if line.startswith("| line one")]
    assert len(table) == 1 and "line two" in table[0]  # the newline does not break the table row
    policy = tmp_path / "p.yaml"
    policy.write_text('checks:\n  - metric: "group-fairness.accuracy/grp/line one\\nline two"\n    model: tfidf\n'
                      "    operator: \">=\"\n    threshold: 0.0\n", encoding="utf-8")
    gate = cli("gate", str(out), "--policy", str(policy))
    assert gate.exit_code == 0, gate.output
    junit = (out / "gate" / "junit.xml").read_text(encoding="utf-8")
    assert "line one" in junit
