"""The fairness probes on sentence pairs: the counterfactual swap rewrites both texts of a pair
with the same source -> target mapping (checked on every record), its flip rates equal a
recomputation from the swapped pairs and direct model calls; group-fairness gives the model whole
pairs and equals fairlearn's MetricFrame, and infers a pair's group from both texts; the same on
real SNLI dev pairs; `audit run` shows both texts, original and swapped, in the report."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate
from sklearn.metrics import accuracy_score

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.data_loader import DataConfig, load_dataset
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import CounterfactualProbe, GroupFairnessProbe
from audit.probes.fairness.group.attributes import inferred
from audit.probes.fairness.swap import Matcher
from audit.probes.fairness.terms import load_axes

AXES = load_axes()
NLI = ["contradiction", "entailment", "neutral"]
FEMALE = {"woman", "women", "she", "her", "hers", "girl", "girls", "mother", "lady", "ladies", "sister", "wife"}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


class GenderedNLI:
    """Word overlap of hypothesis with premise, pushed toward contradiction when either text names
    a woman: swaps matter. Refuses single texts, so a probe must give it whole pairs."""

    labels = NLI
    fingerprint = "sha256:gendered-nli"

    def __init__(self):
        self.calls: list[int] = []

    def predict_proba(self, pairs):
        self.calls.append(len(pairs))
        out = []
        for pair in pairs:
            assert isinstance(pair, tuple) and len(pair) == 2, f"not a sentence pair: {pair!r}"
            a, b = map(words, pair)
            share = len(a & b) / max(1, len(b))
            female = bool((a | b) & FEMALE)
            scores = np.array([1.0 - share + 0.45 * female, share, 0.5]) + 1e-3
            out.append(scores / scores.sum())
        return np.array(out)


class Overlap:
    """The word-overlap NLI callable of tests/overlap_nli.py, as a classifier."""

    labels = NLI
    fingerprint = "sha256:overlap-nli"

    def predict_proba(self, pairs):
        import overlap_nli

        assert overlap_nli.LABELS == NLI
        return overlap_nli.predict(pairs)


def wrap(clf, model_id="m"):
    return PredictionCache().wrap(LoadedModel(model_id, "mem", "callable", clf))


def pairs_data(pairs, labels, **attributes) -> Dataset:
    return Dataset([f"p{i}" for i in range(len(pairs))], [a for a, _ in pairs], labels, "mem",
                   text_pairs=[b for _, b in pairs], attributes=attributes)


PAIRS = [
    ("The woman is reading a book.", "She reads."),
    ("A man plays the guitar on stage.", "The man is playing music."),
    ("Two girls run on the beach.", "The children are outside."),
    ("A dog sleeps on the porch.", "A woman is driving her car."),
    ("A man and a woman dance.", "People dance."),
    ("A man sings in the rain.", "A woman sings."),
    ("A mother holds her baby.", "The woman holds a child."),
    ("He fixed his bike.", "The man repairs a bicycle."),
    ("A girl paints a wall.", "The girl is painting."),
    ("Some boys play football in the park.", "Boys are playing."),
    ("She smiles at the camera.", "A woman is smiling."),
    ("The weather is sunny.", "It is raining."),
    ("A woman is running fast.", "A woman sleeps."),  # overlap 2/3: the model's bias decides
]
LABELS = ["entailment", "entailment", "neutral", "neutral", "entailment", "contradiction", "entailment",
          "entailment", "entailment", "entailment", "entailment", "contradiction", "contradiction"]


def run_counterfactual(data, clf, **cfg):
    probe = CounterfactualProbe(CounterfactualProbe.Config(**{"bootstrap": 100, "max_examples": 10_000, **cfg}))
    return probe.run(wrap(clf), data, ProbeContext(seed=3))


def test_both_texts_of_a_pair_are_swapped_with_the_same_mapping():
    res = run_counterfactual(pairs_data(PAIRS, LABELS), GenderedNLI(), axes=("gender",))
    got = {(e["id"], e["target"]): (e["counterfactual"], e["counterfactual_pair"]) for e in res.examples}
    assert got[("p0", "male")] == ("The man is reading a book.", "He reads.")
    assert got[("p2", "male")] == ("Two boys run on the beach.", "The children are outside.")  # second text kept
    assert got[("p3", "male")] == ("A dog sleeps on the porch.", "A man is driving his car.")  # first text kept
    assert got[("p6", "male")] == ("A father holds his baby.", "The man holds a child.")
    assert got[("p7", "female")] == ("She fixed her bike.", "The woman repairs a bicycle.")
    assert got[("p10", "male")] == ("He smiles at the camera.", "A man is smiling.")
    # p4 names both groups in one text, p5 one group in each text: mixed, never swapped; p11 names none
    assert {e["id"] for e in res.examples} == {f"p{i}" for i in (0, 1, 2, 3, 6, 7, 8, 9, 10, 12)}
    assert res.details["per_axis"]["gender"] == {"texts": 10, "counterfactuals": 10, "mixed": 2, "skipped_targets": 0,
                                                 "undecided": 0, "undecided_reasons": {}, "mixed_between_texts": 1}
    assert "sentence_pairs" in res.details and "either text" in res.details["sentence_pairs"]


def assert_consistent(record: dict) -> None:
    """Each text of the pair: unchanged when it names no group, else every mention rewritten from the
    source to the target group in the same word form (slot); at least one text changed."""
    matcher = Matcher(AXES[record["axis"]])
    changed = False
    for before, after in ((record["text"], record["counterfactual"]), (record["text_pair"], record["counterfactual_pair"])):
        old, new = matcher.mentions(before), matcher.mentions(after)
        if not old:
            assert after == before, record
            continue
        changed = True
        assert {m.group for m in old} == {record["source"]}, record
        assert {m.group for m in new} == {record["target"]}, record
        assert [m.slot for m in new] == [m.slot for m in old], record
    assert changed, record


def assert_flip_rates_recomputed(res, clf_factory) -> None:
    """Flip rates and changes per axis and overall from the records' pairs and fresh model calls."""
    records = res.examples
    assert len(records) == res.details["counterfactuals"]  # every counterfactual is a record here
    clf = clf_factory()
    p0 = clf.predict_proba([(e["text"], e["text_pair"]) for e in records])
    p1 = clf.predict_proba([(e["counterfactual"], e["counterfactual_pair"]) for e in records])
    flips = p0.argmax(1) != p1.argmax(1)
    change = np.abs(p1 - p0).max(1)
    assert res.metrics["flip_rate"].value == pytest.approx(flips.mean(), abs=1e-12)
    assert res.metrics["mean_abs_change"].value == pytest.approx(change.mean(), abs=1e-12)
    assert res.metrics["max_abs_change"].value == pytest.approx(change.max(), abs=1e-12)
    axis = np.array([e["axis"] for e in records])
    for a in set(axis):
        assert res.metrics[f"flip_rate/{a}"].value == pytest.approx(flips[axis == a].mean(), abs=1e-12)
    key = np.array([f"{e['axis']}/{e['source']}->{e['target']}" for e in records])
    for k in set(key):
        assert res.metrics[f"pair_flip_rate/{k}"].value == pytest.approx(flips[key == k].mean(), abs=1e-12)
    assert [e["predicted"] for e in records] == [NLI[j] for j in p0.argmax(1)]
    assert [e["counterfactual_predicted"] for e in records] == [NLI[j] for j in p1.argmax(1)]


def test_every_record_is_consistent_and_flip_rates_equal_direct_calls():
    data = pairs_data(PAIRS, LABELS)
    clf = GenderedNLI()
    res = run_counterfactual(data, clf)
    assert clf.calls == [len(set(data.inputs[int(i[1:])] for i in {e["id"] for e in res.examples})) + len(res.examples)]
    for record in res.examples:
        assert_consistent(record)
    assert_flip_rates_recomputed(res, GenderedNLI)
    assert 0 < res.metrics["flip_rate/gender"].value < 1  # some swaps flip this model, some do not


def test_a_consistent_swap_leaves_the_overlap_model_unmoved():
    """The overlap model reads only which words the texts share: swapping both texts alike keeps that,
    so nothing moves; swapping one text alone would move every pair here."""
    same = [("A woman plays the violin.", "The woman plays music."), ("The girls laugh.", "Girls laugh loudly."),
            ("She walks her dog.", "She walks."), ("A man cooks.", "The man cooks pasta."),
            ("He reads his book.", "He reads.")]
    data = pairs_data(same, ["entailment"] * len(same))
    res = run_counterfactual(data, Overlap(), axes=("gender",))
    assert res.details["counterfactuals"] == len(same)
    assert res.metrics["flip_rate"].value == 0.0 and res.metrics["max_abs_change"].value == 0.0
    one_side = Overlap().predict_proba([(e["counterfactual"], e["text_pair"]) for e in res.examples])
    original = Overlap().predict_proba(data.inputs)
    assert (np.abs(one_side - original[[int(e["id"][1:]) for e in res.examples]]).max(1) > 0.05).all()


def group_case(n=600, seed=0):
    """Pairs with a gender column; the hypothesis sometimes names the person, so the gendered model differs."""
    rng = np.random.default_rng(seed)
    nouns = {"f": ("woman", "She"), "m": ("man", "He")}
    subjects = ["plays chess", "reads a book", "rides a horse", "sings a song", "paints a wall", "cooks dinner"]
    pairs, gender = [], []
    for _ in range(n):
        g = str(rng.choice(["f", "m"]))
        noun, pronoun = nouns[g]
        a, b = subjects[rng.integers(len(subjects))], subjects[rng.integers(len(subjects))]
        hyp = [f"{pronoun} {b}.", f"Someone {b}.", f"A person {a} outside."][rng.integers(3)]
        pairs.append((f"A {noun} {a} in the park.", hyp))
        gender.append(g)
    labels = [NLI[j] for j in rng.integers(0, 3, n)]
    return pairs_data(pairs, labels, gender=gender), np.array(gender)


def test_group_fairness_on_pairs_with_a_column_equals_fairlearn():
    data, gender = group_case()
    clf = GenderedNLI()
    res = GroupFairnessProbe(GroupFairnessProbe.Config(bootstrap=50)).run(wrap(clf), data, ProbeContext(seed=0))
    pred = GenderedNLI().predict_proba(data.inputs).argmax(1)  # whole pairs (the model refuses single texts)
    y = np.array([NLI.index(v) for v in data.labels])
    assert res.predictions["predicted"] == [NLI[j] for j in pred]
    entry = res.details["attributes"][0]
    acc = MetricFrame(metrics=accuracy_score, y_true=y, y_pred=pred, sensitive_features=gender).by_group
    dpd = []
    for c, label in enumerate(NLI):
        frame = MetricFrame(metrics={"sel": selection_rate, "tpr": true_positive_rate}, y_true=(y == c).astype(int),
                            y_pred=(pred == c).astype(int), sensitive_features=gender).by_group
        for g in entry["groups"]:
            assert g["rates"][label]["selection_rate"]["value"] == pytest.approx(frame.loc[g["group"], "sel"], abs=1e-12)
            assert g["rates"][label]["tpr"]["value"] == pytest.approx(frame.loc[g["group"], "tpr"], abs=1e-12)
        dpd.append(frame["sel"].max() - frame["sel"].min())
    for g in entry["groups"]:
        assert g["accuracy"]["value"] == pytest.approx(acc.loc[g["group"]], abs=1e-12)
    assert res.metrics["demographic_parity_difference/gender"].value == pytest.approx(max(dpd), abs=1e-12)
    assert max(dpd) > 0.05  # the model's gender bias shows through the hypotheses that name the person
    assert res.metrics["accuracy_difference/gender"].value == pytest.approx(acc.max() - acc.min(), abs=1e-12)


def test_groups_inferred_from_both_texts_of_a_pair():
    data = pairs_data(PAIRS, LABELS)
    attrs, summary = inferred(data.texts, {"gender": AXES["gender"]}, data.text_pairs)
    expected = ["female", "male", "female", "female", None, None, "female", "male", "female", "male", "female", None,
                "female"]
    assert attrs[0].values == expected
    assert summary["gender"] == {"texts": 10, "mixed": 2, "groups": {"female": 7, "male": 3}, "used": True,
                                 "mixed_between_texts": 1}
    single, _ = inferred(data.texts, {"gender": AXES["gender"]})  # the first texts alone: p3 names no group
    assert single[0].values[3] is None
    res = GroupFairnessProbe(GroupFairnessProbe.Config(bootstrap=0, min_support=1, axes=("gender",))).run(
        wrap(GenderedNLI()), data, ProbeContext(seed=0))
    assert res.predictions["group:gender"] == expected
    assert "Sentence pairs: a pair belongs to a group when either" in res.details["inference"]["note"]


def test_real_snli_dev_pairs(shared_data):
    data = load_dataset(DataConfig(str(shared_data / "pairs" / "snli" / "dev.jsonl")))
    assert data.is_pair and len(data) > 1000
    res = run_counterfactual(data, GenderedNLI(), axes=("gender", "age"))
    assert res.status == "ok" and res.details["counterfactuals"] > 500
    for record in res.examples:
        assert_consistent(record)
    assert_flip_rates_recomputed(res, GenderedNLI)
    # mixed pairs are never swapped, and the counts agree with a count made here
    matchers = {a: Matcher(AXES[a]) for a in ("gender", "age")}
    swapped = {(e["id"], e["axis"]) for e in res.examples}
    for a, matcher in matchers.items():
        sides = [(matcher.groups(t), matcher.groups(p)) for t, p in data.inputs]
        mixed = [i for i, (g, h) in enumerate(sides) if len(g | h) > 1]
        between = [i for i in mixed if len(sides[i][0]) <= 1 and len(sides[i][1]) <= 1]
        assert not {(data.ids[i], a) for i in mixed} & swapped
        assert res.details["per_axis"][a]["mixed"] == len(mixed)
        assert res.details["per_axis"][a]["mixed_between_texts"] == len(between) > 0
    groups = GroupFairnessProbe(GroupFairnessProbe.Config(bootstrap=0, axes=("gender",))).run(
        wrap(GenderedNLI()), data, ProbeContext(seed=0))
    gm = matchers["gender"]
    want = [next(iter(g)) if len(g) == 1 else None for g in (gm.groups(t) | gm.groups(p) for t, p in data.inputs)]
    assert groups.predictions["group:gender"] == want
    rows = np.array([w is not None for w in want])
    pred = GenderedNLI().predict_proba(data.inputs).argmax(1)
    y = np.array([NLI.index(v) for v in data.labels])
    acc = MetricFrame(metrics=accuracy_score, y_true=y[rows], y_pred=pred[rows],
                      sensitive_features=np.array(want, dtype=object)[rows]).by_group
    assert groups.metrics["accuracy_difference/gender"].value == pytest.approx(acc.max() - acc.min(), abs=1e-12)


def test_audit_run_shows_both_texts_original_and_swapped(tmp_path):
    rows = [{"premise": a, "hypothesis": b, "label": y} for (a, b), y in zip(PAIRS, LABELS)]
    rows[12]["premise"] = "A woman is running <i>fast</i>."  # a flip: shown first
    data = tmp_path / "nli.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows * 3), encoding="utf-8")
    (tmp_path / "gendered_nli.py").write_text(
        "import numpy as np\nimport re\n"
        f"FEMALE = {sorted(FEMALE)!r}\n"
        "def predict(pairs):\n"
        "    out = []\n"
        "    for a, b in pairs:\n"
        "        wa, wb = (set(re.findall('[a-z]+', t.lower())) for t in (a, b))\n"
        "        share = len(wa & wb) / max(1, len(wb))\n"
        "        s = np.array([1 - share + 0.45 * bool((wa | wb) & set(FEMALE)), share, 0.5]) + 1e-3\n"
        "        out.append(s / s.sum())\n"
        "    return np.array(out)\n"
        f"predict.labels = {NLI!r}\n", encoding="utf-8")
    config = tmp_path / "audit.yaml"
    config.write_text("probes:\n  group-fairness: {bootstrap: 0, min_support: 1}\n"
                      "  counterfactual: {bootstrap: 0, axes: [gender]}\n", encoding="utf-8")
    import sys

    from audit.cli import main

    sys.path.insert(0, str(tmp_path))
    try:
        res = CliRunner().invoke(main, ["run", "--model", "nli=gendered_nli:predict", "--data", str(data), "--out",
                                        str(tmp_path / "out"), "--config", str(config), "--probe", "group-fairness",
                                        "--probe", "counterfactual", "-q"])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("gendered_nli", None)
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    results = {p["name"]: p["results"]["nli"] for p in doc["probes"]}
    assert results["group-fairness"]["status"] == "ok" and results["counterfactual"]["status"] == "ok"
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| id | text | text\\_pair | pair | counterfactual | counterfactual\\_pair |" in report
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "A woman is running &lt;i&gt;fast&lt;/i&gt;." in html and "A man is running &lt;i&gt;fast&lt;/i&gt;." in html
    assert "<i>fast</i>" not in html
    assert "Pairs whose two texts name different groups: gender 3." in html
