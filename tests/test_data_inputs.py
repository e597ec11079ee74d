"""Inputs people have: a datasets save_to_disk folder (Dataset or DatasetDict), a JSON file keyed
by task (AdvGLUE's dev.json) with --data-key, and a text file in another encoding."""

from __future__ import annotations

import json

import datasets
import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.core.errors import AuditError
from audit.data_loader import DataConfig, load_dataset

ROWS = {"sentence": ["a fine film", "a dull film", "great fun"], "label": [1, 0, 1]}


def test_a_save_to_disk_dataset_and_dataset_dict(tmp_path):
    datasets.Dataset.from_dict(ROWS).save_to_disk(str(tmp_path / "ds"))
    data = load_dataset(DataConfig(str(tmp_path / "ds")))
    assert data.texts == ROWS["sentence"] and data.labels == ["1", "0", "1"]
    dd = datasets.DatasetDict({"train": datasets.Dataset.from_dict(ROWS),
                               "validation": datasets.Dataset.from_dict({"sentence": ["ok"], "label": [1]})})
    dd.save_to_disk(str(tmp_path / "dd"))
    assert load_dataset(DataConfig(str(tmp_path / "dd"))).texts == ["ok"]  # validation before train
    assert load_dataset(DataConfig(str(tmp_path / "dd"), split="train")).texts == ROWS["sentence"]
    with pytest.raises(AuditError, match="Split 'test' not found.*train, validation"):
        load_dataset(DataConfig(str(tmp_path / "dd"), split="test"))


def test_a_json_file_keyed_by_task(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"sst2": [{"sentence": "a fine film", "label": 1, "idx": 0},
                                         {"sentence": "a dull film", "label": 0, "idx": 1}],
                                "qqp": [{"question1": "why?", "question2": "how?", "label": 0, "idx": 0}]}),
                    encoding="utf-8")
    with pytest.raises(AuditError, match=r"one list of examples per key \(sst2, qqp\); pick one with --data-key"):
        load_dataset(DataConfig(str(path)))
    assert load_dataset(DataConfig(str(path), key="sst2")).texts == ["a fine film", "a dull film"]
    assert load_dataset(DataConfig(str(path), key="qqp")).is_pair
    with pytest.raises(AuditError, match=r"no key 'mnli'.*keys: sst2, qqp"):
        load_dataset(DataConfig(str(path), key="mnli"))


def test_an_encoding_other_than_utf8(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("text,label\ncafé au lait,positive\nthé froid,negative\n".encode("latin-1"))
    with pytest.raises(AuditError, match="not valid UTF-8"):
        load_dataset(DataConfig(str(path)))
    assert load_dataset(DataConfig(str(path), encoding="latin-1")).texts == ["café au lait", "thé froid"]
    with pytest.raises(AuditError, match="Unknown encoding 'klingon'"):
        load_dataset(DataConfig(str(path), encoding="klingon"))


def test_the_flags_reach_the_loader(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"a": [{"text": "x", "label": "p"}], "b": [{"text": "y", "label": "q"}]}), encoding="utf-8")
    res = CliRunner().invoke(main, ["run", "--model", "nowhere.skops", "--data", str(path), "--data-key", "zzz",
                                    "--out", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 2 and "no key 'zzz'" in res.output, res.output


def test_a_text_file_one_example_per_line_with_one_label(tmp_path):
    path = tmp_path / "complaints.txt"
    path.write_text("the service was slow\n\nnever again\n  \nrefund please\n", encoding="utf-8")
    with pytest.raises(AuditError, match="texts only.*--label-value NAME"):
        load_dataset(DataConfig(str(path)))
    data = load_dataset(DataConfig(str(path), label_value="negative"))
    assert data.texts == ["the service was slow", "never again", "refund please"] and set(data.labels) == {"negative"}
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("text,label\nx,a\ny,b\n", encoding="utf-8")
    with pytest.raises(AuditError, match="has a label column"):
        load_dataset(DataConfig(str(csv_path), label_value="a"))
