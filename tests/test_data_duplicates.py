"""Duplicate column names are refused with the names (pandas would rename the second to 'text.1'
and json.loads would keep the last key, so a silent pick would audit the wrong column)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.core.errors import AuditError
from audit.data_loader import DataConfig, load_dataset


def write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name,content,needle", [
    ("d.csv", "text,label,text\ngood film,positive,bad film\nbad film,negative,good\n", "'text' (columns 1, 3)"),
    ("d.tsv", "text\tlabel\tlabel\ngood\tpositive\tnegative\n", "'label' (columns 2, 3)"),
    ("d.jsonl", '{"text": "good", "label": "positive", "text": "bad"}\n', "'text'"),
    ("d.json", '[{"text": "good", "label": "positive", "label": "negative"}]', "'label'"),
])
def test_duplicate_columns_in_text_files(tmp_path, name, content, needle):
    with pytest.raises(AuditError, match="duplicate column names") as err:
        load_dataset(DataConfig(str(write(tmp_path, name, content))))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_duplicate_columns_in_parquet(tmp_path):
    table = pa.table([pa.array(["good", "bad"]), pa.array(["positive", "negative"]), pa.array(["x", "y"])],
                     names=["text", "label", "text"])
    pq.write_table(table, tmp_path / "d.parquet")
    with pytest.raises(AuditError, match=r"duplicate column names: 'text' \(columns 1, 3\)"):
        load_dataset(DataConfig(str(tmp_path / "d.parquet")))


def test_distinct_names_still_load(tmp_path):
    data = load_dataset(DataConfig(str(write(tmp_path, "d.csv", "text,label,text_b\ngood,positive,x\nbad,negative,y\n"))))
    assert data.texts == ["good", "bad"]
    assert pd.read_csv(tmp_path / "d.csv").shape == (2, 3)
