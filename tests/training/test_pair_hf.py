"""`audit train` fine-tunes a pair classifier (tiny BERT): it learns a task that needs both texts,
config.json records `audit_input`, `audit run` audits it on pairs, and a model declaring one kind
of input refuses the other before any probe; models that declare nothing are not checked."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score
from tiny_bert import build_tiny_bert, template_sentences

from audit.cli import main
from audit.core.dataset import Dataset
from audit.models.huggingface import INPUT_MARKER, load_hf_model
from audit.runner import READS_PAIRS, READS_TEXTS
from audit.training.hf_trainer import SUMMARY_FILE, train_hf

TRAIN_ARGS = ["--epochs", "3", "--lr", "3e-3", "--batch-size", "8", "--max-length", "64", "--val-fraction", "0.2",
              "--device", "cpu"]


def reply_pairs(seed: int, step: int = 1) -> list[tuple[str, str, int]]:
    """(review, reply, 1 when the reply is positive): every first review once with a negative and once
    with a positive reply, so the first text alone is at chance and only the second text (the pair as
    `audit train` tokenizes it) carries the label. (Agreement of the two, an XOR, is beyond a tiny
    BERT in a few epochs.)"""
    rows = template_sentences()
    rng = random.Random(seed)
    out = []
    for a, _ in rows[::step]:
        for positive in (0, 1):
            b = rng.choice([t for t, y in rows if (y == "positive") == bool(positive) and t != a])
            out.append((a, b, positive))
    return out


def write_rows(path: Path, header: list[str], rows: list) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    root = tmp_path_factory.mktemp("pair_hf")
    base = build_tiny_bert(root / "base", labels=("negative", "positive"))
    write_rows(root / "train.csv", ["sentence1", "sentence2", "label"], reply_pairs(0))
    write_rows(root / "test.csv", ["sentence1", "sentence2", "label"], reply_pairs(1, step=2))
    write_rows(root / "single.csv", ["text", "label"], [(t, y) for t, y in template_sentences()[:40]])
    res = cli("train", "--data", root / "train.csv", "--base", base, "--out", root / "pair-bert",
              "--label-names", "negative,positive", *TRAIN_ARGS)
    assert res.exit_code == 0, res.output
    return root, base, res.output


def test_pair_finetune_learns_records_the_marker_and_audits(work):
    root, _, output = work
    assert "464 sentence pairs ('sentence1', 'sentence2'), labels negative, positive" in " ".join(output.split())
    config = json.loads((root / "pair-bert" / "config.json").read_text(encoding="utf-8"))
    assert config[INPUT_MARKER] == "pair" and config["id2label"] == {"0": "negative", "1": "positive"}
    summary = json.loads((root / "pair-bert" / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["task"] == "pair" and summary["validation"]["accuracy"] >= 0.8  # chance is 0.5
    assert summary["data"]["label_map"] == {"0": "negative", "1": "positive"}

    res = cli("run", "--model", f"pairs={root / 'pair-bert'}", "--data", root / "test.csv", "--out", root / "audit",
              "--probe", "metrics", "-q")
    assert res.exit_code == 0, res.output
    doc = json.loads((root / "audit" / "results.json").read_text(encoding="utf-8"))
    assert doc["models"][0]["details"]["input"] == "pair" and doc["dataset"]["task"] == "pair"
    accuracy = doc["probes"][0]["results"]["pairs"]["metrics"]["accuracy"]["value"]
    rows = reply_pairs(1, step=2)  # scored again outside the audit, from the saved directory
    model = load_hf_model(str(root / "pair-bert"), name="m", device="cpu")
    pred = [model.labels[j] for j in model.classifier.predict_proba([(a, b) for a, b, _ in rows]).argmax(1)]
    gold = [["negative", "positive"][y] for _, _, y in rows]
    assert accuracy == pytest.approx(accuracy_score(gold, pred), abs=1e-12) and accuracy >= 0.8
    first_only = model.classifier.predict_proba([a for a, _, _ in rows]).argmax(1)
    assert accuracy_score(gold, [model.labels[j] for j in first_only]) == 0.5  # each first text has both labels


def test_pair_model_on_single_texts_stops_before_any_probe(work):
    root, _, _ = work
    res = cli("run", "--model", f"pairs={root / 'pair-bert'}", "--data", root / "single.csv", "--out", root / "a2",
              "-q")
    assert res.exit_code == 2
    message = (f"Model 'pairs' was trained on sentence pairs but '{root / 'single.csv'}' gives single texts "
               "(column 'text'); audit it on pair data, naming the second text with --text-pair-col, or audit a "
               "single-text model.")
    assert message == READS_PAIRS.format(name="pairs", source=f"'{root / 'single.csv'}'", text="text")
    assert " ".join(res.output.split()) == f"Error: {message}"
    assert json.loads((root / "a2" / "results.json").read_text(encoding="utf-8"))["probes"] == []


def test_text_model_on_pairs_stops_before_any_probe(work):
    root, base, _ = work
    texts = template_sentences()[::4]
    data = Dataset(ids=[str(i) for i in range(len(texts))], texts=[t for t, _ in texts],
                   labels=[y for _, y in texts], source="templates")
    summary = train_hf(str(base), data, root / "text-bert", labels=["negative", "positive"], epochs=1,
                       batch_size=16, max_length=32, val_fraction=0.1, device="cpu")
    assert summary["task"] == "text"
    assert json.loads((root / "text-bert" / "config.json").read_text(encoding="utf-8"))[INPUT_MARKER] == "text"
    res = cli("run", "--model", f"texts={root / 'text-bert'}", "--data", root / "test.csv", "--out", root / "a3", "-q")
    assert res.exit_code == 2
    message = (f"Model 'texts' was trained on single texts but '{root / 'test.csv'}' gives sentence pairs (columns "
               "'sentence1' and 'sentence2'); audit it on one text column (--text-col sentence1, no "
               "--text-pair-col), or audit a pair model.")
    assert message == READS_TEXTS.format(name="texts", source=f"'{root / 'test.csv'}'", text="sentence1",
                                         pair="sentence2")
    assert " ".join(res.output.split()) == f"Error: {message}"
    # The fix the message gives works: one text column is single texts.
    res = cli("run", "--model", f"texts={root / 'text-bert'}", "--data", root / "test.csv", "--text-col",
              "sentence1", "--label-col", "label", "--label-map", "0=negative", "--label-map", "1=positive",
              "--out", root / "a4", "--probe", "metrics", "-q")
    assert res.exit_code == 0, res.output


def test_a_model_that_declares_nothing_is_not_checked(work):
    root, base, _ = work  # build_tiny_bert's directory: a foreign model, no audit_input in its config
    assert "input" not in load_hf_model(str(base), name="b", device="cpu").details
    for data in ("test.csv", "single.csv"):
        res = cli("run", "--model", f"foreign={base}", "--data", root / data, "--out", root / f"f-{data}",
                  "--probe", "metrics", "-q")
        assert res.exit_code == 0, res.output
