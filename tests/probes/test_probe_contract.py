"""The contract every registered probe keeps (plug-ins included, whatever the registry holds):
its metric names match its ``metric_specs``, its result serialises to results.json, the same
seed gives the same result whatever order the models run in, it writes nothing outside its
``work_dir``, and the runner records a not-applicable model without running it. A probe that
handles sentence pairs keeps the first three on a pair dataset too."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from audit.cache import PredictionCache
from audit.core.document import metric_pattern
from audit.core.results import ResultsStore, dumps
from audit.data_loader import DataConfig, load_dataset
from audit.demo.corpus import generate, write_csv
from audit.models.base import LoadedModel
from audit.models.sklearn_model import SklearnClassifier
from audit.probes.base import ProbeContext, ProbeResult
from audit.probes.registry import all_probes

# Small settings so that the whole contract suite runs in seconds; a probe not listed here (a
# plug-in) runs with its defaults.
FAST = {
    "metrics": {"bootstrap": 50},
    "noise": {"perturbations": ["typo", "word_drop"], "severities": [0.1], "bootstrap": 50},
    "attack": {"recipes": ["deepwordbug"], "examples": 4, "query_budget": 60, "workers": 4},
    "group-fairness": {"bootstrap": 50, "min_support": 5},
    "bias-auc": {"bootstrap": 50, "min_support": 5},
    "counterfactual": {"bootstrap": 50, "max_texts": 12, "axes": ["gender"]},
    # the default suite (sentiment; inference on pairs), its labels mapped to the pair models' labels
    "templates": {"bootstrap": 50, "permutations": 50, "max_sets": 3,
                  "label_map": {"entailment": "positive", "contradiction": "negative"}},
    "explain": {"methods": ["occlusion"], "misclassified": 1, "attacked": 0, "random": 2, "global_examples": 10,
                "stability_versions": 1, "random_baselines": 1, "bootstrap": 50},
    "slices": {"min_size": 8},  # 48 examples: slices of 8 to 40
}
# The registry's probes (installed plug-ins included) and the sample plug-in's probe, checked
# without registering it (which would add it to every other test's `audit probes`).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "sample_plugin"))
from audit_sample_plugin import LengthGap  # noqa: E402

CLASSES = {**all_probes(), LengthGap.name: LengthGap}
PROBES = sorted(CLASSES)


def params(names):
    """The probes as test parameters; one that needs TextAttack (the `attack` extra) is marked so."""
    return [pytest.param(n, marks=pytest.mark.textattack) if "textattack" in CLASSES[n].needs else n for n in names]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = write_csv(generate(48, seed=1, skewed=False), tmp_path_factory.mktemp("data") / "test.csv")
    return load_dataset(DataConfig(source=str(path), sensitive=("gender", "religion")))


@pytest.fixture(scope="module")
def loaded():
    """Two different scikit-learn models of the demo corpus: (id, LoadedModel)."""
    train = generate(200, seed=0, skewed=True)
    texts, labels = [r["text"] for r in train], [r["label"] for r in train]
    models = []
    for name, c in (("strong", 10.0), ("weak", 0.05)):
        pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(C=c, max_iter=500)).fit(texts, labels)
        clf = SklearnClassifier(pipe, [str(x) for x in pipe.classes_], f"sha256:{name}")
        models.append(LoadedModel(id=name, source=name, kind="sklearn", classifier=clf))
    return models


def build(name: str):
    cls = CLASSES[name]
    return cls.from_mapping(FAST.get(name, {}))


def run_all(name, loaded, data, order, work_dir) -> dict[str, dict]:
    """The probe on every model in ``order`` (fresh caches), as the runner stores each result."""
    cache = PredictionCache()
    probe = build(name)
    ctx = ProbeContext(seed=7, work_dir=work_dir)
    out = {}
    for model in [loaded[i] for i in order]:
        cached = cache.wrap(model)
        reason = probe.not_applicable(cached)
        if reason:
            out[model.id] = {"status": "not_applicable", "reason": reason}
            continue
        result = probe.run(cached, data, ctx)
        assert isinstance(result, ProbeResult)
        out[model.id] = result.as_dict()
    return out


class Runs(dict):
    """Each probe run twice, the models in both orders, from an empty working folder: on first use, so a
    deselected probe never runs."""

    def __init__(self, loaded, data, tmp_path_factory, prefix=""):
        super().__init__()
        self.loaded, self.data, self.tmp_path_factory, self.prefix = loaded, data, tmp_path_factory, prefix

    def __missing__(self, name):
        self[name] = run_both_orders(name, self.loaded, self.data, self.tmp_path_factory.mktemp(self.prefix + name))
        return self[name]


@pytest.fixture(scope="module")
def runs(loaded, data, tmp_path_factory):
    return Runs(loaded, data, tmp_path_factory)


def run_both_orders(name, loaded, data, root):
    """(root, results in model order, results in reverse order), run with ``root`` as the working folder."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        forward = run_all(name, loaded, data, [0, 1], root / "work")
        backward = run_all(name, loaded, data, [1, 0], root / "work-2")
    finally:
        os.chdir(cwd)
    return root, forward, backward


@pytest.mark.parametrize("name", params(PROBES))
def test_metric_names_match_the_specs(runs, name):
    check_metric_names(runs, name)


def check_metric_names(runs, name):
    specs = [s.name for s in CLASSES[name].metric_specs]
    patterns = [metric_pattern(s) for s in specs]
    _, forward, _ = runs[name]
    names = {m for res in forward.values() for m in res.get("metrics", {})}
    assert names or all(r["status"] != "ok" for r in forward.values()), f"{name} reported no metric"
    unmatched = sorted(m for m in names if not any(p.match(m) for p in patterns))
    assert not unmatched, f"{name}: metrics outside metric_specs: {unmatched}"
    for res in forward.values():
        for metric in res.get("metrics", {}).values():
            assert set(metric) >= {"value", "higher_is_better"}


@pytest.mark.parametrize("name", params(PROBES))
def test_results_serialise_to_the_results_document(runs, name):
    _, forward, _ = runs[name]
    text = dumps({"probes": [{"name": name, "results": forward}]})
    assert json.loads(text)["probes"][0]["results"].keys() == forward.keys()


# Wall-clock figures differ between any two runs, and noise notes which perturbed texts an earlier
# model of the audit already made (how the work was shared, not a result).
PROVENANCE = ("perturbations_reused",)


def _varies(key: str) -> bool:
    return key.endswith("_s") or "seconds" in key or key in PROVENANCE


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if not _varies(str(k))}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _comparable(result: dict) -> str:
    return json.dumps(_without_timings(json.loads(dumps(result))), sort_keys=True)


@pytest.mark.parametrize("name", params(PROBES))
def test_same_seed_same_result_whatever_the_model_order(runs, name):
    _, forward, backward = runs[name]
    for model_id in forward:
        assert _comparable(forward[model_id]) == _comparable(backward[model_id]), f"{name} · {model_id}"


@pytest.mark.parametrize("name", params(PROBES))
def test_nothing_is_written_outside_the_work_dir(runs, name):
    root, _, _ = runs[name]
    stray = [p.relative_to(root) for p in root.rglob("*")
             if p.is_file() and p.relative_to(root).parts[0] not in ("work", "work-2")]
    assert not stray, f"{name} wrote {stray}"


@pytest.mark.parametrize("name", params(PROBES))
def test_a_not_applicable_model_is_recorded_without_running(loaded, data, tmp_path, monkeypatch, name):
    from audit.core.progress import Display
    from audit.runner import metric_specs, record_unit

    probe = build(name)
    monkeypatch.setattr(probe, "not_applicable", lambda model: "no ability X (test)")
    monkeypatch.setattr(probe, "run", lambda *a: pytest.fail("run() called on a not-applicable model"))
    store = ResultsStore(tmp_path, {"schema": "audit-results/1", "probes": []})
    entry = store.probe_entry(probe, metric_specs(probe))
    model = PredictionCache().wrap(loaded[0])
    with Display(quiet=True) as display:
        record_unit(store, entry, probe, model, data, ProbeContext(seed=0), display)
    saved = json.loads((tmp_path / "results.json").read_text())
    result = saved["probes"][0]["results"][model.id]
    assert result["status"] == "not_applicable" and result["reason"] == "no ability X (test)"
    assert model.stats.model_calls == 0


def test_declared_abilities_make_a_probe_not_applicable(loaded):
    from audit.models.base import HasInputGradients
    from audit.probes.base import Probe

    class NeedsGradients(Probe):
        name, family, requires = "needs-gradients", "explainability", (HasInputGradients,)

    reason = NeedsGradients().not_applicable(PredictionCache().wrap(loaded[0]))
    assert reason == "needs a model with HasInputGradients (sklearn models lack it)"


def test_every_built_in_probe_and_the_sample_plugin_are_covered():
    assert set(FAST) | {"length-gap"} <= set(PROBES)


# Sentence pairs: every probe that says it handles pairs keeps the same contract on pair data
# (read through the loader from premise/hypothesis columns) with two pair models, and its example
# records carry both texts. The hypothesis names a gender at random, so some pairs name one group
# in both texts and some a different group in each (what the fairness probes must count apart).
PAIR_PROBES = sorted(n for n in PROBES if CLASSES[n].handles_pairs)
HYPOTHESES = {"female": ["She liked the film.", "The woman saw it twice."],
              "male": ["He liked the film.", "The man saw it twice."]}


def _pair_rows(n: int, seed: int, skewed: bool) -> list[dict]:
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for r in generate(n, seed=seed, skewed=skewed):
        gender = str(rng.choice(["female", "male"]))
        rows.append({"id": r["id"], "premise": r["text"], "hypothesis": HYPOTHESES[gender][int(rng.integers(2))],
                     "label": r["label"]})
    return rows


def joined(pairs):
    """A pair pipeline's first step: (text, text_pair) -> one string a TF-IDF vectoriser reads."""
    return [f"{a} [SEP] {b}" for a, b in pairs]


@pytest.fixture(scope="module")
def pair_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("pairs") / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _pair_rows(48, 1, False)), encoding="utf-8")
    data = load_dataset(DataConfig(source=str(path)))
    assert data.is_pair and data.columns["text_pair"] == "hypothesis"
    return data


@pytest.fixture(scope="module")
def pair_loaded():
    """Two different scikit-learn pair models (the pair joined into one string): (id, LoadedModel)."""
    from sklearn.preprocessing import FunctionTransformer

    train = _pair_rows(200, 0, True)
    pairs, labels = [(r["premise"], r["hypothesis"]) for r in train], [r["label"] for r in train]
    models = []
    for name, c in (("pair-strong", 10.0), ("pair-weak", 0.05)):
        pipe = make_pipeline(FunctionTransformer(joined), TfidfVectorizer(), LogisticRegression(C=c, max_iter=500))
        pipe.fit(pairs, labels)
        clf = SklearnClassifier(pipe, [str(x) for x in pipe.classes_], f"sha256:{name}")
        models.append(LoadedModel(id=name, source=name, kind="sklearn", classifier=clf))
    return models


@pytest.fixture(scope="module")
def pair_runs(pair_loaded, pair_data, tmp_path_factory):
    return Runs(pair_loaded, pair_data, tmp_path_factory, prefix="pairs-")


def test_the_pair_probes_so_far():
    assert set(PAIR_PROBES) >= {"metrics", "noise", "attack", "group-fairness", "bias-auc", "counterfactual", "templates",
                                "explain", "slices"}


@pytest.mark.parametrize("name", params(PROBES))
def test_a_probe_that_does_not_handle_pairs_says_so(pair_data, data, name):
    probe = build(name)
    reason = probe.not_applicable_to(pair_data)
    assert (reason is None) == CLASSES[name].handles_pairs and probe.not_applicable_to(data) is None
    assert reason is None or "does not handle sentence pairs" in reason


@pytest.mark.parametrize("name", params(PAIR_PROBES))
def test_pairs_keep_the_contract(pair_runs, pair_data, name):
    specs = [metric_pattern(s.name) for s in CLASSES[name].metric_specs]
    root, forward, backward = pair_runs[name]
    assert all(r["status"] == "ok" for r in forward.values()), f"{name}: {forward}"
    names = {m for res in forward.values() for m in res.get("metrics", {})}
    assert names and not [m for m in names if not any(p.match(m) for p in specs)]
    dumps({"probes": [{"name": name, "results": forward}]})
    for model_id in forward:
        assert _comparable(forward[model_id]) == _comparable(backward[model_id]), f"{name} · {model_id} (pairs)"
    stray = [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] not in ("work", "work-2")]
    assert not stray, f"{name} wrote {stray}"
    second = dict(zip(pair_data.ids, pair_data.text_pairs))
    for res in forward.values():
        for example in res.get("examples", []):
            if "text" in example and "id" in example:  # a record of an example shows both of its texts
                assert example.get("text_pair") == second[example["id"]], f"{name}: {example}"
            elif "text" in example:  # a probe's own case (a template suite's): both texts too
                assert example.get("text_pair"), f"{name}: {example}"
