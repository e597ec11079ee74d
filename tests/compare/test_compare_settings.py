"""What `audit compare` says beyond the data fingerprint: probes run with other settings, class
labels a run does not have, how many comparisons share one baseline, and runs whose data cannot
be verified."""

from __future__ import annotations

import json

import pytest

from audit.compare import compare_runs
from audit.core.errors import AuditError
from compare_builders import metric, write_run


def edit(run, change) -> None:
    doc = json.loads((run / "results.json").read_text())
    change(doc)
    (run / "results.json").write_text(json.dumps(doc))


def configure(settings: dict, noise: dict):
    def change(doc):
        doc["probes"][0]["config"] = settings
        doc["probes"].append({"name": "noise", "family": "robustness", "version": "1", "config": noise,
                              "metric_specs": [], "results": {}})
    return change


def test_differing_probe_settings_are_named_per_probe(tmp_path, invoke):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10})
    edit(old, configure({"bootstrap": 1000, "confidence": 0.95, "bins": 10}, {"severities": [1, 2]}))
    edit(new, configure({"bootstrap": 200, "confidence": 0.9, "bins": 10}, {"severities": [1, 2, 3]}))
    res = invoke("compare", old, new, "--out", tmp_path / "cmp")
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert [(d["probe"], d["keys"]) for d in doc["probe_settings"]] == [("metrics", ["bootstrap", "confidence"]),
                                                                         ("noise", ["severities"])]
    assert doc["probe_settings"][0]["values"]["confidence"] == {"old": 0.95, "new": 0.9}
    notes = [n for n in doc["notes"] if n.startswith("Probe '")]
    assert len(notes) == 2
    assert "bootstrap (old: 1000, new: 200); confidence (old: 0.95, new: 0.9)" in notes[0]
    assert "different levels" in notes[0] and "different levels" not in notes[1]
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert "Probe settings differ between runs" in md and "metrics: bootstrap, confidence; noise: severities" in md
    section = md[md.index("## metrics"):]
    assert "Settings differ between runs" in section and "bootstrap (old: 1000, new: 200)" in section
    html = (tmp_path / "cmp" / "compare.html").read_text()
    assert 'class="callout callout-warn"' in html and "severities (old: [1, 2], new: [1, 2, 3])" in html


def test_same_settings_give_no_note(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10})
    for run in (old, new):
        edit(run, configure({"bootstrap": 1000}, {"severities": [1]}))
    doc = compare_runs([str(old), str(new)])
    assert doc["probe_settings"] == [] and not any("settings" in n for n in doc["notes"])


def test_a_class_one_run_lacks_is_said_to_be_absent(tmp_path):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10})

    def per_class(labels):
        def change(doc):
            doc["dataset"]["labels"] = labels
            doc["models"][0]["labels"] = labels
            probe = doc["probes"][0]
            probe["metric_specs"].append({"name": "f1/{label}", "higher_is_better": True, "headline": False})
            probe["results"]["m"]["metrics"].update({f"f1/{lab}": metric(0.5) for lab in labels})
        return change

    edit(old, per_class(["neg", "pos"]))
    edit(new, per_class(["neg", "pos", "neutral"]))
    doc = compare_runs([str(old), str(new)])
    row = next(r for r in doc["metrics"] if r["address"] == "metrics.f1/neutral")
    cell = row["values"]["old/m"]
    assert cell["status"] == "label_absent"
    assert cell["reason"] == "label 'neutral' is absent in run 'old' (its labels: neg, pos)"
    assert "probe config" not in cell["reason"]
    from audit.reports import markdown
    from audit.reports.compare import build_compare_report

    assert "old/m: 1 label absent" in markdown.render(build_compare_report(doc))


def test_several_columns_against_one_baseline_get_a_multiplicity_note(tmp_path):
    from audit.stats import holm

    base = write_run(tmp_path, "base", {"b": [True] * 30})
    cand = write_run(tmp_path, "cand", {"x": [True] * 20 + [False] * 10, "y": [False] * 25 + [True] * 5})
    doc = compare_runs([str(base), str(cand)])
    assert len(doc["paired"]) == 2
    note = next(n for n in doc["notes"] if "multiplicity" in n)
    assert note.startswith("2 column(s) are each compared with the baseline base/b (2 paired test(s))")
    assert "Holm" in note
    ps = [t["mcnemar"]["p_value"] for t in doc["paired"]]
    assert [t["p_value_holm"] for t in doc["paired"]] == holm(ps)
    assert doc["multiplicity"]["adjustment"] == "holm" and doc["multiplicity"]["paired_tests"] == 2
    one = compare_runs([str(base), str(write_run(tmp_path, "solo", {"x": [True] * 30}))])
    assert not any("multiplicity" in n for n in one["notes"])


def test_holm_adjustment():
    from audit.stats import holm

    out = holm([0.01, 0.04, 0.03, None])
    assert out[:3] == pytest.approx([0.03, 0.06, 0.06]) and out[3] is None
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([]) == []


def test_missing_fingerprint_says_the_data_cannot_be_verified(tmp_path, invoke):
    old = write_run(tmp_path, "old", {"m": [True] * 10})
    new = write_run(tmp_path, "new", {"m": [True] * 10})
    edit(new, lambda doc: doc["dataset"].pop("fingerprint"))
    with pytest.raises(AuditError) as err:
        compare_runs([str(old), str(new)])
    msg = str(err.value)
    assert "different data" not in msg and "\n" not in msg
    assert "'new'" in msg and "no data fingerprint" in msg and "cannot be verified" in msg
    assert "--allow-different-data" in msg
    res = invoke("compare", old, new, "--out", tmp_path / "cmp", "--allow-different-data")
    assert res.exit_code == 0, res.output
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert "Data not verified" in md and "Runs on different data" not in md
    doc = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert doc["data"]["unverified"] == ["new"] and doc["paired"] == []
