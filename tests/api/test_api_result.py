"""AuditResult: its tables are the results document, write() renders what `audit run` renders, gate() is `audit gate`."""

from __future__ import annotations

import json
import math

import pytest

import audit


@pytest.fixture(scope="module")
def result(workdir, tmp_path_factory):
    out = tmp_path_factory.mktemp("result") / "o"
    return audit.run(models={"tfidf": workdir / "tfidf.skops", "again": workdir / "tfidf.skops"},
                     data=workdir / "test.csv", probes=["metrics", "noise"], out=out, progress=False)


def test_metrics_frame_holds_every_metric_of_the_document(result):
    frame = result.metrics
    assert list(frame.columns) == ["probe", "metric", "model", "value", "ci_low", "ci_high", "higher_is_better",
                                   "headline"]
    expected = 0
    for probe in result.doc["probes"]:
        for model, res in probe["results"].items():
            for name, m in res["metrics"].items():
                expected += 1
                row = frame[(frame.probe == probe["name"]) & (frame.model == model) & (frame.metric == name)]
                assert len(row) == 1
                value = row.value.iloc[0]
                assert (m.get("value") is None and math.isnan(value)) or value == m["value"]
                if m.get("ci"):
                    assert [row.ci_low.iloc[0], row.ci_high.iloc[0]] == m["ci"]
    assert len(frame) == expected > 20
    acc = frame[(frame.metric == "accuracy") & (frame.probe == "metrics")]
    assert acc.higher_is_better.tolist() == [True, True] and acc.headline.all()


def test_predictions_and_units(result, workdir):
    import pandas as pd

    preds = result.predictions("metrics", model="tfidf")
    data = pd.read_csv(workdir / "test.csv")
    assert len(preds) == len(data) and list(preds.columns)[0] == "model"
    assert preds.label.tolist() == data.label.tolist()
    assert set(result.predictions("metrics").model) == {"tfidf", "again"}
    assert result.units.status.tolist() == ["ok"] * 4
    with pytest.raises(audit.AuditError, match="No probe 'attack' in this audit; it ran: metrics, noise"):
        result.predictions("attack")


def test_write_gate_and_load(result, tmp_path):
    verdict = result.gate({"name": "release", "checks": [
        {"metric": "metrics.accuracy", "operator": ">=", "threshold": 0.5},
        {"metric": "noise.max_accuracy_drop", "operator": "<=", "threshold": -1.0}]})
    assert verdict["passed"] is False and result.passed is False
    assert [c["status"] for c in verdict["checks"]].count("fail") == 2  # the impossible bound, for both models
    paths = result.write(tmp_path / "copy")
    for key in ("results", "html", "markdown", "junit", "summary"):
        assert paths[key].is_file()
    assert (tmp_path / "copy" / "predictions" / "metrics--tfidf.jsonl").is_file()
    saved = json.loads(paths["results"].read_text())
    assert saved["gate"]["passed"] is False
    loaded = audit.load(tmp_path / "copy")
    assert loaded.metrics.equals(result.metrics) and loaded.passed is False
    assert loaded.predictions("metrics").equals(result.predictions("metrics"))
    with pytest.raises(audit.AuditError, match=r"<policy>:\d+: check #1: .*nope"):
        result.gate({"checks": [{"metric": "metrics.nope", "operator": ">=", "threshold": 1}]})


def test_notebook_display_shows_the_scorecard(result):
    html = result._repr_html_()
    assert '<table class="scorecard">' in html and "metrics.accuracy" in html and "noise." in html
    assert "<script" not in html
    assert repr(result).startswith(f"<AuditResult {result.run_id}: 2 model(s) x 2 probe(s), 4 ok, 0 not ok")


def test_findings_frame_and_console_lines(result):
    from audit.cli.console_summary import finding_lines

    frame = result.findings
    items = result.doc["findings"]["items"]
    assert len(frame) == len(items) > 0
    assert set(frame.status) <= {"finding", "passed", "not_tested"}
    assert frame.title.tolist() == [i["title"] for i in items]
    lines = finding_lines(result.doc)
    found = [i for i in items if i["status"] == "finding"]
    assert lines[0].startswith(f"Findings: {len(found)} found, ")
    assert len(lines) == 1 + min(len(found), 8) + (len(found) > 8)
