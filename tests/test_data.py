"""Data loading: every format, column detection, label normalisation, sampling and each user error."""

from __future__ import annotations

import json
import sys
import time
import types
from collections import Counter

import pandas as pd
import pytest

from audit import data_readers
from audit.data_loader import DataConfig, load_dataset, stratified_sample
from audit.core.errors import AuditError

ROWS = [
    {"text": ' He said "great" ', "label": 1, "group": "a"},
    {"text": "it's 'fine', really", "label": 0, "group": None},
    {"text": "tab-free; commas, and \"quotes\"", "label": 1, "group": "b"},
]


def raises_one_line(cfg: DataConfig, *fragments: str) -> str:
    with pytest.raises(AuditError) as info:
        load_dataset(cfg)
    msg = str(info.value)
    assert "\n" not in msg
    for fragment in fragments:
        assert fragment in msg, msg
    return msg


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def write_all_formats(tmp_path) -> dict[str, str]:
    frame = pd.DataFrame(ROWS)
    paths = {ext: str(tmp_path / f"d.{ext}") for ext in ("csv", "jsonl", "json", "parquet", "tsv")}
    frame.to_csv(paths["csv"], index=False)
    frame.to_json(paths["jsonl"], orient="records", lines=True)
    frame.to_json(paths["json"], orient="records")
    frame.to_parquet(paths["parquet"])
    tsv = "text\tlabel\tgroup\n" + "".join(f"{r['text']}\t{r['label']}\t{r['group'] or ''}\n" for r in ROWS)
    write(tmp_path, "d.tsv", tsv)
    return paths


@pytest.mark.parametrize("ext", ["csv", "tsv", "jsonl", "json", "parquet"])
def test_every_format_loads_the_same_rows(tmp_path, ext):
    path = write_all_formats(tmp_path)[ext]
    data = load_dataset(DataConfig(path, sensitive=("group",)))
    assert data.texts == [r["text"] for r in ROWS]  # kept exactly: quotes, outer spaces
    assert data.labels == ["1", "0", "1"]
    assert data.ids == ["0", "1", "2"]
    assert data.attributes == {"group": ["a", None, "b"]}
    assert data.columns == {"text": "text", "label": "label", "id": None, "sensitive": ["group"]}
    assert data.split is None


def test_fingerprint_is_the_same_across_formats_and_reloads(tmp_path):
    paths = write_all_formats(tmp_path)
    prints = {load_dataset(DataConfig(p)).fingerprint for p in paths.values()}
    assert len(prints) == 1
    assert load_dataset(DataConfig(paths["csv"])).fingerprint in prints
    changed = write(tmp_path, "e.csv", 'text,label\n" He said ""great"" ",1\nother,0\nx,1\n')
    assert load_dataset(DataConfig(changed)).fingerprint not in prints


def test_json_as_columns_and_wrapped_records(tmp_path):
    cols = write(tmp_path, "c.json", json.dumps({"text": ["a", "b"], "label": [0, 1]}))
    wrapped = write(tmp_path, "w.json", json.dumps({"data": [{"text": "a", "label": 0}, {"text": "b", "label": 1}]}))
    for path in (cols, wrapped):
        assert load_dataset(DataConfig(path)).labels == ["0", "1"]


def test_tsv_ignores_quote_characters(tmp_path):
    path = write(tmp_path, "q.tsv", 'sentence\tlabel\n"a quoted start\t1\nend quote"\t0\n')
    assert load_dataset(DataConfig(path)).texts == ['"a quoted start', 'end quote"']


def test_auto_detects_columns_case_insensitively_in_priority_order(tmp_path):
    path = write(tmp_path, "r.csv", "Body,Review,Sentiment\nb1,r1,pos\nb2,r2,neg\n")
    data = load_dataset(DataConfig(path))
    assert data.columns["text"] == "Review" and data.columns["label"] == "Sentiment"
    assert data.texts == ["r1", "r2"]


def test_float_and_string_float_labels_become_integer_strings(tmp_path):
    jsonl = write(tmp_path, "f.jsonl", '{"text": "a", "label": 1.0}\n\n{"text": "b", "label": 0.0}\n')
    csv_path = write(tmp_path, "f.csv", "text,label\na,1.0\nb,0\nc,2.5\n")
    assert load_dataset(DataConfig(jsonl)).labels == ["1", "0"]
    assert load_dataset(DataConfig(csv_path)).labels == ["1", "0", "2.5"]


def test_id_column_and_sensitive_values_as_strings(tmp_path):
    path = write(tmp_path, "i.jsonl", '{"id": 7, "text": "a", "label": "x", "age": 30}\n{"id": 9, "text": "b", "label": "y", "age": null}\n')
    data = load_dataset(DataConfig(path, id_col="id", sensitive=("age",)))
    assert data.ids == ["7", "9"]
    assert data.attributes == {"age": ["30", None]}


def test_label_map_applies_and_is_recorded_as_strings(tmp_path):
    path = write(tmp_path, "m.csv", "text,label\na,0\nb,1\nc,1\n")
    data = load_dataset(DataConfig(path, label_map={0: "negative", "1": "positive"}))
    assert data.labels == ["negative", "positive", "positive"]
    assert data.label_map == {"0": "negative", "1": "positive"}


# ---- errors: one line, what is wrong and how to fix it -------------------------------------


def test_missing_file(tmp_path):
    raises_one_line(DataConfig(str(tmp_path / "nope.csv")), "not found", "nope.csv", "Check the path")


def test_unsupported_extension_lists_supported(tmp_path):
    path = write(tmp_path, "d.xlsx", "whatever")
    raises_one_line(DataConfig(path), "unsupported file type '.xlsx'", ".csv, .tsv, .jsonl, .json, .parquet")


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("bad.csv", "text,label\na,1\nb,1,extra\n", "Expected 2 fields in line 3"),
        ("bad.jsonl", '{"text": "a", "label": 1}\n{"text": \n', "line 2"),
        ("bad2.jsonl", '{"text": "a", "label": 1}\n[1, 2]\n', "line 2 is a list"),
        ("bad.json", '{"text": "a"', "Expecting"),
        ("bad.parquet", b"not parquet at all", "parquet"),
    ],
)
def test_malformed_file(tmp_path, name, content, fragment):
    path = write(tmp_path, name, content)
    raises_one_line(DataConfig(path), "Cannot parse", fragment, "Fix the file")


def test_non_utf8_file_names_byte_offset(tmp_path):
    path = write(tmp_path, "l.csv", "text,label\ncaf".encode() + b"\xe9,1\n")
    raises_one_line(DataConfig(path), "not valid UTF-8", "byte 14", "0xe9", "Re-encode")


def test_unknown_column_lists_existing(tmp_path):
    path = write(tmp_path, "d.csv", "text,label,grp\na,1,x\n")
    raises_one_line(DataConfig(path, text_col="body"), "Column 'body' (--text-col) not found", "Columns: text, label, grp")
    raises_one_line(DataConfig(path, id_col="uid"), "'uid' (--id-col)")
    raises_one_line(DataConfig(path, sensitive=("gender",)), "'gender' (--sensitive)")


def test_no_text_or_label_column_found(tmp_path):
    path = write(tmp_path, "d.csv", "phrase,label\na,1\n")
    raises_one_line(DataConfig(path), "No text column found", "Columns: phrase, label", "--text-col")
    path = write(tmp_path, "e.csv", "text,y\na,1\n")
    raises_one_line(DataConfig(path), "No label column found", "--label-col")


@pytest.mark.parametrize("content", ["", "text,label\n", "text,label\n\n\n"])
def test_empty_dataset(tmp_path, content):
    raises_one_line(DataConfig(write(tmp_path, "e.csv", content)), "has no rows")


def test_empty_texts_counted_with_their_ids(tmp_path):
    path = write(tmp_path, "e.csv", 'id,text,label\nr1,ok,1\nr2,"   ",0\nr3,,1\n')
    raises_one_line(DataConfig(path, id_col="id"), "2 empty or whitespace-only", "row ids 'r2', 'r3'", "Clean or drop")


def test_missing_labels(tmp_path):
    path = write(tmp_path, "m.jsonl", '{"text": "a", "label": 1}\n{"text": "b", "label": null}\n{"text": "c"}\n')
    raises_one_line(DataConfig(path), "2 missing label(s)", "column 'label'", "row id '1'")


def test_duplicate_ids(tmp_path):
    path = write(tmp_path, "d.csv", "id,text,label\nx,a,1\ny,b,0\nx,c,1\n")
    raises_one_line(DataConfig(path, id_col="id"), "Duplicate id 'x'", "unique")


@pytest.mark.parametrize("limit", [0, -3])
def test_limit_must_be_positive(tmp_path, limit):
    path = write(tmp_path, "d.csv", "text,label\na,1\n")
    raises_one_line(DataConfig(path, limit=limit), f"got {limit}", "--limit N")


def test_label_map_leaving_labels_unmapped(tmp_path):
    path = write(tmp_path, "d.csv", "text,label\na,0\nb,1\nc,2\n")
    raises_one_line(DataConfig(path, label_map={0: "negative"}), "unmapped: '1', '2'", "--label-map 1=NAME")


# ---- stratified limit -----------------------------------------------------------------------


def test_stratified_limit_keeps_proportions_order_and_seed(tmp_path):
    lines = "".join(f"t{i},{'a' if i % 10 else 'b'}\n" for i in range(1000))  # 900 a, 100 b
    path = write(tmp_path, "s.csv", "text,label\n" + lines)
    one = load_dataset(DataConfig(path, limit=100, seed=1))
    assert Counter(one.labels) == {"a": 90, "b": 10}
    assert [int(i) for i in one.ids] == sorted(int(i) for i in one.ids)
    assert all(one.texts[k] == f"t{one.ids[k]}" for k in range(len(one)))
    assert load_dataset(DataConfig(path, limit=100, seed=1)).ids == one.ids
    assert load_dataset(DataConfig(path, limit=100, seed=2)).ids != one.ids
    assert len(load_dataset(DataConfig(path, limit=5000))) == 1000


def test_stratified_sample_keeps_every_class_when_possible():
    labels = ["a"] * 98 + ["b", "c"]
    picked = stratified_sample(labels, 10, seed=0)
    assert len(picked) == 10 and Counter(labels[i] for i in picked) == {"a": 8, "b": 1, "c": 1}
    assert len(stratified_sample(labels, 2, seed=0)) == 2


# ---- Hugging Face datasets ------------------------------------------------------------------


def fake_datasets(monkeypatch, splits: dict[str, dict], calls: list):
    """A stand-in for the `datasets` module: load_dataset returns a dict of split -> frame holder."""

    class Split:
        def __init__(self, columns):
            self.columns = columns

        def to_pandas(self):
            return pd.DataFrame(self.columns)

    def load(name, config=None):
        calls.append((name, config))
        return {k: Split(v) for k, v in splits.items()}

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load))


def test_hf_dataset_default_split_preference(monkeypatch):
    calls: list = []
    fake_datasets(monkeypatch, {"train": {"sentence": ["t"], "label": [0]},
                                "validation": {"sentence": ["v1", "v2"], "label": [1, 0]}}, calls)
    data = load_dataset(DataConfig("glue:sst2"))
    assert calls == [("glue", "sst2")]
    assert data.split == "validation" and data.texts == ["v1", "v2"] and data.labels == ["1", "0"]
    assert load_dataset(DataConfig("glue:sst2:train")).texts == ["t"]
    assert load_dataset(DataConfig("glue", split="train")).split == "train"


def test_hf_unknown_split(monkeypatch):
    fake_datasets(monkeypatch, {"train": {"text": ["t"], "label": [0]}}, [])
    raises_one_line(DataConfig("imdb:plain_text:test"), "Split 'test' not found", "Splits: train")


def test_hf_dataset_unavailable_offline_is_fast_and_one_line(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets  # noqa: F401  (a hard dependency: its absence fails, never skips)
    import datasets.config

    if not datasets.config.HF_DATASETS_OFFLINE:
        pytest.skip("datasets was imported before offline mode was set")
    start = time.perf_counter()
    raises_one_line(DataConfig("audit-tests/no-such-dataset"), "not available offline", "give a local file path")
    assert time.perf_counter() - start < 10


def test_hf_connection_error_maps_to_offline_message(monkeypatch):
    def load(name, config=None):
        raise ConnectionError("Couldn't reach 'x' on the Hub (OfflineModeIsEnabled)\nmore detail")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load))
    raises_one_line(DataConfig("x"), "Hugging Face dataset 'x' is not available offline", "OfflineModeIsEnabled")


def test_source_kind_detection(tmp_path):
    assert data_readers.is_file_source("data/train.csv")
    assert data_readers.is_file_source("./data")
    assert data_readers.is_file_source("notes.xlsx")
    assert not data_readers.is_file_source("glue:sst2:validation")
    assert not data_readers.is_file_source("stanfordnlp/sst2")
    assert not data_readers.is_file_source("imdb")


# ---- real reference data ---------------------------------------------------------------------


def test_sst2_dev(shared_data):
    data = load_dataset(DataConfig(str(shared_data / "sst2" / "dev.tsv")))
    assert len(data) == 872
    assert Counter(data.labels) == {"0": 428, "1": 444}
    assert data.texts[0] == "it 's a charming and often affecting journey . "
    raw = (shared_data / "sst2" / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert data.texts == [line.rsplit("\t", 1)[0] for line in raw]  # byte for byte, spaces kept


def test_hatecheck_cases(shared_data):
    cfg = DataConfig(str(shared_data / "hatecheck" / "test_suite_cases.csv"), text_col="test_case",
                     label_col="label_gold", id_col="case_id", sensitive=("target_ident",))
    data = load_dataset(cfg)
    assert len(data) == 3728
    assert Counter(data.labels) == {"hateful": 2563, "non-hateful": 1165}
    assert data.texts[0] == "I hate women. " and data.attributes["target_ident"][0] == "women"
    assert data.attributes["target_ident"].count(None) == 292
    assert len(set(data.ids)) == 3728


def test_id_column_found_by_name_when_unique(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("ID,text,label\nx1,good,1\nx2,bad,0\n", encoding="utf-8")
    assert load_dataset(DataConfig(source=str(path))).ids == ["x1", "x2"]
    path.write_text("id,text,label\nx1,good,1\nx1,bad,0\n", encoding="utf-8")  # not unique: row numbers
    assert load_dataset(DataConfig(source=str(path))).ids == ["0", "1"]


def test_non_string_texts_are_refused(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "fine", "label": 1}\n{"text": 5, "label": 0}\n{"text": ["a"], "label": 0}\n', encoding="utf-8")
    with pytest.raises(AuditError) as e:
        load_dataset(DataConfig(source=str(path)))
    assert "2 value(s)" in str(e.value) and "row id '1'" in str(e.value)
