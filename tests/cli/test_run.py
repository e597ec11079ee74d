"""`audit run` end to end on a scikit-learn model and a callable, and `--resume`."""

from __future__ import annotations

import json

from audit import RESULTS_SCHEMA

SCRIPT_TEXT = '<script>alert("pwned")</script> the acting was dull.'  # row 0 of the fixture data


def read_results(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_run_two_models_side_by_side(cli, workdir, tmp_path):
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--model", "len=callables:length_model", "--data", "test.csv",
              "--out", str(out), "--sensitive", "gender", "--probe", "metrics", "-q")
    assert res.exit_code == 0, res.output
    doc = read_results(out / "results.json")
    assert doc["schema"] == RESULTS_SCHEMA
    assert [m["id"] for m in doc["models"]] == ["tfidf", "len"]
    assert [m["kind"] for m in doc["models"]] == ["sklearn", "callable"]
    assert doc["dataset"]["size"] == 60 and doc["dataset"]["sensitive_attributes"] == ["gender"]
    assert doc["run"]["finished_at"] is not None and doc["run"]["config"]["models"][1]["name"] == "len"
    metrics = next(p for p in doc["probes"] if p["name"] == "metrics")
    for mid in ("tfidf", "len"):
        result = metrics["results"][mid]
        assert result["status"] == "ok"
        assert 0 <= result["metrics"]["accuracy"]["value"] <= 1
        lines = (out / result["predictions_file"]).read_text().splitlines()
        assert len(lines) == 60 and set(json.loads(lines[0])) == {"id", "label", "predicted", "proba"}
    # one model call per model: every unique text predicted once
    assert doc["run"]["cache"]["tfidf"]["model_calls"] == 1
    assert doc["run"]["cache"]["tfidf"]["texts_predicted"] == 60
    html = (out / "report.html").read_text(encoding="utf-8")
    assert SCRIPT_TEXT not in html  # escaped, never raw
    assert (out / "report.md").is_file()
    assert "tfidf" in res.output and "Results:" in res.output


def test_resume_runs_only_missing_units(cli, tmp_path):
    out = tmp_path / "out"
    args = ("run", "--model", "tfidf.skops", "--model", "len=callables:length_model", "--data", "test.csv",
            "--out", str(out), "--probe", "metrics", "-q")
    assert cli(*args).exit_code == 0
    path = out / "results.json"
    doc = read_results(path)
    kept = doc["probes"][0]["results"]["tfidf"]
    lost = doc["probes"][0]["results"].pop("len")  # as if the run had stopped after the first model
    doc["run"]["finished_at"] = None
    path.write_text(json.dumps(doc))
    res = cli(*args, "--resume")
    assert res.exit_code == 0, res.output
    again = read_results(path)
    assert again["run"]["id"] == doc["run"]["id"]
    assert again["probes"][0]["results"]["tfidf"] == kept
    redone = again["probes"][0]["results"]["len"]
    assert redone["status"] == "ok" and redone["metrics"] == lost["metrics"]
    assert again["run"]["cache"]["tfidf"]["model_calls"] == 0  # not re-run
    assert again["run"]["cache"]["len"]["model_calls"] == 0  # re-run, its predictions read back from the journal


def test_resume_refuses_other_data(cli, workdir, tmp_path):
    out = tmp_path / "out"
    assert cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--out", str(out), "-q").exit_code == 0
    res = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--limit", "20", "--out", str(out), "--resume", "-q")
    assert res.exit_code == 2 and "different data" in res.output


def test_limit_samples_stratified(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--limit", "20", "--out", str(out), "-q").exit_code == 0
    assert read_results(out / "results.json")["dataset"]["size"] == 20


def test_work_before_an_input_error_is_kept(cli, tmp_path):
    out = tmp_path / "out"
    # the second model returns logits, found only when it predicts: the first model's results survive
    res = cli("run", "--model", "tfidf.skops", "--model", "callables:logits", "--data", "test.csv", "--out", str(out), "-q")
    assert res.exit_code == 2
    assert "do not sum to 1" in res.output
    doc = read_results(out / "results.json")
    assert doc["probes"][0]["results"]["tfidf"]["status"] == "ok"
    assert doc["probes"][0]["results"]["logits"]["status"] == "error"


def test_label_mismatch_stops_before_any_probe(cli, tmp_path):
    out = tmp_path / "out"
    res = cli("run", "--model", "tfidf.skops", "--model", "callables:foreign", "--data", "test.csv", "--out", str(out), "-q")
    assert res.exit_code == 2 and "'spam'" in res.output and "--label-map" in res.output
    assert read_results(out / "results.json")["probes"] == []


def test_alignment_recorded_and_same_model_twice_runs_once(cli, tmp_path):
    out = tmp_path / "out"
    res = cli("run", "--model", "a=tfidf.skops", "--model", "b=tfidf.skops", "--data", "test.csv", "--out", str(out),
              "--probe", "metrics", "-q")
    assert res.exit_code == 0, res.output
    doc = read_results(out / "results.json")
    assert doc["models"][0]["label_alignment"] == {"rule": "name", "map": {"negative": "negative", "positive": "positive"}}
    assert doc["run"]["cache"]["a"]["texts_predicted"] == 60 and doc["run"]["cache"]["b"]["texts_predicted"] == 0


def test_resume_drops_removed_and_changed_models(cli, tmp_path):
    out = tmp_path / "out"
    base = ("--data", "test.csv", "--out", str(out), "--probe", "metrics", "-q")
    assert cli("run", "--model", "tfidf.skops", "--model", "len=callables:length_model", *base).exit_code == 0
    config = tmp_path / "c.yaml"
    config.write_text("models: [{spec: tfidf.skops, labels: [positive, negative]}]\n")  # labels swapped
    res = cli("run", "--config", str(config), *base, "--resume")
    assert res.exit_code == 0, res.output
    doc = read_results(out / "results.json")
    assert list(doc["probes"][0]["results"]) == ["tfidf"]  # 'len' is gone
    assert doc["run"]["cache"]["tfidf"]["model_calls"] == 1  # re-run: its label order changed
    assert len(doc["run"]["resumed"]) == 1


def test_report_rerenders_without_models(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--out", str(out), "-q").exit_code == 0
    (out / "report.html").unlink()
    res = cli("report", str(out / "results.json"), "--out", str(tmp_path / "again"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "again" / "report.html").is_file() and (tmp_path / "again" / "report.md").is_file()


def test_file_callable_by_absolute_path(cli, workdir, tmp_path):
    spec = f"{workdir / 'callables.py'}:length_model"
    res = cli("run", "--model", spec, "--data", "test.csv", "--out", str(tmp_path / "out"), "-q")
    assert res.exit_code == 0, res.output
    assert read_results(tmp_path / "out" / "results.json")["models"][0]["id"] == "length_model"
