"""The model-index export parses back as YAML, carries the results' values, credits each model
only its own metrics (one block per model, as the Hub reads a card), and passes the Hub's own
parser (huggingface_hub) when it is installed."""

from __future__ import annotations

import yaml

from audit.reports.governance import write_governance
from audit.reports import model_index as mi
from audit.reports.model_index import dataset_entry, model_index_yaml


def test_yaml_round_trip_matches_results(sample):
    text = model_index_yaml(sample, "distilbert-sst2")
    parsed = yaml.safe_load(text)["model-index"]
    assert [e["name"] for e in parsed] == ["distilbert-sst2"]
    first = parsed[0]["results"][0]
    assert first["task"] == {"type": "text-classification", "name": "Text Classification"}
    assert first["dataset"] == {"name": "dev.tsv (local file, not on the Hub)", "type": "dev.tsv"}
    metrics = {m["name"]: m for m in first["metrics"]}
    results = sample["probes"][0]["results"]["distilbert-sst2"]["metrics"]
    assert metrics["Accuracy"] == {"type": "accuracy", "value": results["accuracy"]["value"], "name": "Accuracy"}
    assert metrics["metrics.ece (lower is better)"]["value"] == results["ece"]["value"]
    assert metrics["typos.accuracy_drop (lower is better)"]["type"] == "typos.accuracy_drop"
    assert "#   distilbert-sst2 metrics.accuracy: [0.892, 0.929]" in text  # CIs as comments
    assert "tfidf-logreg" not in text  # not even the other model's CIs
    # a model that failed or was not applicable exports no metric for that probe
    other = yaml.safe_load(model_index_yaml(sample, "tfidf-logreg"))["model-index"]
    types = [m["type"] for m in other[0]["results"][0]["metrics"]]
    assert "negation.failure_rate" not in types and "attention_faithfulness.comprehensiveness" not in types


def test_one_file_per_model_when_there_are_several(sample):
    assert list(mi.model_index_files(sample)) == ["model-index--distilbert-sst2.yaml", "model-index--tfidf-logreg.yaml"]
    assert list(mi.model_index_files(sample, ["tfidf-logreg"])) == ["model-index.yaml"]
    sample["models"].append({"id": "distilbert/sst2"})
    sample["models"].append({"id": "distilbert:sst2"})
    names = list(mi.model_index_files(sample))
    assert names[2:] == ["model-index--distilbert-sst2-2.yaml", "model-index--distilbert-sst2-3.yaml"]


def test_hostile_source_names(sample):
    sample["dataset"]["source"] = "evil\nsource: x:test"
    parsed = yaml.safe_load(model_index_yaml(sample, "tfidf-logreg"))["model-index"]
    dataset = parsed[0]["results"][0]["dataset"]
    assert dataset == {"name": "evil source: x:test (local file, not on the Hub)", "type": "evil source: x:test"}


def test_dataset_entries():
    assert dataset_entry({"source": "glue:sst2:validation"}) == {"name": "glue", "type": "glue", "config": "sst2",
                                                                  "split": "validation"}
    assert dataset_entry({"source": "stanfordnlp/imdb", "split": "test"}) == {
        "name": "stanfordnlp/imdb", "type": "stanfordnlp/imdb", "split": "test"}
    assert dataset_entry({"source": "/data/reviews.parquet"}) == {
        "name": "reviews.parquet (local file, not on the Hub)", "type": "reviews.parquet"}
    # a local file is never typed by its stem: "dev" would link to an unrelated Hub dataset
    assert dataset_entry({"source": "../shared/data/sst2/dev.tsv"})["type"] == "dev.tsv"
    # an id-like name without any split was not loaded from the Hub (audit/data.py records the split)
    assert dataset_entry({"source": "reviews"})["name"].endswith("(local file, not on the Hub)")
    assert dataset_entry({"source": "a:b:c:d", "split": "x"})["type"] == "a:b:c:d"


def test_written_files_credit_each_model_its_own_metrics(sample, tmp_path):
    """Parse the blocks as written with the Hub's ModelCardData: each card names one model and
    carries that model's values, never the other's."""
    import huggingface_hub.repocard_data as repocard_data  # installed with transformers: never skipped
    paths = write_governance(sample, tmp_path)
    assert [p.name for p in paths["model_indexes"]] == ["model-index--distilbert-sst2.yaml",
                                                        "model-index--tfidf-logreg.yaml"]
    assert paths["model_index"] == paths["model_indexes"][0] and not (tmp_path / "model-index.yaml").exists()
    for path, model in zip(paths["model_indexes"], ["distilbert-sst2", "tfidf-logreg"]):
        card = repocard_data.ModelCardData(**yaml.safe_load(path.read_text(encoding="utf-8")))
        assert card.model_name == model
        expected = {}
        for probe in sample["probes"]:
            for name, m in ((probe.get("results") or {}).get(model) or {}).get("metrics", {}).items():
                expected[f"{probe['name']}.{name}"] = m["value"]
        got = {(r.metric_type, (r.metric_args or {}).get("average")): r.metric_value for r in card.eval_results}
        assert got[("accuracy", None)] == expected["metrics.accuracy"]
        others = {(t, a): v for (t, a), v in got.items() if "." in t}
        assert others and all(v == expected[t] for (t, _), v in others.items())
        assert all(r.dataset_type == "dev.tsv" and r.task_type == "text-classification" for r in card.eval_results)
        name, results = repocard_data.model_index_to_eval_results(yaml.safe_load(path.read_text())["model-index"])
        assert name == model and [r.metric_value for r in results] == [r.metric_value for r in card.eval_results]
    accuracies = {m: sample["probes"][0]["results"][m]["metrics"]["accuracy"]["value"]
                  for m in ("distilbert-sst2", "tfidf-logreg")}
    assert len(set(accuracies.values())) == 2  # the check above could tell a swap apart
