"""The `noise` probe end to end: metrics equal an independent computation, one model request for
all perturbed texts, a tiny BERT and a callable, bad inputs, and the CLI."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn import metrics as skm

import audit.probes.registry as registry
from audit.cache import PredictionCache
from audit.demo.corpus import generate
from audit.core.errors import AuditError
from audit.models.callable_model import load_callable
from audit.core.seeding import rng_for
from audit.probes.base import ProbeContext
from audit.probes.metrics import MetricsProbe
from audit.probes.noise import NoiseProbe, catalog
from audit.probes.noise.common import BAD_SEVERITY
from audit.probes.noise.lexicon import SYNONYMS_MALFORMED, SYNONYMS_MISSING, load_synonyms

MODEL_SOURCE = '''
import zlib
import numpy as np

POS = {"good", "great", "fun", "charming", "delightful", "brilliant", "wonderful", "superb", "moving", "clever"}
NEG = {"bad", "awful", "dull", "boring", "tedious", "terrible", "weak", "predictable", "shallow", "painful"}
SEEN = []

def keyword_model(texts):
    SEEN.append(list(texts))
    rows = []
    for t in texts:
        words = [w.strip(".,;:!?").lower() for w in t.split()]
        score = sum(w in POS for w in words) - sum(w in NEG for w in words) - 2 * ("not" in words)
        jitter = (zlib.crc32(t.encode("utf-8")) % 1000) / 1000 - 0.5
        p = 1 / (1 + np.exp(-(1.5 * score + jitter)))
        rows.append([1 - p, p])
    return np.array(rows)

keyword_model.labels = ["negative", "positive"]
'''
SMALL = NoiseProbe.Config(perturbations=("typo", "synonym", "word_drop"), severities=(0.1, 0.3), bootstrap=200,
                          max_examples=5)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("noise")
    (root / "kw.py").write_text(MODEL_SOURCE, encoding="utf-8")
    rows = generate(60, seed=1, skewed=False)
    rows[0]["text"] = '<script>alert("x")</script> the acting was dull.'
    with (root / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


@pytest.fixture()
def data(workdir):
    from audit.data_loader import DataConfig, load_dataset
    from audit.core.typed_config import build_config

    return load_dataset(build_config(DataConfig, {"source": str(workdir / "test.csv")}, "data"))


@pytest.fixture()
def model(workdir):
    return load_callable(f"{workdir / 'kw.py'}:keyword_model", name="kw", labels=None)


def test_metrics_equal_an_independent_computation(model, data):
    res = NoiseProbe(SMALL).run(PredictionCache().wrap(model), data, ProbeContext(seed=3))
    fn, labels = model.classifier.fn, model.labels
    gold = np.array([labels.index(y) for y in data.labels])
    clean = fn(data.texts)
    clean_pred = clean.argmax(1)
    table = catalog.build(SMALL.perturbations, load_synonyms())
    m, accs, flips = res.metrics, [], []
    for name in SMALL.perturbations:
        for s in SMALL.severities:
            texts = [table[name](t, rng_for(3, "noise", name, f"{s:g}", i), s) for i, t in zip(data.ids, data.texts)]
            proba = fn([t if t.strip() else o for t, o in zip(texts, data.texts)])
            pred, key = proba.argmax(1), f"{name}@{s:g}"
            accs.append(skm.accuracy_score(gold, pred))
            flips.append(np.mean(pred != clean_pred))
            assert m[f"accuracy/{key}"].value == pytest.approx(accs[-1])
            assert m[f"flip_rate/{key}"].value == pytest.approx(flips[-1])
            assert m[f"accuracy_drop/{key}"].value == pytest.approx(skm.accuracy_score(gold, clean_pred) - accs[-1])
            lo, hi = m[f"accuracy_drop/{key}"].ci
            assert lo <= m[f"accuracy_drop/{key}"].value <= hi
            rows = np.arange(len(gold))
            assert m[f"confidence_drop/{key}"].value == pytest.approx(np.mean(clean[rows, clean_pred] - proba[rows, clean_pred]))
            assert m[f"applied_rate/{key}"].value == pytest.approx(np.mean([t != o for t, o in zip(texts, data.texts)]))
            cell = next(c for c in res.details["cells"] if c["key"] == key)
            recall = skm.recall_score(gold, pred, average=None, labels=[0, 1])
            assert [cell["per_class"][y]["accuracy"] for y in labels] == pytest.approx(recall)
    assert m["clean_accuracy"].value == pytest.approx(skm.accuracy_score(gold, clean_pred))
    assert m["worst_accuracy"].value == pytest.approx(min(accs))
    assert m["max_accuracy_drop"].value == pytest.approx(m["clean_accuracy"].value - min(accs))
    assert m["mean_flip_rate"].value == pytest.approx(np.mean(flips))
    assert m["worst_accuracy"].higher_is_better and m["max_accuracy_drop"].higher_is_better is False
    for ex in res.examples:
        assert ex["clean_predicted"] != ex["predicted"] and ex["text"] != ex["perturbed"]
    assert 0 < len(res.examples) <= 5


def seen(model) -> list:
    """The texts of every call the callable model got (its module records them)."""
    return model.classifier.fn.__globals__["SEEN"]


def test_all_perturbed_texts_go_to_the_model_in_one_request(model, data):
    cached = PredictionCache().wrap(model)
    MetricsProbe(MetricsProbe.Config(bootstrap=0)).run(cached, data, ProbeContext(seed=0))
    assert cached.stats.model_calls == 1
    seen(model).clear()
    res = NoiseProbe(SMALL).run(cached, data, ProbeContext(seed=0))
    calls = seen(model)
    assert cached.stats.model_calls == 2 and len(calls) == 1  # clean texts came from the cache
    assert cached.stats.texts_requested == 2 * len(data) + 6 * len(data)
    assert all(t.strip() for t in calls[0]) and len(calls[0]) == len(set(calls[0]))
    assert res.details["texts_scored"] == 6 * len(data) and not res.details["perturbations_reused"]


def test_perturbations_are_computed_once_and_shared_by_models(model, data):
    probe = NoiseProbe(SMALL)
    first = probe.run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
    second = probe.run(PredictionCache().wrap(model), data, ProbeContext(seed=0))
    assert second.details["perturbations_reused"] and second.as_dict()["metrics"] == first.as_dict()["metrics"]
    other_seed = probe.run(PredictionCache().wrap(model), data, ProbeContext(seed=1))
    assert not other_seed.details["perturbations_reused"]


def test_tiny_bert(tmp_path, data):
    from tiny_bert import build_tiny_bert

    from audit.models.huggingface import load_hf_model

    bert = load_hf_model(str(build_tiny_bert(tmp_path / "bert")), name="bert", device="cpu")
    cached = PredictionCache().wrap(bert)
    cfg = NoiseProbe.Config(perturbations=("typo", "homoglyph", "social"), severities=(0.2,), bootstrap=100)
    res = NoiseProbe(cfg).run(cached, data, ProbeContext(seed=0))
    assert cached.stats.model_calls == 2
    for key in ("typo@0.2", "homoglyph@0.2", "social@0.2"):
        assert 0 <= res.metrics[f"accuracy/{key}"].value <= 1 and 0 <= res.metrics[f"flip_rate/{key}"].value <= 1
    assert json.dumps(res.as_dict())  # JSON-safe


def test_blank_perturbations_are_never_sent(model):
    from audit.core.dataset import Dataset

    data = Dataset(ids=["0", "1"], texts=["x", "a good film"], labels=["negative", "positive"], source="mem")
    seen(model).clear()
    res = NoiseProbe(NoiseProbe.Config(perturbations=("char_delete",), severities=(0.5,))).run(
        PredictionCache().wrap(model), data, ProbeContext(seed=0))
    assert all(t.strip() for call in seen(model) for t in call)
    assert res.details["cells"][0]["empty_kept"] == 1 and res.details["cells"][0]["applied"] == 1


@pytest.mark.parametrize("raw, message", [
    ({"perturbations": ["tpyo"]}, "Unknown perturbation 'tpyo'. Did you mean 'typo'?"),
    ({"severities": [0.1, 1.5]}, BAD_SEVERITY.format(value=1.5)),
    ({"severities": [-0.2]}, BAD_SEVERITY.format(value=-0.2)),
    ({"severities": []}, "noise.severities must be a non-empty list"),
    ({"perturbations": "typo"}, "key 'perturbations' must be a list"),
    ({"severities": ["0.1"]}, "key 'severities' must be a number"),
    ({"max_exampels": 3}, "Unknown config key(s) 'max_exampels'"),
])
def test_bad_config_is_a_one_line_audit_error(raw, message):
    with pytest.raises(AuditError) as err:
        NoiseProbe.from_mapping(raw)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_bad_synonym_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(AuditError) as err:
        NoiseProbe.from_mapping({"synonyms": str(missing)})
    assert str(err.value) == SYNONYMS_MISSING.format(path=missing)
    bad = tmp_path / "bad.txt"
    bad.write_text("# pairs\ngood fine\nonly\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        NoiseProbe.from_mapping({"synonyms": str(bad)})
    assert str(err.value) == SYNONYMS_MALFORMED.format(line=3, path=bad.resolve(), text="only")
    # a file is only read when the synonym swap runs
    assert NoiseProbe.from_mapping({"synonyms": str(missing), "perturbations": ["typo"]}).config.synonyms


@pytest.fixture()
def registered(monkeypatch):
    monkeypatch.setattr(registry, "BUILTIN_MODULES", registry.BUILTIN_MODULES + ("audit.probes.noise",))


def test_cli_runs_metrics_and_noise(registered, workdir, monkeypatch, tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from audit.cli import main
    from audit.models.sklearn_model import save_sklearn_model

    train = generate(200, seed=0, skewed=True)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    save_sklearn_model(pipe.fit([r["text"] for r in train], [r["label"] for r in train]), tmp_path / "tfidf.skops")
    (tmp_path / "audit.yaml").write_text(
        "probes:\n  noise:\n    perturbations: [typo, synonym, upper]\n    severities: [0.3, 0.1]\n", encoding="utf-8")
    monkeypatch.chdir(workdir)
    args = lambda config, out: ["run", "--model", str(tmp_path / "tfidf.skops"), "--model", "kw=kw.py:keyword_model",  # noqa: E731
                                "--data", "test.csv", "--probe", "metrics", "--probe", "noise", "--config",
                                str(tmp_path / config), "--out", str(tmp_path / out), "-q"]
    res = CliRunner().invoke(main, args("audit.yaml", "out"))
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    noise = next(p for p in doc["probes"] if p["name"] == "noise")
    assert noise["config"]["severities"] == [0.1, 0.3]
    for mid in ("tfidf", "kw"):
        result = noise["results"][mid]
        assert result["status"] == "ok" and "accuracy/typo@0.3" in result["metrics"]
        assert doc["run"]["cache"][mid]["model_calls"] == 2  # metrics' clean pass + one noise request
    assert "noise.worst_accuracy" in res.output
    assert "{perturbation}@{severity}" in CliRunner().invoke(main, ["probes", "noise"]).output
    (tmp_path / "bad.yaml").write_text("probes:\n  noise:\n    perturbations: [tpyo]\n", encoding="utf-8")
    res = CliRunner().invoke(main, args("bad.yaml", "bad-out"))
    assert res.exit_code == 2 and "Did you mean 'typo'?" in res.output


def test_starter_config_lists_noise_and_reads_back(registered):
    import yaml

    from audit.starter import starter_config

    raw = yaml.safe_load(starter_config())["probes"]["noise"]
    assert NoiseProbe.from_mapping(raw).config == NoiseProbe.Config()


@pytest.mark.slow
def test_sst2_with_tfidf(shared_data, tmp_path):
    from audit.data_loader import DataConfig, load_dataset
    from audit.models.sklearn_model import load_sklearn_model
    from audit.training.tfidf import train_tfidf
    from audit.core.typed_config import build_config

    load = lambda f: load_dataset(build_config(DataConfig, {"source": str(shared_data / "sst2" / f)}, "data"))  # noqa: E731
    train, dev = load("train.tsv").subset(list(range(20000))), load("dev.tsv")
    summary = train_tfidf(train, tmp_path / "m.skops")
    cached = PredictionCache().wrap(load_sklearn_model(summary["model_path"], name="tfidf"))
    res = NoiseProbe().run(cached, dev, ProbeContext(seed=0))
    m = res.metrics
    assert m["clean_accuracy"].value > 0.75 and len(dev) == 872 and cached.stats.model_calls >= 2
    assert m["accuracy_drop/typo@0.2"].ci[0] > 0  # typos hurt a bag of words, significantly
    assert m["applied_rate/lower@0.1"].value == 0  # SST-2 is lower-cased already
    assert m["worst_accuracy"].value < m["clean_accuracy"].value and res.details["perturb_seconds"] < 30
    assert len(res.examples) == 20 and len({e["id"] for e in res.examples}) == 20
