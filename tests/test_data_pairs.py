"""Sentence-pair data (paraphrase, inference): both text columns found by name or given by flag,
SNLI's '-' rows dropped and counted, every bad pair column a one-line error; real MRPC and SNLI."""

from __future__ import annotations

import json

import pytest

from audit.core.errors import AuditError
from audit.data_loader import DataConfig, load_dataset


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def one_line(cfg: DataConfig, *fragments: str) -> str:
    with pytest.raises(AuditError) as info:
        load_dataset(cfg)
    msg = str(info.value)
    assert "\n" not in msg
    for fragment in fragments:
        assert fragment in msg, msg
    return msg


@pytest.mark.parametrize("first, second", [("sentence1", "sentence2"), ("premise", "hypothesis"),
                                           ("Question1", "Question2"), ("question", "sentence")])
def test_known_pair_columns_are_found_without_flags(tmp_path, first, second):
    path = write(tmp_path, "p.csv", f"{first},{second},label\na cat sits,a cat is sitting,1\nit rains,it is dry,0\n")
    data = load_dataset(DataConfig(path))
    assert data.is_pair and data.texts == ["a cat sits", "it rains"] and data.text_pairs == ["a cat is sitting", "it is dry"]
    assert data.inputs == [("a cat sits", "a cat is sitting"), ("it rains", "it is dry")]
    assert data.columns["text"] == first and data.columns["text_pair"] == second
    assert data.describe()["task"] == "pair"


def test_flags_name_both_columns_and_a_single_text_stays_single(tmp_path):
    path = write(tmp_path, "p.csv", "a,b,text,label\nx1,y1,t1,1\nx2,y2,t2,0\n")
    pair = load_dataset(DataConfig(path, text_col="a", text_pair_col="b"))
    assert pair.inputs == [("x1", "y1"), ("x2", "y2")]
    single = load_dataset(DataConfig(path))
    assert not single.is_pair and single.inputs == ["t1", "t2"] and single.describe()["task"] == "text"


def test_a_pair_hashes_differently_from_its_texts(tmp_path):
    path = write(tmp_path, "p.csv", "text,text2,label\nx,y,1\n")
    single = load_dataset(DataConfig(path))
    pair = load_dataset(DataConfig(path, text_pair_col="text2"))
    assert single.fingerprint != pair.fingerprint
    assert pair.subset([0]).fingerprint == pair.fingerprint and pair.subset([0]).text_pairs == ["y"]


def test_missing_pair_column_lists_the_columns(tmp_path):
    path = write(tmp_path, "p.csv", "sentence1,sentence2,label\nx,y,1\n")
    one_line(DataConfig(path, text_pair_col="hypothesis"), "Column 'hypothesis' (--text-pair-col) not found",
             "Columns: sentence1, sentence2, label")


def test_one_side_empty_is_counted_with_ids(tmp_path):
    path = write(tmp_path, "p.csv", 'id,premise,hypothesis,label\nr1,x,y,1\nr2,x," ",0\nr3,x,,1\n')
    one_line(DataConfig(path, id_col="id"), "2 empty or whitespace-only text(s) in column 'hypothesis'",
             "row ids 'r2', 'r3'")


def test_no_gold_label_rows_are_dropped_and_counted(tmp_path):
    rows = [{"sentence1": f"s{i}", "sentence2": f"t{i}", "gold_label": y}
            for i, y in enumerate(["entailment", "-", "neutral", "-", "contradiction"])]
    path = write(tmp_path, "snli.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    data = load_dataset(DataConfig(path))
    assert data.texts == ["s0", "s2", "s4"] and data.labels == ["entailment", "neutral", "contradiction"]
    assert data.ids == ["0", "2", "4"]  # row numbers of the file, as before the drop
    assert data.describe()["dropped_rows"] == {"no_gold_label": 2}
    everything = write(tmp_path, "none.jsonl", json.dumps({**rows[1]}) + "\n")
    one_line(DataConfig(everything), "has no rows with a gold label")


def test_real_mrpc_dev(shared_data):
    data = load_dataset(DataConfig(str(shared_data / "pairs" / "mrpc" / "dev.tsv")))
    assert len(data) == 398 and data.is_pair and set(data.labels) == {"0", "1"}
    assert data.columns["text"] == "#1 String" and data.columns["text_pair"] == "#2 String"
    assert data.columns["label"] == "Quality" and not data.dropped
    assert not data.texts[0].startswith("\ufeff")


def test_real_snli_dev_drops_the_unlabelled_rows(shared_data):
    path = shared_data / "pairs" / "snli" / "dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = load_dataset(DataConfig(str(path)))
    unlabelled = sum(r["gold_label"] == "-" for r in rows)
    assert unlabelled == 16 and len(data) == len(rows) - unlabelled == 1273
    assert data.dropped == {"no_gold_label": 16}
    assert data.label_names == ["contradiction", "entailment", "neutral"]
    assert data.inputs[0] == (rows[0]["sentence1"], rows[0]["sentence2"])


def test_repeating_text_col_names_the_pair_flag(tmp_path):
    from click.testing import CliRunner

    from audit.cli import main

    path = write(tmp_path, "p.csv", "s1,s2,label\nx,y,1\n")
    res = CliRunner().invoke(main, ["run", "--model", "m=tests.nowhere:f", "--data", path, "--text-col", "s1",
                                    "--text-col", "s2"])
    assert res.exit_code == 2
    assert ("--text-col was given 2 times (s1, s2); for sentence pairs pass the first with --text-col and the "
            "second with --text-pair-col, e.g. --text-col s1 --text-pair-col s2.") in res.output
