"""Bad input to audit.run: a typed exception (an AuditError subclass) whose one line names the fix."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import audit
from audit import AuditError, DataError, ModelError, UnsupportedInputError


def test_errors_are_typed_audit_errors():
    for cls in (DataError, ModelError, UnsupportedInputError):
        assert issubclass(cls, AuditError)
    assert issubclass(UnsupportedInputError, TypeError) and issubclass(DataError, ValueError)


@pytest.mark.parametrize("model", [42, object(), ("a", "b", "c"), np.zeros(3)])
def test_unsupported_model_object_lists_the_accepted_types(model, frame, tmp_path):
    with pytest.raises(UnsupportedInputError) as err:
        audit.run(models={"m": model}, data=frame, probes=["metrics"], out=tmp_path / "o", progress=False)
    message = str(err.value)
    assert "Model 'm'" in message and "predict_proba" in message and "pipeline" in message and "\n" not in message
    assert not (tmp_path / "o").exists()  # nothing was started


def test_estimator_without_predict_proba_is_a_model_error(frame, tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    svm = make_pipeline(TfidfVectorizer(), LinearSVC()).fit(frame.text, frame.label)
    with pytest.raises(ModelError, match="has no predict_proba.*CalibratedClassifierCV"):
        audit.run(models={"svm": svm}, data=frame, probes=["metrics"], out=tmp_path / "o", progress=False)


def test_unsupported_data_object(estimator, tmp_path):
    with pytest.raises(UnsupportedInputError, match="data is a builtins.list; pass a path .*DataFrame"):
        audit.run(models={"m": estimator}, data=[{"text": "a", "label": "x"}], probes=["metrics"],
                  out=tmp_path / "o", progress=False)


def test_dataframe_without_text_column_lists_its_columns(estimator, frame, tmp_path):
    bad = frame.rename(columns={"text": "review_body"})
    with pytest.raises(DataError) as err:
        audit.run(models={"m": estimator}, data=bad, probes=["metrics"], out=tmp_path / "o", progress=False)
    assert "No text column found" in str(err.value) and "review_body" in str(err.value)
    with pytest.raises(DataError, match="Column 'nope' .* not found .*Columns: .*label"):
        audit.run(models={"m": estimator}, data=frame, label_col="nope", probes=["metrics"], out=tmp_path / "p",
                  progress=False)


def test_json_key_that_does_not_exist_lists_the_keys(estimator, frame, tmp_path):
    path = tmp_path / "dev.json"
    records = frame[["text", "label"]].to_dict(orient="records")
    path.write_text(json.dumps({"sst2": records, "qqp": records}), encoding="utf-8")
    with pytest.raises(DataError, match="no key 'mnli'.*keys: sst2, qqp"):
        audit.run(models={"m": estimator}, data=path, data_key="mnli", probes=["metrics"], out=tmp_path / "o",
                  progress=False)


def test_callable_without_labels_says_how_to_give_them(frame, tmp_path):
    def fn(texts):
        return np.full((len(texts), 2), 0.5)

    with pytest.raises(ModelError, match=r"has no labels; pass them as audit.run\(\.\.\., labels=\[\.\.\.\]\)"):
        audit.run(models={"f": fn}, data=frame, probes=["metrics"], out=tmp_path / "o", progress=False)


def test_transformers_model_without_tokenizer(frame, tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1,
                                                     num_attention_heads=1, intermediate_size=8))
    with pytest.raises(UnsupportedInputError, match=r"without its tokenizer; pass \(model, tokenizer\)"):
        audit.run(models={"bert": model}, data=frame, probes=["metrics"], out=tmp_path / "o", progress=False)


def test_dataset_dict_needs_a_split(estimator, frame, tmp_path):
    import datasets

    dd = datasets.DatasetDict({"train": datasets.Dataset.from_pandas(frame),
                               "test": datasets.Dataset.from_pandas(frame)})
    with pytest.raises(DataError, match=r"DatasetDict with splits train, test; pass one of them, e.g. data=ds\['test'\]"):
        audit.run(models={"m": estimator}, data=dd, probes=["metrics"], out=tmp_path / "o", progress=False)
    with pytest.raises(DataError, match="no split 'dev'"):
        audit.run(models={"m": estimator}, data=dd, split="dev", probes=["metrics"], out=tmp_path / "o",
                  progress=False)


def test_a_mapping_model_needs_spec_or_model(frame, tmp_path):
    with pytest.raises(UnsupportedInputError, match="needs 'spec' .* or 'model'.*unknown: path"):
        audit.run(models={"m": {"path": "x"}}, data=frame, probes=["metrics"], out=tmp_path / "o", progress=False)


def test_an_error_mid_run_keeps_what_finished(estimator, frame, tmp_path):
    """The error carries the finished units as err.result; results.json on disk holds them too."""
    calls = {"n": 0}

    def flaky(texts):
        calls["n"] += 1
        if calls["n"] > 1:
            return np.zeros((len(texts), 3))  # the wrong shape: an input error in the second probe
        return np.tile([0.4, 0.6], (len(texts), 1))

    with pytest.raises(AuditError) as err:
        audit.run(models={"flaky": {"model": flaky, "labels": ["negative", "positive"]}}, data=frame,
                  probes=["metrics", "noise"], out=tmp_path / "o", progress=False)
    finished = err.value.result
    assert finished.units.set_index("probe").loc["metrics", "status"] == "ok"
    assert audit.load(tmp_path / "o").units.set_index("probe").loc["metrics", "status"] == "ok"
    assert isinstance(pd.DataFrame(finished.metrics), pd.DataFrame)
