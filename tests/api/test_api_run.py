"""audit.run gives what `audit run` gives, from paths or from Python objects."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import audit
from audit.cli import main

PROBES = ["metrics", "noise", "counterfactual"]
# What differs between any two runs: when, where and how they ran (ids, clocks, the command, the folder, timings).
VOLATILE = {"id", "started_at", "finished_at", "command", "durations", "duration_s", "resumed", "platform", "cache",
            "out"}


def stable(obj):
    """The results document without what differs between two runs of the same audit."""
    if isinstance(obj, dict):
        return {k: stable(v) for k, v in obj.items() if k not in VOLATILE and not k.endswith("_seconds")}
    if isinstance(obj, list):
        return [stable(v) for v in obj]
    return obj


def test_api_and_cli_write_the_same_results(workdir, tmp_path):
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    args = ["run", "--model", f"tfidf={workdir / 'tfidf.skops'}", "--data", str(workdir / "test.csv"),
            "--sensitive", "gender", "--out", str(cli_out), "--seed", "3", "--quiet"]
    for p in PROBES:
        args += ["--probe", p]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    api = audit.run(models={"tfidf": workdir / "tfidf.skops"}, data=workdir / "test.csv", sensitive="gender",
                    probes=PROBES, out=api_out, seed=3, progress=False)
    api.write()
    cli_doc = json.loads((cli_out / "results.json").read_text())
    api_doc = json.loads((api_out / "results.json").read_text())
    assert cli_doc["run"]["command"].split(" ")[0] == "audit" and api_doc["run"]["command"].startswith("audit.run")
    assert stable(api_doc) == stable(cli_doc)
    for name in ("predictions/metrics--tfidf.jsonl", "predictions/counterfactual--tfidf.jsonl"):
        assert (api_out / name).read_text() == (cli_out / name).read_text()


def test_in_memory_estimator_and_dataframe_match_the_files(workdir, estimator, frame, tmp_path):
    """The same model and data as objects give the same numbers; results.json describes the objects."""
    files = audit.run(models={"m": workdir / "tfidf.skops"}, data=workdir / "test.csv", probes=PROBES,
                      out=tmp_path / "files", progress=False)
    objects = audit.run(models={"m": estimator}, data=frame, probes=PROBES, out=tmp_path / "objects",
                        progress=False)
    assert objects.metrics.equals(files.metrics)
    model = objects.doc["models"][0]
    assert model["source"] == "<in memory: sklearn.pipeline.Pipeline>" and model["details"]["in_memory"]
    assert model["fingerprint"].startswith("sha256:")
    assert objects.doc["dataset"]["source"] == "<in memory: pandas DataFrame, 60 rows>"
    assert objects.doc["dataset"]["fingerprint"] == files.doc["dataset"]["fingerprint"]
    assert "frame" not in objects.doc["run"]["config"]["data"]
    assert objects.doc["run"]["config"]["models"][0]["spec"] == model["source"]


def test_datasets_dataset_and_save_to_disk_folder(workdir, estimator, frame, tmp_path):
    import datasets

    ds = datasets.Dataset.from_pandas(frame)
    base = audit.run(models={"m": estimator}, data=frame, probes=["metrics"], out=tmp_path / "df", progress=False)
    from_ds = audit.run(models={"m": estimator}, data=ds, probes=["metrics"], out=tmp_path / "ds", progress=False)
    dd = datasets.DatasetDict({"train": ds.select(range(10)), "test": ds})
    from_split = audit.run(models={"m": estimator}, data=dd["test"], probes=["metrics"], out=tmp_path / "split",
                           progress=False)
    dd.save_to_disk(str(tmp_path / "saved"))
    from_disk = audit.run(models={"m": estimator}, data=tmp_path / "saved", split="test", probes=["metrics"],
                          out=tmp_path / "disk", progress=False)
    for other in (from_ds, from_split, from_disk):
        assert other.metrics.equals(base.metrics)
        assert other.doc["dataset"]["fingerprint"] == base.doc["dataset"]["fingerprint"]
    assert from_disk.doc["dataset"]["split"] == "test"


def test_callable_with_labels(frame, tmp_path):
    import numpy as np

    def positive_words(texts):
        p = np.array([0.8 if any(w in t.lower() for w in ("great", "wonderful", "loved")) else 0.3 for t in texts])
        return np.stack([1 - p, p], axis=1)

    result = audit.run(models={"words": positive_words}, data=frame, labels=["negative", "positive"],
                       probes=["metrics"], out=tmp_path / "o", progress=False)
    row = result.metrics.set_index("metric").loc["accuracy"]
    predicted = np.where(positive_words(frame.text.tolist())[:, 1] > 0.5, "positive", "negative")
    assert row.value == pytest.approx(float(np.mean(predicted == frame.label.to_numpy())))
    assert result.doc["models"][0]["kind"] == "callable"


def test_config_mapping_and_default_temporary_folder(estimator, frame):
    result = audit.run(models={"m": estimator}, data=frame, config={"probes": {"metrics": {"bootstrap": 200}}},
                       progress=False)
    assert result.folder.is_dir() and result.folder.name.startswith("audit-run-")
    assert result.doc["probes"][0]["config"]["bootstrap"] == 200
    assert result.doc["run"]["config_file"] is None
