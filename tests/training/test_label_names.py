"""`audit train --label-names`: a model trained on integer labels carries their names (TF-IDF .skops
classes, transformer id2label) in the integer order, so `audit run` reports names, the templates
suite applies, and integer test data still lines up by position; bad input is a one-line error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tiny_bert import build_tiny_bert, template_sentences

from audit.cli import main
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.demo.corpus import generate
from audit.models.huggingface import load_hf_model
from audit.models.sklearn_model import load_sklearn_model
from audit.training.label_names import (DUPLICATE_NAME, EMPTY_NAME, NOT_INTEGERS, UNNAMED, WITH_LABEL_MAP,
                                        WRONG_COUNT, name_labels, parse_label_names)
from audit.training.tfidf import summary_path_for

CONFIG = "probes:\n  templates: {bootstrap: 50, max_sets: 3, permutations: 100}\n  metrics: {bootstrap: 50}\n"
WORDS = {0: ["superb", "lovely", "great"], 1: ["awful", "dreadful", "boring"], 2: ["fine", "okay", "average"]}


def write_csv(path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


@pytest.fixture()
def work(tmp_path, monkeypatch):
    """Demo reviews with integer labels (0 negative, 1 positive) and three-class keyword reviews."""
    code = {"negative": 0, "positive": 1}
    write_csv(tmp_path / "train.csv", [(r["text"], code[r["label"]]) for r in generate(300, seed=0, skewed=False)])
    write_csv(tmp_path / "test.csv", [(r["text"], code[r["label"]]) for r in generate(80, seed=1, skewed=False)])
    rng = np.random.default_rng(0)
    three = [(f"the {rng.choice(['film', 'cast', 'plot'])} was {rng.choice(WORDS[y])}", y)
             for y in rng.integers(0, 3, 240).tolist()]
    write_csv(tmp_path / "three.csv", three)
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def audit(model: str, data: str = "test.csv", *probes: str) -> dict:
    out = Path(f"out-{model}")
    args = ["run", "--config", "audit.yaml", "--model", model, "--data", data, "--out", str(out), "-q"]
    res = cli(*args, *[a for p in (probes or ("metrics", "templates")) for a in ("--probe", p)])
    assert res.exit_code == 0, res.output
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def probe_result(doc: dict, name: str) -> dict:
    return next(iter(next(p for p in doc["probes"] if p["name"] == name)["results"].values()))


def test_tfidf_saves_the_names_and_the_audit_reports_them(work):
    res = cli("train", "--arch", "tfidf", "--data", "train.csv", "--out", "named.skops",
              "--label-names", "negative, positive")
    assert res.exit_code == 0, res.output
    assert "The labels are integers" not in res.output
    assert load_sklearn_model("named.skops", name="m").labels == ["negative", "positive"]
    summary = json.loads(summary_path_for(work / "named.skops").read_text(encoding="utf-8"))
    assert summary["labels"] == ["negative", "positive"]
    assert summary["data"]["label_map"] == {"0": "negative", "1": "positive"}
    doc = audit("named.skops")
    assert doc["models"][0]["labels"] == ["negative", "positive"]
    metrics = probe_result(doc, "metrics")
    assert set(metrics["details"]["per_class"]) == {"negative", "positive"}
    assert metrics["metrics"]["accuracy"]["value"] > 0.8  # integer gold labels aligned by position, correctly
    assert probe_result(doc, "templates")["status"] == "ok"  # the sentiment suite speaks of negative/positive
    assert "negative" in (work / "out-named.skops" / "report.md").read_text(encoding="utf-8")

    res = cli("train", "--arch", "tfidf", "--data", "train.csv", "--out", "plain.skops")
    assert res.exit_code == 0 and " ".join(res.output.split()).count(UNNAMED.format(labels="0, 1")) == 1
    plain = audit("plain.skops")  # today's behaviour without names, for contrast
    assert plain["models"][0]["labels"] == ["0", "1"] and probe_result(plain, "templates")["status"] == "not_applicable"


def test_tfidf_class_order_is_the_integer_order(work):
    res = cli("train", "--arch", "tfidf", "--data", "three.csv", "--out", "three.skops",
              "--label-names", "zeta,alpha,mid")  # not alphabetical: scikit-learn alone would sort them
    assert res.exit_code == 0, res.output
    model = load_sklearn_model("three.skops", name="m")
    assert model.labels == ["zeta", "alpha", "mid"]
    proba = model.classifier.predict_proba(["the film was superb", "the cast was awful", "the plot was okay"])
    assert proba.argmax(axis=1).tolist() == [0, 1, 2]
    assert list(model.classifier.estimator.predict(["the film was superb"])) == ["zeta"]
    doc = audit("three.skops", "three.csv", "metrics")
    assert probe_result(doc, "metrics")["metrics"]["accuracy"]["value"] > 0.95  # position alignment is right
    assert list(probe_result(doc, "metrics")["details"]["per_class"]) == ["zeta", "alpha", "mid"]


def test_transformer_saves_id2label_in_the_integer_order(work, tmp_path_factory):
    base = build_tiny_bert(tmp_path_factory.mktemp("tiny_base"))
    rows = [(t, 0 if y == "positive" else 1) for t, y in template_sentences()]  # 0 positive: not alphabetical
    write_csv(work / "sentences.csv", rows)
    res = cli("train", "--data", "sentences.csv", "--base", str(base), "--out", "bert", "--label-names",
              "positive,negative", "--epochs", "2", "--lr", "3e-3", "--batch-size", "8", "--max-length", "64",
              "--val-fraction", "0.2", "--device", "cpu")
    assert res.exit_code == 0, res.output
    config = json.loads((work / "bert" / "config.json").read_text(encoding="utf-8"))
    assert config["id2label"] == {"0": "positive", "1": "negative"}
    assert config["label2id"] == {"positive": 0, "negative": 1}
    summary = json.loads((work / "bert" / "training_summary.json").read_text(encoding="utf-8"))
    assert summary["labels"] == ["positive", "negative"] and summary["data"]["label_map"] == {"0": "positive", "1": "negative"}
    assert load_hf_model("bert", name="bert", device="cpu").labels == ["positive", "negative"]
    doc = audit("bert", "sentences.csv", "metrics")
    assert doc["models"][0]["labels"] == ["positive", "negative"]
    metrics = probe_result(doc, "metrics")
    assert list(metrics["details"]["per_class"]) == ["positive", "negative"]
    assert metrics["metrics"]["accuracy"]["value"] > 0.75  # learnt, and integer gold lined up by position


def test_cli_errors_are_one_line_and_name_the_fix(work):
    res = cli("train", "--arch", "tfidf", "--data", "train.csv", "--out", "m.skops", "--label-names", "negative")
    assert res.exit_code == 2
    assert WRONG_COUNT.format(n=1, names="negative", source="'train.csv'", k=2, labels="'0', '1'") in res.output
    assert ("--label-names gives 1 name(s) (negative) but 'train.csv' has 2 label(s) ('0', '1'); give one name per "
            "label, in ascending order of the integer labels.") in res.output
    write_csv(work / "words.csv", [(r["text"], r["label"]) for r in generate(40, seed=2, skewed=False)])
    res = cli("train", "--arch", "tfidf", "--data", "words.csv", "--out", "m.skops", "--label-names", "a,b")
    assert res.exit_code == 2
    assert ("--label-names names integer labels, but the labels of 'words.csv' are not all integers (found: "
            "'negative', 'positive'); they already name the classes, so leave --label-names out, or rename them with "
            "--label-map RAW=NAME.") in res.output
    res = cli("train", "--arch", "tfidf", "--data", "train.csv", "--out", "m.skops", "--label-names", "a,b",
              "--label-map", "0=a")
    assert res.exit_code == 2 and WITH_LABEL_MAP in res.output
    assert not (work / "m.skops").exists()


def test_names_parse_and_map_in_numeric_order():
    assert parse_label_names(" negative , positive ") == ["negative", "positive"]
    with pytest.raises(AuditError) as err:
        parse_label_names("negative,,positive")
    assert str(err.value) == EMPTY_NAME.format(given="negative,,positive")
    assert str(err.value) == ("--label-names has an empty name in 'negative,,positive'; give one name per label, "
                              "separated by commas, e.g. --label-names negative,positive.")
    with pytest.raises(AuditError) as err:
        parse_label_names("a,b,a")
    assert str(err.value) == DUPLICATE_NAME.format(name="a") == "--label-names gives the name 'a' twice; give each label its own name."
    labels = ["10", "2", "0", "1", "2", "10"] + [str(k) for k in range(3, 10)]
    data = Dataset([str(i) for i in range(len(labels))], ["t"] * len(labels), labels, "mem")
    names = [f"c{k}" for k in range(11)]
    named, order = name_labels(data, names)
    assert order == names and named.labels[:6] == ["c10", "c2", "c0", "c1", "c2", "c10"]  # 10 after 9, not after 1
    assert named.label_map["10"] == "c10" and named.fingerprint != data.fingerprint
    with pytest.raises(AuditError) as err:
        name_labels(Dataset(["1", "2"], ["a", "b"], ["-1", "x"], "mem"), ["p", "q"])
    assert str(err.value) == NOT_INTEGERS.format(source="'mem'", labels="'-1', 'x'")
    negative, _ = name_labels(Dataset(["1", "2"], ["a", "b"], ["1", "-1"], "mem"), ["neg", "pos"])
    assert negative.labels == ["pos", "neg"]  # -1 comes first
