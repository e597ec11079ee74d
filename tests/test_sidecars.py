"""Prediction sidecars: rows joined by id in the first model's order, malformed files named by file and line,
paths outside the results directory refused."""

from __future__ import annotations

import json

import pytest

from audit.core.errors import AuditError
from audit.predictions.sidecars import load_sidecar, paired_correctness


def test_sidecars_pair_by_id_in_first_models_order(tmp_path):
    (tmp_path / "predictions").mkdir()
    rows_a = [{"id": "1", "label": "pos", "predicted": "pos", "proba": [0.1, 0.9]},
              {"id": "2", "label": "neg", "predicted": "pos", "proba": [0.4, 0.6]},
              {"id": "3", "label": "neg", "predicted": "neg", "proba": [0.8, 0.2]}]
    rows_b = [{"id": 3, "label": "neg", "predicted": "pos", "proba": [0.3, 0.7]},
              {"id": "1", "label": "pos", "predicted": "pos", "proba": [0.2, 0.8]}]
    for name, rows in (("a", rows_a), ("b", rows_b)):
        (tmp_path / "predictions" / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    a = load_sidecar(tmp_path, {"predictions_file": "predictions/a.jsonl"})
    b = load_sidecar(tmp_path, {"predictions_file": "predictions/b.jsonl"})
    ids, ca, cb = paired_correctness(a, b)
    assert ids == ["1", "3"]
    assert ca.tolist() == [True, True] and cb.tolist() == [True, False]
    assert load_sidecar(tmp_path, {"status": "ok"}) is None
    assert load_sidecar(tmp_path, {"predictions_file": "predictions/missing.jsonl"}) is None




def _write(tmp_path, text: str):
    (tmp_path / "predictions").mkdir(exist_ok=True)
    (tmp_path / "predictions" / "a.jsonl").write_bytes(text.encode() if isinstance(text, str) else text)
    return load_sidecar(tmp_path, {"predictions_file": "predictions/a.jsonl"})


@pytest.mark.parametrize("text,expected", [
    ('{"id": 1, "label": "x", "predicted": "x"}\nnot json\n', r"a.jsonl:2: not a valid JSON line"),
    ('[1, 2]\n', r"a.jsonl:1: row lacks id, label, predicted"),
    ('{"id": 1, "predicted": "x"}\n', r"a.jsonl:1: row lacks label;"),
    ('{"id": 1, "label": "x", "predicted": "x", "proba": [Infinity]}\n', r"a.jsonl:1: .*Infinity"),
    (b'{"id": 1, "label": "\xff", "predicted": "x"}\n', r"a.jsonl:1: not a valid JSON line"),
])
def test_malformed_sidecar_names_file_and_line(tmp_path, text, expected):
    with pytest.raises(AuditError, match=expected):
        _write(tmp_path, text)


def test_sidecar_outside_results_dir_is_refused(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"id": 1, "label": "x", "predicted": "x"}\n')
    for rel in ("../x.jsonl", str(tmp_path / "x.jsonl")):
        with pytest.raises(AuditError, match="points outside the results directory"):
            load_sidecar(tmp_path / "run", {"predictions_file": rel})
