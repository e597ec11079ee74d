"""The `counterfactual` probe: grammar-preserving swaps, metrics against a direct computation, one
batched model request (callable and tiny BERT), determinism, the sign test, and term lists."""

from __future__ import annotations

import numpy as np
import pytest

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.demo.corpus import generate
from audit.core.errors import AuditError
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import CounterfactualProbe
from audit.probes.fairness.counterfactual.generate import generate as make_counterfactuals
from audit.stats import holm, sign_test
from audit.probes.fairness.swap import Matcher, swap_all
from audit.probes.fairness.terms import (BAD_CELLS, BAD_CONTEXT, BAD_HEADER, CONTEXTS, TERM_TWICE, TERMS_MISSING,
                                        load_axes)

AXES = load_axes()


def swapped(text: str, axis: str, target: str) -> str | None:
    return swap_all(text, Matcher(AXES[axis]), target)


@pytest.mark.parametrize("text,axis,target,want", [
    ("he liked it", "gender", "female", "she liked it"),
    ("It was his film.", "gender", "female", "It was her film."),
    ("I told him so.", "gender", "female", "I told her so."),
    ("The choice was his.", "gender", "female", "The choice was hers."),
    ("I saw her yesterday and her dog liked her.", "gender", "male", "I saw him yesterday and his dog liked him."),
    ("He said his father loved him", "gender", "female", "She said her mother loved her"),
    ("HE IS HERE", "gender", "female", "SHE IS HERE"),
    ("Muslims loved it.", "religion", "christian", "Christians loved it."),
    ("As a Muslim woman, I loved it.", "religion", "atheist", "As an atheist woman, I loved it."),
    ("An atheist man wrote this.", "religion", "jewish", "A Jewish man wrote this."),
    ("I am a Muslim.", "religion", "jewish", "I am a Jew."),
    ("I am Muslim.", "religion", "jewish", "I am Jewish."),
    ("white people were there", "race", "black", "Black people were there"),
    ("My grandmother is Mexican.", "nationality", "french", "My grandmother is French."),
    ("Women and girls watched.", "gender", "male", "Men and boys watched."),
])
def test_grammar_preserving_swaps(text, axis, target, want):
    assert swapped(text, axis, target) == want


def test_words_in_other_senses_are_not_mentions():
    assert Matcher(AXES["race"]).groups("a black comedy with white wine") == set()
    assert Matcher(AXES["age"]).groups("an old film about young love") == set()
    assert Matcher(AXES["age"]).groups("an old man and his young daughter") == {"old", "young"}
    assert swapped("A man and a woman met.", "gender", "female") is None  # two groups: no single source


class Keyword:
    """Positive when 'Muslim' or praise appears; deterministic, and records each request."""

    labels = ["negative", "positive"]
    fingerprint = "sha256:kw"

    def __init__(self):
        self.calls: list[int] = []

    def predict_proba(self, texts):
        self.calls.append(len(texts))
        p = np.array([0.3 + 0.4 * ("brilliant" in t or "wonderful" in t) + 0.25 * ("Muslim" in t) for t in texts])
        return np.stack([1 - p, p], axis=1)


@pytest.fixture(scope="module")
def demo():
    rows = generate(120, seed=2, skewed=False)
    return Dataset([r["id"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], "mem")


def run(data, clf, seed=0, **cfg):
    model = PredictionCache().wrap(LoadedModel("kw", "mem", "callable", clf))
    probe = CounterfactualProbe(CounterfactualProbe.Config(**{"bootstrap": 200, **cfg}))
    return probe.run(model, data, ProbeContext(seed=seed)), model


def test_metrics_equal_a_direct_computation_in_one_request(demo):
    clf = Keyword()
    res, model = run(demo, clf)
    assert clf.calls == [len(set(demo.texts) | set(make_counterfactuals(
        demo.ids, demo.texts, AXES, max_texts=None, seed=0).texts))]  # one request for all texts
    cf = make_counterfactuals(demo.ids, demo.texts, AXES, max_texts=None, seed=0)
    p0 = Keyword().predict_proba([demo.texts[i] for i in cf.row])
    p1 = Keyword().predict_proba(cf.texts)
    flips = p0.argmax(1) != p1.argmax(1)
    change = np.abs(p1 - p0).max(1)
    assert res.metrics["flip_rate"].value == pytest.approx(flips.mean())
    assert res.metrics["mean_abs_change"].value == pytest.approx(change.mean())
    relig = np.array(cf.axis) == "religion"
    assert res.metrics["flip_rate/religion"].value == pytest.approx(flips[relig].mean())
    pair = relig & (np.array(cf.source) == "muslim") & (np.array(cf.target) == "hindu")
    assert res.metrics["pair_flip_rate/religion/muslim->hindu"].value == pytest.approx(flips[pair].mean())
    entry = next(p for p in res.details["pairs"] if (p["source"], p["target"]) == ("muslim", "hindu"))
    d = (p1[:, 1] - p0[:, 1])[pair]
    assert (entry["increases"], entry["decreases"]) == ((d > 0).sum(), (d < 0).sum())
    assert res.metrics["flip_rate/gender"].value == 0.0 and res.metrics["flip_rate"].higher_is_better is False
    assert res.metrics["flip_rate"].ci[0] <= res.metrics["flip_rate"].value <= res.metrics["flip_rate"].ci[1]
    assert res.examples and all(e["text"] != e["counterfactual"] for e in res.examples)
    assert res.examples[0]["predicted"] != res.examples[0]["counterfactual_predicted"]  # flips first
    assert res.details["worst_pair"]["target"] == "muslim" or res.details["worst_pair"]["source"] == "muslim"


def test_deterministic_and_seeded(demo):
    a, _ = run(demo, Keyword(), seed=1)
    b, _ = run(demo, Keyword(), seed=1)
    c, _ = run(demo, Keyword(), seed=2)
    assert a.as_dict() == b.as_dict()
    assert a.metrics["flip_rate"].value == c.metrics["flip_rate"].value
    assert a.metrics["flip_rate"].ci != c.metrics["flip_rate"].ci


def test_max_texts_picks_texts_by_id_not_by_neighbours(demo):
    few = make_counterfactuals(demo.ids, demo.texts, AXES, max_texts=10, seed=0)
    assert len(set(few.row)) == 10
    half = demo.subset(sorted(set(few.row)) + list(range(60, 80)))
    again = make_counterfactuals(half.ids, half.texts, AXES, max_texts=10, seed=0)
    assert {half.ids[i] for i in again.row} <= {demo.ids[i] for i in few.row} | set(half.ids[10:])


def test_sign_test_and_holm_known_answers():
    assert sign_test(np.array([1.0] * 9 + [-1.0]))[2] == pytest.approx(22 / 1024)  # 2 * P(X <= 1), X ~ Bin(10, .5)
    assert sign_test(np.array([0.3] * 10)) == (10, 0, pytest.approx(2 / 1024))
    assert sign_test(np.array([0.0, 0.0, 0.5, -0.5])) == (1, 1, 1.0)  # ties dropped
    assert sign_test(np.zeros(5)) == (0, 0, 1.0)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    from scipy.stats import binomtest

    for pos, neg in [(3, 11), (25, 25), (0, 6), (140, 110)]:
        d = np.array([0.1] * pos + [-0.2] * neg)
        assert sign_test(d)[2] == pytest.approx(binomtest(pos, pos + neg, 0.5).pvalue, rel=1e-9)


def test_not_applicable_without_mentions():
    data = Dataset(["0", "1"], ["a fine film", "a dull film"], ["positive", "negative"], "mem")
    res, _ = run(data, Keyword())
    assert res.status == "not_applicable" and "No text mentions an identity term" in res.reason


def test_user_term_lists_add_an_axis(tmp_path, demo):
    (tmp_path / "terms_profession.csv").write_text("slot,context,doctor,teacher\nperson,any,doctor,teacher\n"
                                                   "people,any,doctors,teachers\n", encoding="utf-8")
    data = Dataset(["0", "1"], ["The doctors loved it.", "A teacher hated it."], ["positive", "negative"], "mem")
    res, _ = run(data, Keyword(), terms=str(tmp_path), axes=("profession",))
    assert {(e["text"], e["counterfactual"]) for e in res.examples} == {
        ("The doctors loved it.", "The teachers loved it."), ("A teacher hated it.", "A doctor hated it.")}


@pytest.mark.parametrize("content,message", [
    ("slot,context\nperson,any\n", BAD_HEADER.format(where="{path}:1", got="slot,context")),
    ("slot,context,a,b\nperson,any,x\n", BAD_CELLS.format(where="{path}:2", got=3, want=4)),
    ("# c\nslot,context,a,b\nperson,sometimes,x,y\n",
     BAD_CONTEXT.format(where="{path}:3", context="sometimes", contexts=", ".join(CONTEXTS))),
    ("slot,context,a,b\nperson,any,x,y\nplural,any,xs,x\n", TERM_TWICE.format(where="{path}:3", term="x", a="a", b="b",
                                                                                axis="bad")),
])
def test_malformed_term_lists(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AuditError) as err:
        CounterfactualProbe.from_mapping({"terms": str(path)})
    assert str(err.value) == message.format(path=path)
    with pytest.raises(AuditError) as err:
        CounterfactualProbe.from_mapping({"terms": str(tmp_path / "nope.csv")})
    assert str(err.value) == TERMS_MISSING.format(path=tmp_path / "nope.csv")


def test_tiny_bert_gets_one_batched_request(tmp_path, demo):
    from tiny_bert import build_tiny_bert

    from audit.models.huggingface import load_hf_model

    loaded = load_hf_model(str(build_tiny_bert(tmp_path / "bert", texts=demo.texts)), name="bert", device="cpu")
    calls = []
    original = loaded.classifier.predict_proba
    loaded.classifier.predict_proba = lambda texts: calls.append(len(texts)) or original(texts)
    model = PredictionCache().wrap(loaded)
    model.predict_proba(demo.texts)  # as the metrics probe would have done
    small = demo.subset(list(range(30)))
    res = CounterfactualProbe(CounterfactualProbe.Config(bootstrap=50)).run(model, small, ProbeContext(seed=0))
    assert res.status == "ok" and len(calls) == 2  # the originals were cached; all counterfactuals in one request
    assert 0 <= res.metrics["mean_abs_change"].value <= 1
