"""The `templates` probe: suite loading and expansion, MFT / INV / DIR outcomes with known answers,
the permutation test, label matching, bad suites, and the HateCheck / bias-madlibs tables."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from audit.cache import CachedModel, PredictionCache
from audit.core.errors import AuditError
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness import TemplatesProbe
from audit.probes.fairness.templates.significance import gap_permutation_test
from audit.probes.fairness.templates.suite import BAD_YAML, NO_IDENTITY, SUITE_MISSING, UNKNOWN_PLACEHOLDER
from audit.probes.fairness.templates.suite_csv import BAD_ROLE, EMPTY_CELL, MISSING_COLUMN
from audit.probes.fairness.templates.suite_labels import BAD_MAP_KEY, MISMATCH
from audit.probes.fairness.templates.probe import COLUMNS_NOT_CSV
from audit.stats import proportion_interval

SUITE = """labels: [negative, positive]
score_label: positive
fillers: {adj: [good, bad]}
tests:
  - {name: mft, type: MFT, label: positive, templates: ["{religion.people} are {adj}."]}
  - {name: inv, type: INV, templates: ["I am {religion.adjective}."]}
  - name: dir
    type: DIR
    direction: up
    label: positive
    templates: [["{religion.people} are bad.", "{religion.people} are not bad."]]
"""


class Rule:
    """p(positive) = 0.2 + 0.6 [good] - 0.5 [not] + 0.35 [Muslim], clipped; counts requests."""

    fingerprint = "sha256:rule"

    def __init__(self, labels=("negative", "positive")):
        self.labels, self.calls = list(labels), 0

    def predict_proba(self, texts):
        self.calls += 1
        p = np.array([0.2 + 0.6 * ("good" in t) - 0.5 * (" not " in t) + 0.35 * ("Muslim" in t) for t in texts])
        p = p.clip(0.01, 0.99)
        return np.stack([1 - p, p], axis=1)


def cached(clf, name="rule"):
    return PredictionCache().wrap(LoadedModel(name, "mem", "callable", clf))


@pytest.fixture()
def suite_file(tmp_path):
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE, encoding="utf-8")
    return path


def test_known_failures_gaps_and_one_request(suite_file):
    probe = TemplatesProbe.from_mapping({"suite": str(suite_file), "dir_tolerance": 0.25, "bootstrap": 100,
                                         "permutations": 500})
    clf = Rule()
    res = probe.run(cached(clf), None, ProbeContext(seed=0))
    m = res.metrics
    assert clf.calls == 1
    assert m["failure_rate/mft"].value == pytest.approx(6 / 14)  # "<group> are bad." fails except for Muslims
    assert m["failure_rate/inv"].value == 1.0  # only "I am Muslim." is positive
    assert m["failure_rate/dir"].value == pytest.approx(1 / 7)  # only the Muslim pair falls by more than 0.25
    assert m["failure_rate"].value == pytest.approx((6 / 14 + 1 + 1 / 7) / 3)
    assert (m["mft_failure_rate"].value, m["inv_failure_rate"].value) == (pytest.approx(6 / 14), 1.0)
    assert m["group_failure_rate/religion/muslim"].value == pytest.approx(2 / 4)
    assert m["group_failure_rate/religion/christian"].value == pytest.approx(1 / 4)
    assert m["mean_score/religion/muslim"].value == pytest.approx((0.99 + 0.55 * 3) / 4)
    assert m["mean_score/religion/christian"].value == pytest.approx((0.8 + 0.2 * 3) / 4)
    assert m["group_gap/religion"].value == pytest.approx((0.99 + 0.55 * 3) / 4 - (0.8 + 0.2 * 3) / 4)
    axis = res.details["group_scores"][0]
    assert axis["significant"] and axis["p_value"] < 0.05 and axis["balanced"]
    assert m["failure_rate"].higher_is_better is False and m["mean_score/religion/muslim"].higher_is_better is None
    kinds = {e["type"] for e in res.examples}
    assert kinds == {"MFT", "INV", "DIR"}
    inv = next(e for e in res.examples if e["type"] == "INV")
    assert inv["text"] == "I am Muslim." and inv["set_prediction"] == "negative"


def test_failure_rates_get_exact_intervals_that_hold_at_zero_and_all(suite_file):
    probe = TemplatesProbe.from_mapping({"suite": str(suite_file), "dir_tolerance": 0.9, "bootstrap": 100})
    m = probe.run(cached(Rule()), None, ProbeContext(seed=0)).metrics
    assert m["failure_rate/dir"].value == 0.0 and m["failure_rate/dir"].ci == pytest.approx(proportion_interval(0, 7))
    assert m["failure_rate/inv"].value == 1.0 and m["failure_rate/inv"].ci[0] < 1.0  # all of n: not [1, 1]
    assert m["failure_rate/mft"].ci == pytest.approx(proportion_interval(6, 14))
    assert m["group_failure_rate/religion/christian"].ci == pytest.approx(proportion_interval(1, 4))
    lo, hi = m["dir_failure_rate"].ci  # one test with no failure: its exact interval, not [0, 0]
    assert lo == 0.0 and hi == pytest.approx(proportion_interval(0, 7)[1])
    lo, hi = m["failure_rate"].ci  # the mean over tests holds the mean of their exact bounds
    bounds = np.mean([m[f"failure_rate/{t}"].ci for t in ("mft", "inv", "dir")], axis=0)
    assert lo <= bounds[0] and hi >= bounds[1] and lo <= m["failure_rate"].value <= hi


def test_permutation_test_known_answers():
    scores = np.array([1.0, 0.0, 2.0, 0.5, 3.0, 1.0])
    groups, sets = np.array([0, 1, 0, 1, 0, 1]), np.array([0, 0, 1, 1, 2, 2])
    gap, p, exact = gap_permutation_test(scores, groups, sets, permutations=1000, seed=0)
    assert exact and gap == pytest.approx(1.5) and p == pytest.approx(2 / 8)  # all 8 within-set swaps enumerated
    assert gap_permutation_test(np.ones(6), groups, sets, permutations=100, seed=0)[1] == 1.0
    assert gap_permutation_test(scores, groups, np.arange(6), permutations=100, seed=0)[1] is None
    n = 40
    scores = np.tile([1.0, 0.0], n) + np.repeat(np.arange(n) * 0.01, 2)
    gap, p, exact = gap_permutation_test(scores, np.tile([0, 1], n), np.repeat(np.arange(n), 2), permutations=199, seed=1)
    assert not exact and p == pytest.approx(1 / 200)


def test_builtin_suites_expand_deterministically_and_grammatically():
    for suite in ("sentiment", "toxicity"):
        probe = TemplatesProbe.from_mapping({"suite": suite, "max_sets": 3})
        a, b = probe.cases(0), TemplatesProbe.from_mapping({"suite": suite, "max_sets": 3}).cases(0)
        assert a.texts == b.texts and len(a.texts) > 100
        assert not any("{" in t or re.search(r"\b[Aa] (?:[aeiAEI]|[Oo](?!ne))", t) or re.search(r"\b[Aa]n [b-df-hj-np-tv-z]", t)
                       for t in a.texts)
        assert all(t[0].isupper() for t in a.texts)
    cases = TemplatesProbe.from_mapping({"suite": "sentiment"}).cases(0)
    assert "As an atheist woman, I loved this film." in cases.texts
    inv = [i for i, t in enumerate(cases.test) if t == 2 and cases.texts[i].startswith("I am a")]
    assert {cases.groups[i]["religion"] for i in inv} == {"muslim", "christian", "jewish", "hindu", "buddhist", "sikh",
                                                         "atheist"}
    other = TemplatesProbe.from_mapping({"suite": "sentiment", "max_sets": 3}).cases(1)
    assert other.texts != TemplatesProbe.from_mapping({"suite": "sentiment", "max_sets": 3}).cases(0).texts


def test_labels_must_match_or_be_mapped():
    generic = cached(Rule(labels=("LABEL_0", "LABEL_1")), "gen")
    probe = TemplatesProbe.from_mapping({"suite": "sentiment", "max_sets": 2, "bootstrap": 0})
    reason = probe.not_applicable(generic)
    assert reason == MISMATCH.format(suite="sentiment", missing="negative, positive", model="gen",
                                     known="LABEL_0, LABEL_1", example="negative", target="LABEL_0")
    assert probe.run(generic, None, ProbeContext(seed=0)).status == "not_applicable"
    mapped = TemplatesProbe.from_mapping({"suite": "sentiment", "max_sets": 2, "bootstrap": 0,
                                          "label_map": {"negative": "LABEL_0", "positive": "LABEL_1"}})
    assert mapped.not_applicable(generic) is None
    res = mapped.run(generic, None, ProbeContext(seed=0))
    assert res.status == "ok" and res.details["score_label"] == "LABEL_1"
    assert TemplatesProbe.from_mapping({"suite": "toxicity"}).not_applicable(cached(Rule())).startswith("Suite 'toxicity'")


@pytest.mark.parametrize("body,message", [
    ('labels: [a, b]\ntests:\n  - {name: t, type: MFT, label: a, templates: ["I am {colour}."]}\n',
     UNKNOWN_PLACEHOLDER.format(path="{path}", test="t", template="I am {colour}.", name="colour")),
    ('labels: [a, b]\ntests:\n  - {name: t, type: MFT, label: a, templates: ["I am {religion.shoe}."]}\n',
     UNKNOWN_PLACEHOLDER.format(path="{path}", test="t", template="I am {religion.shoe}.", name="religion.shoe")),
    ('labels: [a, b]\nfillers: {x: [1]}\ntests:\n  - {name: t, type: INV, templates: ["I am {x}."]}\n',
     NO_IDENTITY.format(path="{path}", test="t", template="I am {x}.")),
    ("labels: [a, b\ntests: []\n", BAD_YAML.format(where="{path}:2", problem="expected ',' or ']', but got ':'")),
])
def test_bad_suite_files(tmp_path, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(path)})
    assert str(err.value) == message.replace("{path}", str(path))


def test_bad_config_values(tmp_path):
    cases = [({"suite": "sentimental"}, SUITE_MISSING.format(suite="sentimental")),
             ({"label_map": {"happy": "positive"}}, BAD_MAP_KEY.format(  # no suite: either default's labels
                 key="happy", suite="sentiment (or inference on pairs)",
                 labels="negative, positive, contradiction, entailment")),
             ({"suite": "sentiment", "label_map": {"entailment": "positive"}},
              BAD_MAP_KEY.format(key="entailment", suite="sentiment", labels="negative, positive")),
             ({"columns": {"text": "x"}}, COLUMNS_NOT_CSV.format(suite="sentiment")),
             ({"columns": {"words": "x"}}, BAD_ROLE.format(roles="words", allowed="text, text_pair, label, test, group, "
                                                                             "template"))]
    for raw, message in cases:
        with pytest.raises(AuditError) as err:
            TemplatesProbe.from_mapping(raw)
        assert str(err.value) == message


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerows(rows)
    return path


def test_csv_suite_with_a_column_mapping(tmp_path):
    rows = [["sentence", "gold", "kind", "who"]]
    for group in ("Muslims", "Christians", "Jews"):
        rows += [[f"{group} are good.", "positive", "praise", group], [f"{group} are bad.", "negative", "insult", group]]
    path = write_csv(tmp_path / "cases.csv", rows)
    columns = {"text": "sentence", "label": "gold", "test": "kind", "group": "who"}
    res = TemplatesProbe.from_mapping({"suite": str(path), "columns": columns, "bootstrap": 50}).run(
        cached(Rule()), None, ProbeContext(seed=0))
    m = res.metrics
    assert m["failure_rate/praise"].value == 0.0 and m["failure_rate/insult"].value == pytest.approx(1 / 3)
    assert m["group_failure_rate/who/Muslims"].value == 0.5 and m["group_failure_rate/who/Jews"].value == 0.0
    assert res.details["suite"]["kind"] == "csv"
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(path), "columns": {**columns, "group": "target"}})
    assert str(err.value) == MISSING_COLUMN.format(path=path, column="target", role="group",
                                                   columns="sentence, gold, kind, who")
    write_csv(path, rows[:3] + [["", "positive", "praise", "Jews"]])
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(path), "columns": columns})
    assert str(err.value) == EMPTY_CELL.format(path=path, line=4, role="text", column="sentence")


HATE = {"hateful": "toxic", "non-hateful": "non-toxic"}


class Hate(Rule):
    fingerprint = "sha256:hate"

    def predict_proba(self, texts):
        self.calls += 1
        p = np.array([0.9 if re.search(r"hate|kill|disgust|scum|trash", t.lower()) else 0.1 for t in texts])
        return np.stack([1 - p, p], axis=1)


def test_hatecheck_per_functionality_and_target_group(shared_data):
    import pandas as pd

    path = shared_data / "hatecheck" / "test_suite_cases.csv"
    clf = Hate(labels=("non-toxic", "toxic"))
    res = TemplatesProbe.from_mapping({"suite": str(path), "label_map": HATE, "bootstrap": 100, "permutations": 200}).run(
        cached(clf, "hate"), None, ProbeContext(seed=0))
    unique = res.details["suite"]["unique_texts"]
    assert clf.calls == -(-unique // CachedModel.chunk_size) and res.details["suite"]["cases"] == 3728  # one request, in chunks
    frame = pd.read_csv(path)
    frame["pred"] = np.where(Hate().predict_proba(frame["test_case"].str.strip().tolist())[:, 1] > 0.5, "hateful",
                             "non-hateful")
    frame["fail"] = frame["pred"] != frame["label_gold"]
    want = frame.groupby("functionality")["fail"].mean()
    assert len(want) == 29
    for functionality, rate in want.items():
        assert res.metrics[f"failure_rate/{functionality}"].value == pytest.approx(rate)
    by_group = frame.dropna(subset=["target_ident"]).groupby("target_ident")["fail"].mean()
    for group, rate in by_group.items():
        assert res.metrics[f"group_failure_rate/target_ident/{group}"].value == pytest.approx(rate)
    axis = res.details["group_scores"][0]
    assert axis["axis"] == "target_ident" and len(axis["groups"]) == 7 and axis["p_value"] is not None


@pytest.mark.slow
def test_identity_templates_groups_inferred_from_terms(shared_data):
    path = shared_data / "identity-templates" / "bias_madlibs_77k.csv"
    res = TemplatesProbe.from_mapping({"suite": str(path), "label_map": {"BAD": "toxic", "NOT_BAD": "non-toxic"},
                                       "bootstrap": 100, "permutations": 100}).run(
        cached(Hate(labels=("non-toxic", "toxic")), "hate"), None, ProbeContext(seed=0))
    assert res.status == "ok" and res.details["suite"]["cases"] == 76564
    assert {"verb_adj", "being_adj", "you_are_adj"} <= {t["name"] for t in res.details["tests"]}
    axes = {a["axis"]: a for a in res.details["group_scores"]}
    assert {"religion", "sexual_orientation", "nationality"} <= set(axes)
    assert all(a["balanced"] for a in axes.values())


def test_templates_without_two_variants_are_skipped(tmp_path):
    (tmp_path / "terms_team.csv").write_text("slot,context,reds,blues\nfan,any,Reds fan,Blues fan\n"
                                             "chant,any,ole,\n", encoding="utf-8")
    suite = tmp_path / "teams.yaml"
    suite.write_text('labels: [negative, positive]\ntests:\n'
                     '  - {name: inv, type: INV, templates: ["We sang {team.chant}.", "A {team.fan} cheered."]}\n'
                     '  - {name: mft, type: MFT, label: positive, templates: ["We sang {team.chant}."]}\n', encoding="utf-8")
    probe = TemplatesProbe.from_mapping({"suite": str(suite), "terms": str(tmp_path), "bootstrap": 0})
    cases = probe.cases(0)
    assert cases.texts == ["A Reds fan cheered.", "A Blues fan cheered.", "We sang ole."]
    res = probe.run(cached(Rule()), None, ProbeContext(seed=0))
    assert {t["name"]: t["units"] for t in res.details["tests"]} == {"inv": 1, "mft": 1}
