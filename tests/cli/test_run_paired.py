"""`audit run` writes the metrics probe's paired block from its sidecars, the report's verdicts say
"paired", and `audit report` recomputes the block for results written before it existed."""

from __future__ import annotations

import json

import pytest

from audit.predictions.sidecars import load_sidecar
from audit.predictions.paired_verdicts import per_example_loss

RUN = ("run", "--model", "tfidf.skops", "--model", "len=callables:length_model", "--data", "test.csv",
       "--probe", "metrics", "-q")


@pytest.fixture
def run_dir(cli, tmp_path):
    out = tmp_path / "out"
    res = cli(*RUN, "--out", str(out))
    assert res.exit_code == 0, res.output
    return out


def test_run_writes_paired_block_matching_the_recorded_metrics(run_dir):
    doc = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    probe = doc["probes"][0]
    block = probe["paired"]
    assert block["confidence"] == 0.95 and block["skipped"] == []
    found = {c["metric"]: c for c in block["comparisons"]}
    assert set(found) == {"accuracy", "brier", "log_loss"}
    values = {m: {k: v["value"] for k, v in r["metrics"].items()} for m, r in probe["results"].items()}
    for name, c in found.items():
        assert (c["a"], c["b"], c["n"]) == ("tfidf", "len", 60)
        assert c["diff"] == pytest.approx(values["tfidf"][name] - values["len"][name], abs=1e-9)
        assert c["ci"][0] <= c["diff"] <= c["ci"][1]
    assert found["accuracy"]["mcnemar"]["n"] == 60
    for model, unit in probe["results"].items():  # per-example losses average to the probe's values
        rows = load_sidecar(run_dir, unit)
        for name in ("brier", "log_loss"):
            losses = per_example_loss(rows, list(rows), name, unit["details"]["labels"])
            assert losses.mean() == pytest.approx(values[model][name], abs=1e-12)


def test_reports_show_paired_verdicts_and_report_recomputes_old_results(cli, run_dir):
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    scorecard = md.split("## Scorecard", 1)[1].split("\n## ", 1)[0]
    accuracy = next(line for line in scorecard.splitlines() if "metrics.accuracy" in line)
    assert "· paired" in accuracy and "unpaired" not in accuracy
    assert "· unpaired" in next(line for line in scorecard.splitlines() if "metrics.ece" in line)
    path = run_dir / "results.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["probes"][0]["paired"]  # as written before the block existed
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    (run_dir / "report.md").unlink()
    res = cli("report", str(run_dir))
    assert res.exit_code == 0, res.output
    again = (run_dir / "report.md").read_text(encoding="utf-8")
    assert accuracy in again.splitlines()
    assert path.read_text(encoding="utf-8") == before  # `audit report` does not rewrite results
