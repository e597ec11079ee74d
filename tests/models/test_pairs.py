"""Sentence pairs through the model adapters: a Hugging Face pair model gives what a direct
``tokenizer(a, b)`` forward pass gives, in any batch order; scikit-learn and callable models get
(text, text_pair) tuples; the metrics probe on real SNLI pairs (3 classes) matches scikit-learn;
`audit run` on pairs audits what handles pairs and says which probes do not yet."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from tiny_bert import build_tiny_bert

from audit.cache import PredictionCache
from audit.core.errors import AuditError
from audit.data_loader import DataConfig, load_dataset
from audit.models.base import split_inputs
from audit.models.callable_model import load_callable
from audit.models.sklearn_model import SklearnClassifier
from audit.probes.base import ProbeContext
from audit.probes.registry import get_probe

NLI = ["contradiction", "entailment", "neutral"]
PAIRS = [("a man is playing a guitar on stage", "a man plays music"),
         ("two dogs run through the snow", "the animals are asleep"),
         ("a woman reads", "someone is reading a very long and rather dull book about the history of trains"),
         ("kids", "children are outside"),
         ("the market is crowded with people buying fruit and vegetables early in the morning", "it is empty")]



@pytest.fixture(scope="module")
def pair_bert(tmp_path_factory):
    from audit.models.huggingface import load_hf_model

    path = build_tiny_bert(tmp_path_factory.mktemp("pair_bert"), labels=NLI, texts=[t for p in PAIRS for t in p])
    return path, load_hf_model(str(path), name="pair-bert", max_length=24, batch_size=2, device="cpu")


def test_hf_pair_probabilities_equal_a_direct_forward_pass_in_any_order(pair_bert):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path, loaded = pair_bert
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    direct = []
    with torch.inference_mode():
        for a, b in PAIRS:
            enc = tok(a, b, truncation=True, max_length=24, return_tensors="pt")
            assert (enc["token_type_ids"] == 1).any()  # the second text is marked as such
            direct.append(torch.softmax(model(**enc).logits, -1)[0].numpy())
    got = loaded.classifier.predict_proba(PAIRS)
    np.testing.assert_allclose(got, np.array(direct), atol=1e-5)
    order = [3, 0, 4, 2, 1]
    np.testing.assert_allclose(loaded.classifier.predict_proba([PAIRS[i] for i in order]), got[order], atol=1e-5)
    single = loaded.classifier.predict_proba([a for a, _ in PAIRS])
    assert np.abs(single - got).max() > 1e-4  # the second text is really read


def test_mixed_texts_and_pairs_are_refused():
    with pytest.raises(AuditError, match="Got 1 sentence pairs and 1 single texts in one call"):
        split_inputs([("a", "b"), "c"])
    assert split_inputs(["a", "b"]) == (["a", "b"], None)


def test_a_single_text_sklearn_pipeline_given_pairs_names_the_model():
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(["good", "bad", "fine", "awful"], ["p", "n", "p", "n"])
    clf = SklearnClassifier(pipe, ["n", "p"], "sha256:x", name="tfidf")
    with pytest.raises(AuditError) as info:
        clf.predict_proba([("good", "fine")])
    msg = str(info.value)
    assert msg.startswith("Model 'tfidf' cannot read sentence pairs (") and "--text-pair-col" in msg and "\n" not in msg
    np.testing.assert_allclose(clf.predict_proba(["good"]), pipe.predict_proba(["good"]))


@pytest.fixture
def pair_module():
    """The word-overlap NLI callable of tests/overlap_nli.py, as a model spec."""
    return "overlap_nli:predict"


def test_metrics_on_real_snli_pairs_match_scikit_learn(shared_data, pair_module):
    data = load_dataset(DataConfig(str(shared_data / "pairs" / "snli" / "dev.jsonl")))
    model = PredictionCache().wrap(load_callable(pair_module, name="overlap", labels=None))
    probe = get_probe("metrics").from_mapping({"bootstrap": 0})
    res = probe.run(model, data, ProbeContext(seed=0))
    predicted = [NLI[i] for i in model.predict_proba(data.inputs).argmax(1)]
    assert res.metrics["accuracy"].value == pytest.approx(accuracy_score(data.labels, predicted), abs=1e-12)
    assert res.metrics["f1_macro"].value == pytest.approx(f1_score(data.labels, predicted, average="macro"), abs=1e-12)
    assert all("text_pair" in e for e in res.examples)


def test_audit_run_on_pairs(tmp_path, pair_module):
    rows = [{"premise": a, "hypothesis": b, "label": y} for (a, b), y in zip(PAIRS * 4, NLI * 7)]
    data = tmp_path / "nli.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    from audit.cli import main

    res = CliRunner().invoke(main, ["run", "--model", f"nli={pair_module}", "--data", str(data), "--out", str(out),
                                    "--probe", "metrics", "--probe", "noise", "--probe", "templates", "-q"])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["dataset"]["task"] == "pair" and doc["dataset"]["columns"]["text_pair"] == "hypothesis"
    results = {p["name"]: p["results"]["nli"] for p in doc["probes"]}
    metrics, noise = results["metrics"], results["noise"]
    assert metrics["status"] == "ok" and metrics["metrics"]["accuracy"]["value"] is not None
    assert noise["status"] == "ok" and noise["metrics"]["worst_accuracy/second"]["value"] is not None
    for name, result in results.items():  # the rest say they do not handle pairs yet
        handled = get_probe(name).handles_pairs
        assert (result["status"] == "ok") == handled
        assert handled or "does not handle sentence pairs yet" in result["reason"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Most damaging perturbations — noise on the second text" in report
    wrong = metrics["examples"][0]
    assert f"| {wrong['text']} | {wrong['text_pair']} |" in report and "| id | text | text\\_pair |" in report
