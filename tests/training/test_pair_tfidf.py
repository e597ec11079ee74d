"""`audit train --arch tfidf` on sentence pairs: PairFeatures (checked against figures computed by
hand), a synthetic task only the pair can solve, real MRPC (train -> audit on dev, well above the
majority rate), the model declaring that it reads pairs, and the one-line mismatch errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import binomtest
from sklearn.metrics import accuracy_score

from audit.cli import main
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.models.sklearn_model import load_sklearn_model
from audit.runner import READS_PAIRS
from audit.training.pair_features import NOT_PAIRS, OVERLAP_FEATURES, PairFeatures, overlap_figures
from audit.training.tfidf import summary_path_for, train_tfidf

NOUNS = ["cat", "dog", "bird", "horse", "child", "farmer", "teacher", "doctor", "pilot", "singer", "baker", "judge"]
VERBS = ["sees", "follows", "paints", "greets", "calls", "helps", "feeds", "visits"]
PLACES = ["park", "market", "river", "station", "garden", "library", "harbour", "church"]


def synthetic_pairs(n: int = 300, seed: int = 0) -> Dataset:
    """'same' pairs restate the first sentence (one word changed); 'other' pairs are unrelated
    sentences. Each side alone is a random sentence, so only reading both texts tells them apart."""
    rng = np.random.default_rng(seed)

    def sentence() -> list[str]:
        return ["the", *rng.choice(NOUNS, 1), *rng.choice(VERBS, 1), "the", *rng.choice(NOUNS, 1), "near", "the",
                *rng.choice(PLACES, 1)]

    firsts, seconds, labels = [], [], []
    for i in range(n):
        a = sentence()
        if i % 2:
            b = list(a)
            b[int(rng.integers(len(b)))] = str(rng.choice(VERBS + PLACES))
        else:
            b = sentence()
        firsts.append(" ".join(a))
        seconds.append(" ".join(b))
        labels.append("same" if i % 2 else "other")
    return Dataset(ids=[str(i) for i in range(n)], texts=firsts, labels=labels, source="synthetic-pairs",
                   text_pairs=seconds)


def write_rows(path: Path, header: list[str], rows: list) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_overlap_figures_match_a_hand_count():
    a, b = "The cat sat on the mat, 3 times", "the cat lay on a mat 3 times!"
    # words a: the cat sat on mat 3 times (7 distinct, 8 tokens); b: the cat lay on a mat 3 times (8, 8)
    # shared: the cat on mat 3 times (6); union 9. Bigrams a: the-cat cat-sat sat-on on-the the-mat mat-3
    # 3-times; b: the-cat cat-lay lay-on on-a a-mat mat-3 3-times; shared 3 of 11.
    figures = dict(zip(OVERLAP_FEATURES, overlap_figures(a, b)))
    assert figures == pytest.approx({"word_jaccard": 6 / 9, "first_words_in_second": 6 / 7,
                                     "second_words_in_first": 6 / 8, "bigram_jaccard": 3 / 11, "number_jaccard": 1.0,
                                     "length_gap": 0.0, "tfidf_cosine": 0.0})
    assert overlap_figures("paid $ 2.5 billion", "paid $ 1.8 billion")[4] == 0.0  # {2.5} vs {1.8}
    assert overlap_figures("no numbers", "none here")[4] == 1.0
    assert overlap_figures("one two three four", "one")[5] == pytest.approx(3 / 4)


def test_pair_features_blocks_and_cosine():
    from sklearn.metrics.pairwise import cosine_similarity

    pairs = [("the cat sat on the mat", "a cat lay on the mat"), ("stocks fell sharply", "the team won the cup")]
    feats = PairFeatures().fit(pairs)
    x = feats.transform(pairs).toarray()
    a = feats.tfidf_.transform([p[0] for p in pairs]).toarray()
    b = feats.tfidf_.transform([p[1] for p in pairs]).toarray()
    k = a.shape[1]
    assert x.shape == (2, 3 * k + len(OVERLAP_FEATURES)) == (2, len(feats.get_feature_names_out()))
    np.testing.assert_allclose(x[:, :k], a)
    np.testing.assert_allclose(x[:, k:2 * k], b)
    np.testing.assert_array_equal(x[:, 2 * k:3 * k], (a > 0) & (b > 0))
    cosine = [cosine_similarity(a[i:i + 1], b[i:i + 1])[0, 0] for i in range(2)]
    np.testing.assert_allclose(x[:, -1], cosine, atol=1e-12)
    assert cosine[0] > 0.3 and cosine[1] == 0
    assert all(isinstance(v, int) for v in feats.tfidf_.vocabulary_.values())  # fast to save with skops


def test_pair_features_given_single_texts_say_so():
    feats = PairFeatures().fit([("red car", "blue car")])
    with pytest.raises(AuditError) as info:
        feats.transform(["red car"])
    assert str(info.value) == NOT_PAIRS.format(what="a str")
    with pytest.raises(AuditError, match=r"got a tuple of 3;"):
        feats.transform([("a", "b", "c")])


def test_synthetic_pairs_train_load_without_trust_and_read_both_texts(tmp_path):
    import skops.io as sio

    data = synthetic_pairs()
    out = tmp_path / "pairs.skops"
    summary = train_tfidf(data, out, seed=0, val_fraction=0.2)
    assert summary["task"] == "pair" and summary["labels"] == ["other", "same"]
    assert summary["validation"]["size"] == 60 and summary["validation"]["accuracy"] >= 0.95  # chance is 0.5
    assert json.loads(summary_path_for(out).read_text()) == summary
    assert sio.get_untrusted_types(file=out) == ["audit.training.pair_features.PairFeatures"]
    model = load_sklearn_model(str(out), name="pairs")  # no --trust-model
    assert model.details == {"estimator": "Pipeline", "format": "skops", "steps": ["pair_features", "clf"],
                             "input": "pair"}
    test = synthetic_pairs(200, seed=1)
    proba = model.classifier.predict_proba(test.inputs)
    assert accuracy_score(test.labels, [model.labels[j] for j in proba.argmax(1)]) >= 0.95
    swapped = model.classifier.predict_proba(list(zip(test.texts, test.text_pairs[1:] + test.text_pairs[:1])))
    assert (swapped.argmax(1) == 0).mean() >= 0.95  # new partners: unrelated ('other'), so the second text counts
    # Same seed, same model: predictions identical.
    again = train_tfidf(data, tmp_path / "again.skops", seed=0, val_fraction=0.2)
    assert again["validation"] == summary["validation"]
    np.testing.assert_array_equal(load_sklearn_model(str(tmp_path / "again.skops"), name="a").classifier
                                  .predict_proba(test.inputs), proba)


@pytest.fixture(scope="module")
def mrpc_model(shared_data, tmp_path_factory):
    """A pair baseline trained by `audit train` on a stratified 1,500-pair sample of MRPC train."""
    out = tmp_path_factory.mktemp("mrpc") / "mrpc.skops"
    res = cli("train", "--arch", "tfidf", "--data", shared_data / "pairs" / "mrpc" / "train.tsv", "--out", out,
              "--limit", "1500", "--label-names", "different,paraphrase")
    assert res.exit_code == 0, res.output
    return out, res.output


def test_mrpc_train_then_audit_dev_beats_the_majority_rate(mrpc_model, shared_data, tmp_path):
    out, output = mrpc_model
    assert "1500 sentence pairs ('#1 String', '#2 String'), labels different, paraphrase" in " ".join(output.split())
    summary = json.loads(summary_path_for(out).read_text())
    assert summary["task"] == "pair" and summary["data"]["size"] == 1500
    assert summary["data"]["label_map"] == {"0": "different", "1": "paraphrase"}
    dev = shared_data / "pairs" / "mrpc" / "dev.tsv"
    res = cli("run", "--model", f"mrpc={out}", "--data", dev, "--out", tmp_path / "audit", "--probe", "metrics", "-q")
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "audit" / "results.json").read_text())
    assert doc["dataset"]["task"] == "pair" and doc["dataset"]["size"] == 398
    assert doc["models"][0]["details"]["input"] == "pair" and doc["models"][0]["labels"] == ["different", "paraphrase"]
    accuracy = doc["probes"][0]["results"]["mrpc"]["metrics"]["accuracy"]

    # Independently: load the file, predict the dev pairs read with the csv module, score with scikit-learn.
    with dev.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    gold = [int(r["Quality"]) for r in rows]
    model = load_sklearn_model(str(out), name="m")
    pred = model.classifier.predict_proba([(r["#1 String"], r["#2 String"]) for r in rows]).argmax(1)
    assert accuracy["value"] == pytest.approx(accuracy_score(gold, pred), abs=1e-12)
    majority = max(np.mean(gold), 1 - np.mean(gold))  # 273 of 398 are paraphrases: 0.686
    assert majority == pytest.approx(273 / 398)
    assert accuracy["value"] >= majority + 0.04 and accuracy["ci"][0] > majority
    assert binomtest(int(accuracy_score(gold, pred, normalize=False)), len(gold), majority,
                     alternative="greater").pvalue < 0.01


def test_pair_model_on_single_texts_stops_before_any_probe(mrpc_model, tmp_path):
    out, _ = mrpc_model
    single = write_rows(tmp_path / "single.csv", ["text", "label"], [("a fine day", 1), ("a bad day", 0)])
    res = cli("run", "--model", f"mrpc={out}", "--data", single, "--out", tmp_path / "audit", "-q")
    assert res.exit_code == 2
    message = (f"Model 'mrpc' was trained on sentence pairs but '{single}' gives single texts (column 'text'); "
               "audit it on pair data, naming the second text with --text-pair-col, or audit a single-text model.")
    assert message == READS_PAIRS.format(name="mrpc", source=f"'{single}'", text="text")
    assert " ".join(res.output.split()) == f"Error: {message}"
    doc = json.loads((tmp_path / "audit" / "results.json").read_text())
    assert doc["models"] == [] and doc["probes"] == []


def test_text_pair_col_trains_on_named_columns(tmp_path):
    data = synthetic_pairs(120)
    path = write_rows(tmp_path / "named.csv", ["claim", "evidence", "label"],
                      list(zip(data.texts, data.text_pairs, data.labels)))
    res = cli("train", "--arch", "tfidf", "--data", path, "--text-col", "claim", "--text-pair-col", "evidence",
              "--out", tmp_path / "m.skops")
    assert res.exit_code == 0, res.output
    assert "120 sentence pairs ('claim', 'evidence')" in " ".join(res.output.split())
    assert load_sklearn_model(str(tmp_path / "m.skops"), name="m").details["input"] == "pair"
    res = cli("train", "--arch", "tfidf", "--data", path, "--text-col", "claim", "--text-col", "evidence",
              "--out", tmp_path / "m2.skops")
    assert res.exit_code == 2 and "--text-col claim --text-pair-col evidence" in " ".join(res.output.split())
    res = cli("train", "--arch", "tfidf", "--data", path, "--text-col", "claim", "--out", tmp_path / "m3.skops")
    assert res.exit_code == 0, res.output  # one column named, no pair flag: a single-text model
    assert "input" not in load_sklearn_model(str(tmp_path / "m3.skops"), name="m").details
