"""The `explain` probe as a whole: config errors, what is skipped and why, example selection
(random, misclassified, attacked), the global view, and the schema of a run through the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from tiny_bert import build_tiny_bert

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.demo.corpus import generate
from audit.core.errors import AuditError
from audit.core.readonly import read_only
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.explain import ExplainProbe
from audit.probes.explain.config import METHODS
from audit.probes.explain.global_view import global_tokens, identity_lexicon
from audit.probes.explain.probe import pick_global

FAST = {"bootstrap": 50, "ig_steps": 4, "global_examples": 20, "random_baselines": 2}
TOP_KEYS = {"labels", "methods", "k", "faithfulness", "ranking", "ranking_rule", "stability", "global_tokens",
            "global_method", "selection"}
EXAMPLE_KEYS = {"id", "text", "label", "predicted", "confidence", "target", "why", "words", "attributions"}


POS_WORDS = ("great", "fun", "wonderful", "moving", "brilliant", "charming", "delightful", "superb")
NEG_WORDS = ("dull", "awful", "boring", "predictable", "tedious", "clumsy", "messy", "weak")


class Keywords:
    """p(positive) from counts of a few sentiment words (the demo corpus's among them, so no text's
    attributions are all 0); deterministic and instant."""

    labels = ["negative", "positive"]

    def __init__(self, bias=0.0, fingerprint="kw"):
        self.bias, self.fingerprint = bias, fingerprint

    def predict_proba(self, texts):
        words = [[w.strip(".,;:!?") for w in t.lower().split()] for t in texts]
        z = np.array([self.bias + sum((w in POS_WORDS) - (w in NEG_WORDS) for w in ws) for ws in words], dtype=float)
        p = 1 / (1 + np.exp(-2 * z))
        return np.stack([1 - p, p], axis=1)


class NoMaps(Keywords):
    """Claims attention maps but its attention implementation returns none."""

    def attention_rows(self, texts, batch_size=None):
        raise AuditError("This model's attention implementation returns no attention maps, so attention-based probes do not apply to it.")

    def input_gradients(self, texts, target, score="logit", batch_size=None):
        raise RuntimeError("backward failed")


def wrap(clf, kind="callable", mid="m"):
    return PredictionCache().wrap(LoadedModel(mid, "test", kind, clf))


@pytest.fixture(scope="module")
def data():
    rows = generate(40, seed=1, skewed=False)
    return Dataset([r["id"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], "generated")


def probe(**kw):
    return ExplainProbe.from_mapping({**FAST, **kw})


@pytest.mark.parametrize("raw, message", [
    ({"methods": ["atention"]}, "Unknown explanation method 'atention'. Did you mean 'attention'? Known: "),
    ({"methods": "occlusion"}, "key 'methods' must be a list"),
    ({"methods": []}, "explain.methods must be a non-empty list"),
    ({"k": [0.0, 0.5]}, "k out of range"),
    ({"k": [1.5]}, "k out of range"),
    ({"k": []}, "explain.k must be a non-empty list"),
    ({"stability_noise": "word_drop"}, "not character-level noise"),
    ({"stability_noise": "tpyo"}, "Did you mean 'typo'?"),
    ({"score": "probs"}, "Did you mean 'proba'?"),
    ({"ig_steps": 0}, "explain.ig_steps must be >= 1"),
    ({"methods": ["occlusion"], "global_method": "rollout"}, "is not among explain.methods"),
    ({"kk": 1}, "Unknown config key(s) 'kk'"),
])
def test_config_errors_name_the_key_and_the_fix(raw, message):
    with pytest.raises(AuditError) as exc:
        ExplainProbe.from_mapping(raw)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_config_defaults_and_k_sorted():
    cfg = ExplainProbe.from_mapping({"k": [0.5, 0.1]}).config
    assert cfg.k == (0.1, 0.5) and ExplainProbe().config.methods == METHODS


def test_callable_gets_occlusion_and_reasons_for_the_rest(data):
    res = probe().run(wrap(Keywords()), data, ProbeContext(seed=0))
    methods = res.details["methods"]
    assert methods["occlusion"]["status"] == "ok" and methods["occlusion"]["seconds_per_example"] > 0
    for name in ("attention", "rollout", "grad_x_input", "integrated_gradients"):
        assert methods[name]["status"] == "skipped" and "callable model does not expose" in methods[name]["reason"]
    assert set(res.details) >= TOP_KEYS and res.details["global_method"] == "occlusion"
    assert set(res.metrics) == {"aopc_comprehensiveness/occlusion", "aopc_sufficiency/occlusion", "faithfulness/occlusion",
                                "aopc_comprehensiveness/random", "aopc_sufficiency/random", "stability/occlusion"}
    assert res.details["ranking"][0]["method"] == "occlusion" and res.details["ranking"][0]["beats_random"]
    for ex in res.examples:
        assert set(ex) == EXAMPLE_KEYS and len(ex["attributions"]["occlusion"]) == len(ex["words"])


def test_no_maps_is_skipped_and_a_failing_method_is_an_error(data):
    res = probe().run(wrap(NoMaps()), data, ProbeContext(seed=0))
    methods = res.details["methods"]
    assert methods["attention"]["status"] == "skipped" and "no attention maps" in methods["attention"]["reason"]
    assert methods["grad_x_input"] == {"status": "error", "reason": "RuntimeError: backward failed", "seconds_per_example": None}
    assert methods["occlusion"]["status"] == "ok"


def test_random_examples_are_the_same_for_every_model_and_misclassified_follow(data):
    ctx = ProbeContext(seed=4)
    one = probe(random=6, misclassified=3).run(wrap(Keywords(0.0)), data, ctx)
    two = probe(random=6, misclassified=3).run(wrap(Keywords(1.5, "kw2")), data, ctx)
    ids = lambda res, why: [e["id"] for e in res.examples if e["why"] == why]  # noqa: E731
    assert ids(one, "random") == ids(two, "random") and len(ids(one, "random")) == 6
    assert ids(probe(random=6).run(wrap(Keywords()), data, ProbeContext(seed=5)), "random") != ids(one, "random")
    for res in (one, two):
        wrong = [e for e in res.examples if e["why"] == "misclassified"]
        assert wrong and all(e["label"] != e["predicted"] for e in wrong)
        assert not set(ids(res, "misclassified")) & set(ids(res, "random"))
        assert [e["confidence"] for e in wrong] == sorted((e["confidence"] for e in wrong), reverse=True)
        assert res.details["selection"] == {"misclassified": len(wrong), "attacked": 0, "random": 6}


def test_attacked_examples_come_from_the_attack_results(data):
    shown = [{"recipe": "deepwordbug", "id": "shown-only", "text": "dull", "adversarial": "dul", "label": "negative"}]
    attack = {"name": "attack", "results": {"m": {"status": "ok", "examples": shown, "details": {"successes": [
        {"recipe": "deepwordbug", "id": "x1", "text": "the film was great fun", "adversarial": "the film was graet fun",
         "label": "positive"},
        {"recipe": "deepwordbug", "id": "x2", "text": "great", "adversarial": "", "label": "positive"},
    ]}}, "other": {"status": "ok", "details": {"successes": [{"id": "nope", "adversarial": "dull", "label": "negative"}]}}}}
    doc = {"probes": [{"name": "metrics", "results": {}}, attack]}
    ctx = ProbeContext(seed=0, results=read_only(doc))
    res = probe(random=0, misclassified=0, attacked=5).run(wrap(Keywords()), data, ctx)
    # Read from details, not the displayed examples; an empty adversarial text is not explained.
    assert [e["id"] for e in res.examples] == ["x1"]
    ex = res.examples[0]
    assert ex["why"] == "attacked" and ex["original"] == "the film was great fun" and ex["text"] == "the film was graet fun"
    assert ex["label"] == "positive" and ex["predicted"] == ex["target"] == "positive"
    assert ex["attributions"]["occlusion"][4] > 0  # "fun" still carries the prediction
    none = probe(random=6, misclassified=0).run(wrap(Keywords()), data, ProbeContext(seed=0, results=None))
    assert none.details["selection"]["attacked"] == 0


def test_global_tokens_flag_identity_terms():
    lex = identity_lexicon()
    assert lex["muslim"] == "religion/muslim" and lex["she"] == "gender/female"
    words = [["The", "Muslim", "film", "great"], ["muslim!", "film", "dull"], ["she", "was", "great"], ["she", "great"]]
    scores = [np.array([0.0, 0.9, 0.1, 0.5]), np.array([0.7, 0.2, 0.1]), np.array([0.3, 0.0, 0.6]), np.array([0.1, 0.8])]
    out = global_tokens(words, scores, [1, 1, 0, 0], ["negative", "positive"], top=2, min_count=2, lexicon=lex)
    assert out["positive"] == [{"token": "muslim", "mean_attribution": pytest.approx(0.8), "count": 2, "identity": "religion/muslim"},
                               {"token": "film", "mean_attribution": pytest.approx(0.15), "count": 2, "identity": None}]
    assert [t["token"] for t in out["negative"]] == ["great", "she"] and out["negative"][1]["identity"] == "gender/female"


def test_global_method_is_the_cheapest_trustworthy_one():
    methods = {m: {"status": "ok", "seconds_per_example": s} for m, s in
               (("attention", 0.001), ("grad_x_input", 0.002), ("integrated_gradients", 0.3), ("occlusion", 0.09))}
    rank = lambda *beating: [{"method": m, "beats_random": m in beating} for m in methods]  # noqa: E731
    assert pick_global(methods, rank("integrated_gradients", "occlusion", "attention")) == "occlusion"
    assert pick_global(methods, rank("attention")) == "attention"  # trusted beats signed
    assert pick_global(methods, rank()) == "grad_x_input"  # nothing beats random: the cheapest signed one
    methods["grad_x_input"]["status"] = "skipped"
    assert pick_global(methods, rank()) == "occlusion"
    assert pick_global({"rollout": {"status": "error", "seconds_per_example": None}}, []) is None


def test_importing_the_probe_imports_no_torch():
    code = "import sys, audit.probes.explain, audit.probes.registry as r; r.all_probes(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_run_with_tiny_bert_and_tfidf_produces_the_schema(tmp_path, monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from audit.cli import main
    from audit.models.sklearn_model import save_sklearn_model

    train = generate(200, seed=0, skewed=True)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    save_sklearn_model(pipe.fit([r["text"] for r in train], [r["label"] for r in train]), tmp_path / "tfidf.skops")
    bert = build_tiny_bert(tmp_path / "bert")
    rows = generate(30, seed=1, skewed=False)
    with (tmp_path / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "audit.yaml").write_text("probes:\n  explain:\n    random: 3\n    misclassified: 2\n    ig_steps: 4\n"
                                         "    bootstrap: 50\n    global_examples: 15\n    k: [0.5, 0.1]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["run", "--model", f"bert={bert}", "--model", "tfidf.skops", "--data", "test.csv",
                                    "--probe", "explain", "--config", "audit.yaml", "--device", "cpu", "--out", "out", "-q"])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    entry = next(p for p in doc["probes"] if p["name"] == "explain")
    assert entry["family"] == "explainability" and entry["config"]["k"] == [0.1, 0.5]
    bert_res, tfidf_res = entry["results"]["bert"], entry["results"]["tfidf"]
    for result in (bert_res, tfidf_res):
        assert result["status"] == "ok" and set(result["details"]) >= TOP_KEYS
        d = result["details"]
        assert d["k"] == [0.1, 0.5] and d["labels"] == ["negative", "positive"]
        assert set(d["faithfulness"]["random"]) == {"comprehensiveness", "sufficiency", "aopc_comprehensiveness",
                                                    "aopc_sufficiency", "n"}
        assert set(d["faithfulness"]["random"]["comprehensiveness"]) == {"0.1", "0.5"}
        assert all(set(r) == {"method", "score", "ci", "beats_random"} for r in d["ranking"])
        assert all(set(v) == {"spearman", "ci", "n", "noise"} and v["noise"] == "typo@0.1" for v in d["stability"].values())
        for toks in d["global_tokens"].values():
            assert all(set(t) == {"token", "mean_attribution", "count", "identity"} for t in toks)
        for ex in result["examples"]:
            assert set(ex) >= EXAMPLE_KEYS and all(len(v) == len(ex["words"]) for v in ex["attributions"].values())
        m = result["metrics"]["faithfulness/occlusion"]
        assert m["higher_is_better"] is True and m["ci"] is not None
    assert all(v["status"] == "ok" for v in bert_res["details"]["methods"].values())
    d = bert_res["details"]
    assert d["global_method"] == pick_global(d["methods"], d["ranking"]) and d["global_tokens"]
    assert tfidf_res["details"]["global_method"] == "occlusion"
    assert [r["method"] for r in bert_res["details"]["ranking"]] != [] and len(bert_res["details"]["ranking"]) == 5
    skipped = {k: v for k, v in tfidf_res["details"]["methods"].items() if v["status"] == "skipped"}
    assert set(skipped) == {"attention", "rollout", "grad_x_input", "integrated_gradients"}
    assert all("sklearn model does not expose" in v["reason"] for v in skipped.values())
    rnd = lambda r: [e["id"] for e in r["examples"] if e["why"] == "random"]  # noqa: E731
    assert rnd(bert_res) == rnd(tfidf_res) and len(rnd(bert_res)) == 3

