"""The model-index export parses back as YAML, carries the results' values, and passes the Hub's
own parser (huggingface_hub) when it is installed."""

from __future__ import annotations

import pytest
import yaml

from reports.model_index import dataset_entry, model_index_yaml


def test_yaml_round_trip_matches_results(sample):
    text = model_index_yaml(sample)
    parsed = yaml.safe_load(text)["model-index"]
    assert [e["name"] for e in parsed] == ["distilbert-sst2", "tfidf-logreg"]
    first = parsed[0]["results"][0]
    assert first["task"] == {"type": "text-classification", "name": "Text Classification"}
    assert first["dataset"] == {"name": "dev.tsv", "type": "dev"}
    metrics = {m["name"]: m for m in first["metrics"]}
    results = sample["probes"][0]["results"]["distilbert-sst2"]["metrics"]
    assert metrics["Accuracy"] == {"type": "accuracy", "value": results["accuracy"]["value"], "name": "Accuracy"}
    assert metrics["metrics.ece (lower is better)"]["value"] == results["ece"]["value"]
    assert metrics["typos.accuracy_drop (lower is better)"]["type"] == "typos.accuracy_drop"
    # a model that failed or was not applicable exports no metric for that probe
    types = [m["type"] for m in parsed[1]["results"][0]["metrics"]]
    assert "negation.failure_rate" not in types and "attention_faithfulness.comprehensiveness" not in types
    assert "#   distilbert-sst2 metrics.accuracy: [0.892, 0.929]" in text  # CIs as comments


def test_only_selected_models_and_hostile_names(sample):
    sample["dataset"]["source"] = "evil\nsource: x:test"
    text = model_index_yaml(sample, ["tfidf-logreg"])
    parsed = yaml.safe_load(text)["model-index"]
    assert [e["name"] for e in parsed] == ["tfidf-logreg"]
    assert parsed[0]["results"][0]["dataset"]["name"] == "evil\nsource"


def test_dataset_entries():
    assert dataset_entry({"source": "glue:sst2:validation"}) == {"name": "glue", "type": "glue", "config": "sst2",
                                                                  "split": "validation"}
    assert dataset_entry({"source": "stanfordnlp/imdb", "split": "test"}) == {
        "name": "stanfordnlp/imdb", "type": "stanfordnlp/imdb", "split": "test"}
    assert dataset_entry({"source": "/data/reviews.parquet"}) == {"name": "reviews.parquet", "type": "reviews"}


def test_huggingface_hub_parses_it(sample):
    repocard_data = pytest.importorskip("huggingface_hub.repocard_data")
    parsed = yaml.safe_load(model_index_yaml(sample))["model-index"]
    for entry in parsed:
        name, results = repocard_data.model_index_to_eval_results([entry])
        assert name == entry["name"]
        assert [r.metric_value for r in results] == [m["value"] for m in entry["results"][0]["metrics"]]
        assert all(r.task_type == "text-classification" and r.dataset_type == "dev" for r in results)
    card = repocard_data.ModelCardData(**yaml.safe_load(model_index_yaml(sample, ["distilbert-sst2"])))
    assert card.model_name == "distilbert-sst2" and card.eval_results[0].metric_type == "accuracy"
    back = card.to_dict()["model-index"][0]["results"][0]["metrics"][0]
    assert back["value"] == parsed[0]["results"][0]["metrics"][0]["value"]
