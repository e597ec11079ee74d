"""Real data: train the TF-IDF baseline on SST-2 and audit it on the dev set through the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score, f1_score

from audit.cli import main
from audit.models.sklearn_model import load_sklearn_model


@pytest.mark.slow
def test_sst2_tfidf_audit(shared_data, tmp_path):
    runner = CliRunner()
    model = tmp_path / "sst2.skops"
    res = runner.invoke(main, ["train", "--data", str(shared_data / "sst2" / "train.tsv"), "--arch", "tfidf",
                               "--limit", "6000", "--out", str(model)])
    assert res.exit_code == 0, res.output
    dev = shared_data / "sst2" / "dev.tsv"
    res = runner.invoke(main, ["run", "--model", str(model), "--data", str(dev), "--out", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["dataset"]["size"] == 872 and doc["dataset"]["label_counts"] == {"0": 428, "1": 444}
    metrics = doc["probes"][0]["results"]["sst2"]["metrics"]
    # independent check: predict with the saved model directly and score with scikit-learn
    lines = dev.read_text(encoding="utf-8").splitlines()[1:]
    texts = [line.rsplit("\t", 1)[0] for line in lines]
    gold = [line.rsplit("\t", 1)[1] for line in lines]
    clf = load_sklearn_model(str(model), name="direct").classifier
    pred = np.array(clf.labels)[clf.predict_proba(texts).argmax(1)]
    assert metrics["accuracy"]["value"] == pytest.approx(accuracy_score(gold, pred))
    assert metrics["f1_macro"]["value"] == pytest.approx(f1_score(gold, pred, average="macro"))
    assert metrics["accuracy"]["value"] > 0.7
