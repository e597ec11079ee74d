"""`audit run --probe metrics --probe slices` with two models end to end: results.json holds each model's tested
slices (sensitive and extra columns among them) with a sidecar of memberships, the paired block compares the
models slice by slice, every tested slice is a findings item under the audit-wide Benjamini-Hochberg, and both
reports show the section and a verdict that counts the passed slices instead of listing them."""

from __future__ import annotations

import csv
import json

import pytest

from audit.demo.corpus import generate


@pytest.fixture
def run_dir(cli, workdir, tmp_path):
    rows = generate(400, seed=2, skewed=False)
    data = tmp_path / "reviews.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = tmp_path / "audit.yaml"
    config.write_text("data:\n  extra_cols: [religion]\nprobes:\n  metrics: {bootstrap: 50}\n"
                      "  slices: {min_size: 25}\n", encoding="utf-8")
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--model", "len=callables:length_model", "--data", str(data),
              "--sensitive", "gender", "--config", str(config), "--probe", "metrics", "--probe", "slices",
              "--out", str(out), "-q")
    assert res.exit_code == 0, res.output
    return out


def test_results_paired_block_and_findings(run_dir):
    doc = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert doc["dataset"]["columns"]["extra"] == ["religion"]
    probe = next(p for p in doc["probes"] if p["name"] == "slices")
    assert [s["name"] for s in probe["metric_specs"]] == ["weak_slices", "max_error_gap", "slices_tested"]
    for model in ("tfidf", "len"):
        unit = probe["results"][model]
        assert unit["status"] == "ok", unit.get("reason")
        rows = unit["details"]["slices"]
        names = {r["slice"] for r in rows}
        aliases = unit["details"]["definitions"]["aliases"]
        covered = names | {a for name in names for a in aliases.get(name, [])}
        # the demo's columns say what its texts say: column:gender=female is the same slice as axis:gender=female
        assert {"negation", "column:gender=female", "column:religion=muslim"} <= covered
        assert "column:gender=female" in aliases["axis:gender=female"]
        assert unit["metrics"]["slices_tested"]["value"] == len(rows)
        assert unit["metrics"]["weak_slices"]["value"] == sum(r["weak"] for r in rows)
        sidecar = [json.loads(line) for line in (run_dir / unit["predictions_file"]).open(encoding="utf-8")]
        assert len(sidecar) == 400 and set(sidecar[0]) == {"id", "label", "predicted", "proba", "slices"}
        neg = next(r for r in rows if r["slice"] == "negation")
        assert neg["n"] == sum("negation" in s["slices"] for s in sidecar)
        assert neg["errors"] == sum("negation" in s["slices"] and s["label"] != s["predicted"] for s in sidecar)
    [pair] = probe["paired"]["slices"]["pairs"]
    assert (pair["a"], pair["b"], pair["n"], pair["tested"]) == ("tfidf", "len", 400, len(rows))
    findings = doc["findings"]
    slice_items = [i for i in findings["items"] if i["rule"] == "weak_slice"]
    assert len(slice_items) == 2 * len(rows) + len(pair["rows"]) and all(i["tested"] for i in slice_items)
    assert findings["fdr"]["tested"] >= len(slice_items)
    assert {i["baseline"] for i in slice_items} == {None, "len"}


def test_reports_show_the_section_and_count_passed_slices(run_dir):
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    verdict = md.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    assert "slices.error\\_gap/\\* ×" in verdict  # counted, not listed one by one
    assert "### Weak slices" in md and "tfidf against len, slice by slice" in md
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="probe-slices"' in html and "Weak slices" in html and "slices.error_gap/* ×" in html
