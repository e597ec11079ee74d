"""The `group-fairness` probe equals fairlearn on the same predictions; small groups, intersections,
groups inferred from text, bad inputs, and the whole CLI on the demo corpus."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from fairlearn.metrics import (MetricFrame, demographic_parity_difference, demographic_parity_ratio,
                               equal_opportunity_difference, equalized_odds_difference, false_positive_rate,
                               selection_rate, true_positive_rate)

import audit.probes.registry as registry
import audit.reports.sections as sections
from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.demo.corpus import generate
from audit.core.errors import AuditError
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import GroupFairnessProbe
from audit.probes.fairness.group.attributes import BAD_INTERSECTION, EMPTY_COLUMN, MISSING_COLUMN, ONE_GROUP
from audit.probes.fairness.group.rates import metric_frames, resampled_rates
from audit.probes.fairness.group.probe import NO_COLUMN, NOTHING
from audit.stats import proportion_interval

Config = GroupFairnessProbe.Config


class TableModel:
    """Fixed probabilities per text: an oracle independent of the probe."""

    def __init__(self, labels, table):
        self.labels, self.table, self.fingerprint = labels, table, "sha256:table"

    def predict_proba(self, texts):
        return np.array([self.table[t] for t in texts])


def make_case(k=2, n=400, seed=0):
    rng = np.random.default_rng(seed)
    labels = ["neg", "pos", "mid"][:k]
    gold = rng.integers(0, k, n)
    gender = rng.choice(["f", "m"], n)
    religion = rng.choice(["a", "b", "c"], n).astype(object)
    religion[:12] = "tiny"  # a group below min_support
    logits = rng.normal(size=(n, k)) + 1.0 * np.eye(k)[gold] + 0.8 * (gender == "f")[:, None] * np.eye(k)[k - 1]
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    texts = [f"text {i}" for i in range(n)]
    data = Dataset([str(i) for i in range(n)], texts, [labels[g] for g in gold], "mem",
                   attributes={"gender": list(gender), "religion": list(religion)})
    model = PredictionCache().wrap(LoadedModel("m", "mem", "callable", TableModel(labels, dict(zip(texts, proba)))))
    return data, model, gold, proba.argmax(1), gender, religion


def run(data, model, seed=0, **cfg):
    return GroupFairnessProbe(Config(**{"bootstrap": 200, **cfg})).run(model, data, ProbeContext(seed=seed))


def test_binary_rates_and_gaps_equal_fairlearn():
    data, model, y, pred, gender, religion = make_case()
    res = run(data, model)
    assert res.status == "ok"
    yt, yp = (y == 1).astype(int), (pred == 1).astype(int)
    frame = MetricFrame(metrics={"sel": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
                        y_true=yt, y_pred=yp, sensitive_features=gender).by_group
    entry = res.details["attributes"][0]
    for g in entry["groups"]:
        assert g["rates"]["pos"]["selection_rate"]["value"] == pytest.approx(frame.loc[g["group"], "sel"])
        assert g["rates"]["pos"]["tpr"]["value"] == pytest.approx(frame.loc[g["group"], "tpr"])
        assert g["accuracy"]["value"] == pytest.approx((y == pred)[gender == g["group"]].mean())
    m = res.metrics
    kw = {"sensitive_features": gender}
    assert m["demographic_parity_difference/gender"].value == pytest.approx(demographic_parity_difference(yt, yp, **kw))
    assert m["demographic_parity_ratio/gender"].value == pytest.approx(demographic_parity_ratio(yt, yp, **kw))
    assert m["equalized_odds_difference/gender"].value == pytest.approx(equalized_odds_difference(yt, yp, **kw))
    assert m["equal_opportunity_difference/gender"].value == pytest.approx(equal_opportunity_difference(yt, yp, **kw))
    big = religion != "tiny"  # the small group is left out of the gaps
    kw = {"sensitive_features": religion[big]}
    assert m["demographic_parity_difference/religion"].value == pytest.approx(
        demographic_parity_difference(yt[big], yp[big], **kw))
    assert m["equalized_odds_difference/religion"].value == pytest.approx(equalized_odds_difference(yt[big], yp[big], **kw))
    assert m["max_demographic_parity_difference"].value == pytest.approx(max(
        m["demographic_parity_difference/gender"].value, m["demographic_parity_difference/religion"].value))
    assert m["demographic_parity_difference/gender"].higher_is_better is False
    assert m["demographic_parity_ratio/gender"].higher_is_better is True
    assert m["selection_rate/gender/f"].higher_is_better is None


def test_small_groups_flagged_and_left_out():
    data, model, *_ = make_case()
    entry = run(data, model).details["attributes"][1]
    small = {g["group"]: g["small"] for g in entry["groups"]}
    assert small == {"a": False, "b": False, "c": False, "tiny": True}
    assert entry["excluded_groups"] == ["tiny"]
    lone = run(data, model, min_support=200).details["attributes"][1]
    assert lone["disparities"]["demographic_parity_difference"]["value"] is None and "min_support" in lone["note"]


def test_multiclass_takes_the_worst_class_one_vs_rest():
    data, model, y, pred, gender, _ = make_case(k=3)
    res = run(data, model)
    m = res.metrics
    per_class = [demographic_parity_difference((y == c).astype(int), (pred == c).astype(int), sensitive_features=gender)
                 for c in range(3)]
    assert m["demographic_parity_difference/gender"].value == pytest.approx(max(per_class))
    dpd = res.details["attributes"][0]["disparities"]["demographic_parity_difference"]
    assert dpd["worst_class"] == ["neg", "pos", "mid"][int(np.argmax(per_class))]  # the class the report names
    assert dpd["per_class"] == pytest.approx(dict(zip(["neg", "pos", "mid"], per_class)))
    assert res.details["attributes"][0]["disparities"]["accuracy_difference"]["worst_class"] is None
    eod = [equalized_odds_difference((y == c).astype(int), (pred == c).astype(int), sensitive_features=gender)
           for c in range(3)]
    assert m["equalized_odds_difference/gender"].value == pytest.approx(max(eod))
    assert not any(k.startswith("selection_rate/") for k in m)  # per class in details only
    one = run(data, model, positive_label="mid").metrics
    assert one["demographic_parity_difference/gender"].value == pytest.approx(per_class[2])


def test_vectorised_bootstrap_rates_equal_metric_frame():
    _, _, y, pred, _, religion = make_case(k=3)
    names = sorted(set(religion))
    codes = np.array([names.index(r) for r in religion])
    got = resampled_rates(y, pred, codes, len(names), 3, [0, 1, 2], np.arange(len(y))[None, :])
    want = metric_frames(y, pred, religion, [0, 1, 2])
    for key in [("tpr", 1), ("fpr", 2), ("selection_rate", 0), ("fnr", 1), "accuracy"]:
        assert got[key][0] == pytest.approx([want[key][g] for g in names])


def test_group_cis_exact_and_gap_cis_closed_form():
    data, model, y, pred, gender, _ = make_case()
    runs = [run(data, model, seed=s).metrics for s in (1, 1, 2)]
    a, b, c = (m["accuracy/gender/f"] for m in runs)  # per-group: exact, from the group's counts
    f = gender == "f"
    assert a.ci == b.ci == c.ci == pytest.approx(proportion_interval(int((y == pred)[f].sum()), int(f.sum())))
    sel = runs[0]["selection_rate/gender/f"]
    assert sel.ci == pytest.approx(proportion_interval(int((pred == 1)[f].sum()), int(f.sum())))
    gaps = {m["demographic_parity_difference/gender"].ci for m in runs}  # gaps: Wilson, no resampling
    assert len(gaps) == 1 and next(iter(gaps))[0] <= next(iter(gaps))[1]
    off = run(data, model, bootstrap=0).metrics
    assert off["demographic_parity_difference/gender"].ci is None and off["accuracy/gender/f"].ci is None


def test_intersections():
    data, model, y, pred, gender, religion = make_case()
    res = run(data, model, intersections=("gender&religion",))
    entry = res.details["attributes"][-1]
    assert entry["name"] == "gender&religion" and entry["source"] == "intersection"
    sizes = {g["group"]: g["support"] for g in entry["groups"]}
    assert sizes["f&a"] == int(((gender == "f") & (religion == "a")).sum())
    assert "demographic_parity_difference/gender&religion" in res.metrics


def test_groups_inferred_from_identity_terms():
    rows = generate(240, seed=3, skewed=False)
    texts = [r["text"] for r in rows]
    data = Dataset([r["id"] for r in rows], texts, [r["label"] for r in rows], "mem")
    table = {t: np.array([0.3, 0.7]) if "Muslim" in t else np.array([0.6, 0.4]) for t in texts}
    model = PredictionCache().wrap(LoadedModel("m", "mem", "callable", TableModel(["negative", "positive"], table)))
    res = run(data, model)
    assert res.details["inferred"] and "inferred from identity terms" in res.details["inference"]["note"]
    assert {e["name"] for e in res.details["attributes"]} == {"gender", "religion"}
    religion = next(e for e in res.details["attributes"] if e["name"] == "religion")
    truth = {r["text"]: r["religion"] for r in rows}
    assert {g["group"] for g in religion["groups"]} == {"muslim", "christian", "jewish", "hindu", "atheist"}
    assert religion["n"] == sum(truth[t] != "none" or "atheist" in t for t in texts)
    assert res.metrics["demographic_parity_difference/religion"].value == pytest.approx(1.0)
    plain = Dataset(["0", "1"], ["a fine film", "a dull film"], ["positive", "negative"], "mem")
    model = PredictionCache().wrap(LoadedModel("m", "mem", "callable", TableModel(
        ["negative", "positive"], {"a fine film": [0.2, 0.8], "a dull film": [0.9, 0.1]})))
    assert (run(plain, model).status, run(plain, model).reason) == ("not_applicable", NOTHING)
    assert run(data, model, infer_from_text=False).reason == NO_COLUMN


@pytest.mark.parametrize("attributes,cfg,message", [
    ({"gender": ["f", "m"] * 5}, {"attributes": ("age",)}, MISSING_COLUMN.format(probe="group-fairness", column="age", given="gender")),
    ({"gender": [None] * 10}, {}, EMPTY_COLUMN.format(column="gender", source="'mem'")),
    ({"gender": ["f"] * 10}, {}, ONE_GROUP.format(column="gender", source="'mem'", group="f")),
    ({"gender": ["f", "m"] * 5}, {"intersections": ("gender",)}, BAD_INTERSECTION.format(probe="group-fairness", entry="gender")),
])
def test_bad_sensitive_columns(attributes, cfg, message):
    texts = [f"t{i}" for i in range(10)]
    data = Dataset([str(i) for i in range(10)], texts, ["pos", "neg"] * 5, "mem", attributes=attributes)
    model = PredictionCache().wrap(LoadedModel("m", "mem", "callable", TableModel(["neg", "pos"], {t: [0.5, 0.5] for t in texts})))
    with pytest.raises(AuditError) as err:
        run(data, model, **cfg)
    assert str(err.value) == message


@pytest.mark.parametrize("raw,fragment", [
    ({"min_support": 0}, "min_support must be >= 1"), ({"tolerance": 1.5}, "tolerance must be between 0 and 1"),
    ({"bootstrap": "many"}, "must be a number"), ({"tolerence": 0.1}, "Unknown config key(s) 'tolerence'"),
    ({"axes": ["religon"]}, "Did you mean 'religion'"),
])
def test_config_errors(raw, fragment):
    with pytest.raises(AuditError, match=None) as err:
        GroupFairnessProbe.from_mapping(raw)
    assert fragment in str(err.value)


def test_positive_label_must_be_a_model_label():
    data, model, *_ = make_case()
    assert "not a label of model 'm'" in GroupFairnessProbe(Config(positive_label="good")).not_applicable(model)
    assert GroupFairnessProbe(Config(positive_label="neg")).not_applicable(model) is None


MODEL = '''
import numpy as np
def model(texts):
    p = np.array([0.2 + 0.6 * any(w in t for w in ("wonderful", "brilliant", "superb", "clever", "charming"))
                  + 0.15 * ("Muslim" in t) for t in texts]).clip(0.01, 0.99)
    return np.stack([1 - p, p], axis=1)
model.labels = ["negative", "positive"]
'''
CONFIG = """probes:
  group-fairness: {bootstrap: 100}
  counterfactual: {bootstrap: 100}
  templates: {bootstrap: 100, max_sets: 4, permutations: 200}
"""


def test_cli_end_to_end_on_the_demo_corpus(tmp_path, monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from audit.cli import main
    from audit.models.sklearn_model import save_sklearn_model
    from audit.reports.sections.fairness import counterfactual_section, group_fairness_section, templates_section

    train, test = generate(300, seed=0, skewed=True), generate(80, seed=1, skewed=False)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    save_sklearn_model(pipe.fit([r["text"] for r in train], [r["label"] for r in train]), tmp_path / "tfidf.skops")
    for row in test:
        row["country"] = "nl"
    with (tmp_path / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(test[0]))
        writer.writeheader()
        writer.writerows(test)
    (tmp_path / "kw_model.py").write_text(MODEL, encoding="utf-8")
    (tmp_path / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "BUILTIN_MODULES", registry.BUILTIN_MODULES + ("audit.probes.fairness",))
    monkeypatch.setitem(sections.RENDERERS, "group-fairness", group_fairness_section)
    monkeypatch.setitem(sections.RENDERERS, "counterfactual", counterfactual_section)
    monkeypatch.setitem(sections.RENDERERS, "templates", templates_section)
    args = ["run", "--config", "audit.yaml", "--model", "tfidf.skops", "--model", "kw=kw_model:model",
            "--data", "test.csv", "--out", "out", "-q"]
    res = CliRunner().invoke(main, args + ["--sensitive", "gender", "--sensitive", "religion"])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    by_name = {p["name"]: p for p in doc["probes"]}
    for name in ("group-fairness", "counterfactual", "templates"):
        assert {r["status"] for r in by_name[name]["results"].values()} == {"ok"}, name
    gf = by_name["group-fairness"]["results"]["kw"]
    assert {"demographic_parity_difference/gender", "demographic_parity_difference/religion"} <= set(gf["metrics"])
    assert doc["run"]["cache"]["kw"]["model_calls"] <= 4  # data, counterfactuals, templates: batched requests
    sidecar = tmp_path / "out" / by_name["counterfactual"]["results"]["kw"]["predictions_file"]
    assert set(json.loads(sidecar.read_text(encoding="utf-8").splitlines()[0])) >= {"id", "axis", "counterfactual_proba"}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Worst group pairs" in html and "Attribute: religion" in html and "Failure rate by group" in html
    bad = CliRunner().invoke(main, args + ["--sensitive", "country", "--probe", "group-fairness"])
    assert bad.exit_code == 2
    assert ONE_GROUP.format(column="country", source="'test.csv'", group="nl") in bad.output
