"""The `slices` probe run through the prediction cache on a table model with a planted weak slice: its metrics and
every row equal a direct numpy computation from the sidecar's memberships, the planted slice is found, examples
are its most confident mistakes, the model is not called again after `metrics`, sentence pairs and extra data
columns are sliced, and config errors read word for word."""

from __future__ import annotations

import numpy as np
import pytest

from slices_builders import planted, tag

from audit.cache import PredictionCache
from audit.core.errors import AuditError, DataError
from audit.data_loader import DataConfig, load_dataset
from audit.probes.base import ProbeContext
from audit.probes.metrics import MetricsProbe
from audit.probes.slices import SlicesProbe

def run(data, model, **config):
    cached = PredictionCache().wrap(model)
    return SlicesProbe.from_mapping({"min_size": 30, **config}).run(cached, data, ProbeContext(seed=0)), cached


def test_every_row_equals_a_direct_computation_and_the_planted_slice_is_weak():
    data, model, wrong, _ = planted()
    res, _ = run(data, model)
    members = res.predictions["slices"]
    assert res.predictions["id"] == data.ids and res.predictions["proba"].shape == (300, 2)
    assert [p != y for p, y in zip(res.predictions["predicted"], res.predictions["label"])] == wrong.tolist()
    rows = res.details["slices"]
    for row in rows:
        mask = np.array([set(row["parts"]) <= set(m) for m in members])
        assert row["n"] == mask.sum() and row["errors"] == wrong[mask].sum()
        assert row["error_rate"] == pytest.approx(wrong[mask].mean()) and row["error_rate_rest"] == pytest.approx(
            wrong[~mask].mean())
        assert row["diff"] == pytest.approx(wrong[mask].mean() - wrong[~mask].mean())
        assert row["ci"][0] <= row["diff"] <= row["ci"][1]
    by_name = {r["slice"]: r for r in rows}
    assert by_name["negation"]["weak"] and by_name["negation"]["error_rate"] == pytest.approx(0.6)
    weak = [r for r in rows if r["weak"]]
    assert res.details["weak"] == [r["slice"] for r in sorted(weak, key=lambda r: -r["diff"])]
    assert all(r["p_adjusted"] <= 0.05 and r["diff"] > 0 for r in weak)
    assert all("negation" in r["parts"] for r in weak)  # nothing weak without the planted slice
    top = max(weak, key=lambda r: r["diff"])
    assert res.metrics["weak_slices"].value == len(weak) and res.metrics["slices_tested"].value == len(rows)
    assert res.metrics["max_error_gap"].value == pytest.approx(top["diff"])
    assert list(res.metrics["max_error_gap"].ci) == pytest.approx(top["ci"])


def test_examples_are_each_weak_slices_most_confident_mistakes():
    data, model, wrong, conf = planted()
    res, _ = run(data, model, examples=2, max_examples=3)
    assert len(res.examples) == 3
    first = res.examples[0]["slice"]
    assert first == res.details["weak"][0]
    shown = [e for e in res.examples if e["slice"] == first]
    assert len(shown) == 2 and all(e["label"] != e["predicted"] for e in res.examples)
    assert shown[0]["confidence"] >= shown[1]["confidence"]
    assert set(res.examples[0]) == {"slice", "id", "text", "label", "predicted", "confidence"}


def test_no_model_call_beyond_what_metrics_made():
    data, model, _, _ = planted()
    cached = PredictionCache().wrap(model)
    MetricsProbe.from_mapping({"bootstrap": 0}).run(cached, data, ProbeContext(seed=0))
    calls = cached.stats.model_calls
    SlicesProbe.from_mapping({"min_size": 30}).run(cached, data, ProbeContext(seed=0))
    assert cached.stats.model_calls == calls


def test_sentence_pairs_are_sliced_on_both_texts():
    data, model, _, _ = planted(pairs=True)
    res, _ = run(data, model)
    assert "not" not in " ".join(data.texts)
    by_name = {r["slice"]: r for r in res.details["slices"]}
    assert by_name["negation"]["n"] == 100 and by_name["negation"]["weak"]


def test_too_little_data_is_not_applicable_with_the_reason():
    data, model, _, _ = planted(n=50)
    res, cached = run(data, model)
    assert res.status == "not_applicable"
    assert res.reason == ("No slice of the data holds at least 30 examples with 30 outside it (50 examples); lower "
                          "slices.min_size or audit more data.")
    assert cached.stats.model_calls == 0


def test_extra_data_columns_and_sensitive_columns_are_sliced(tmp_path):
    rows = ["text,label,source,gender"] + [f"review {tag(i)},{'pos' if i % 2 else 'neg'},{'tw' if i % 3 else 'rd'},"
                                           f"{'f' if i % 4 else 'm'}" for i in range(120)]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = load_dataset(DataConfig(source=str(path), extra_cols=("source",), sensitive=("gender",)))
    assert data.extras["source"][:3] == ["rd", "tw", "tw"] and data.columns["extra"] == ["source"]
    assert "extra" not in load_dataset(DataConfig(source=str(path))).columns
    assert data.subset([0, 1]).extras == {"source": ["rd", "tw"]}
    sl = SlicesProbe.from_mapping({"min_size": 30}).slices(data)
    names = {s.name for s in sl.tested}
    assert {"column:source=rd", "column:source=tw", "column:gender=m", "column:gender=f"} <= names
    with pytest.raises(DataError, match=r"Column 'where' \(data.extra_cols\) not found in"):
        load_dataset(DataConfig(source=str(path), extra_cols=("where",)))


@pytest.mark.parametrize("raw, message", [
    ({"min_size": 0}, "slices.min_size must be >= 1, got 0."),
    ({"length_bins": 1}, "slices.length_bins must be 0 (no length slices) or >= 2, got 1."),
    ({"non_ascii": 1.5}, "slices.non_ascii must be a share from 0 up to 1, got 1.5."),
    ({"axes": ["religon"]}, "slices.axes: Unknown axis 'religon'. Did you mean 'religion'?"),
])
def test_config_errors_word_for_word(raw, message):
    with pytest.raises(AuditError) as err:
        SlicesProbe.from_mapping(raw)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("key, value", [("q", 0.9), ("max_pairs", -1), ("max_values", 0), ("length_bins", 101)])
def test_out_of_range_values_name_the_key_and_its_range(key, value):
    with pytest.raises(AuditError, match=rf"key '{key}' is .*outside its range"):
        SlicesProbe.from_mapping({key: value})
