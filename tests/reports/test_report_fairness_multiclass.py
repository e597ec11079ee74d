"""Group fairness of a three-class model, shown: per-class (one-vs-rest) selection rate, TPR and FPR
per group equal fairlearn's MetricFrame computed here from the models' own predictions, the gaps
of every class with the worst one named, captions that say so, escaped HTML and Markdown; a
positive_label keeps the binary layout; and the same on real SNLI pairs (premise + hypothesis as
one text) through `audit train` and `audit run`."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from fairlearn.metrics import (MetricFrame, demographic_parity_difference, demographic_parity_ratio,
                               equalized_odds_difference, false_positive_rate, selection_rate, true_positive_rate)
from report_builders import probe as probe_entry
from report_builders import results_with
from report_html_check import parse

from audit.reports import render_html, render_markdown
from audit.reports.blocks import FigureRow, Table
from audit.reports.sections.common import SectionContext
from audit.reports.sections.fairness import OVER, WORST, group_fairness_section
from audit.reports.svg import model_colors

MIXED = "<i>mixed</i>"  # a class name that must come out escaped
CLASSES = ["neg", "pos", MIXED]
WORDS = {"neg": ["awful", "dull", "bad"], "pos": ["great", "superb", "fine"], MIXED: ["uneven", "patchy", "so-so"]}
FILLER = ["film", "plot", "cast", "score", "ending"]
RATES = {"Selection rate": selection_rate, "TPR": true_positive_rate, "FPR": false_positive_rate}
GAPS = {"demographic_parity_difference": (demographic_parity_difference, max),
        "demographic_parity_ratio": (demographic_parity_ratio, min),
        "equalized_odds_difference": (equalized_odds_difference, max)}
MODELS = ("tfidf", "kw")
ORDER = sorted(CLASSES)  # scikit-learn's class order, the first model's, so the report's


def reviews(n: int, seed: int, skew: bool) -> tuple[list[str], list[str], list[str]]:
    """Texts naming one class's word (70%) or any word; with ``skew`` "she" texts lean to MIXED."""
    rng = np.random.default_rng(seed)
    texts, labels, gender = [], [], []
    every = [w for ws in WORDS.values() for w in ws]
    for _ in range(n):
        label, g = CLASSES[rng.integers(3)], str(rng.choice(["f", "m"]))
        word = rng.choice(WORDS[label]) if rng.random() < 0.7 else rng.choice(every)
        if skew and g == "f" and rng.random() < 0.3:
            label = MIXED
        texts.append(f"{'she' if g == 'f' else 'he'} said the {rng.choice(FILLER)} was {word}")
        labels.append(label)
        gender.append(g)
    return texts, labels, gender


class Keywords:
    """A three-class keyword model whose classes come in another order than scikit-learn's."""

    labels = ["pos", MIXED, "neg"]
    fingerprint = "sha256:kw"

    def predict_proba(self, texts):
        scores = np.array([[sum(w in t for w in WORDS[c]) + 0.1 * (c == MIXED) for c in self.labels] for t in texts])
        return np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)

    def predict(self, texts):
        return [self.labels[i] for i in self.predict_proba(texts).argmax(axis=1)]


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.base import LoadedModel
    from audit.models.sklearn_model import load_sklearn_model, save_sklearn_model
    from audit.probes.base import ProbeContext
    from audit.probes.fairness import GroupFairnessProbe

    train_x, train_y, _ = reviews(600, seed=0, skew=True)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(train_x, train_y)
    path = tmp_path_factory.mktemp("k3") / "tfidf.skops"
    save_sklearn_model(pipe, path)
    texts, gold, gender = reviews(300, seed=1, skew=False)
    data = Dataset([str(i) for i in range(len(texts))], texts, gold, "mem", attributes={"gender": gender})
    models = {"tfidf": load_sklearn_model(str(path), name="tfidf"), "kw": LoadedModel("kw", "mem", "callable", Keywords())}

    def results(**cfg):
        probe = GroupFairnessProbe.from_mapping({"bootstrap": 100, **cfg})
        out = {m: json.loads(json.dumps(probe.run(PredictionCache().wrap(models[m]), data,
                                                   ProbeContext(seed=0)).as_dict())) for m in MODELS}
        entry = probe_entry("group-fairness", out, [], config=probe.config_dict(), family="fairness")
        return results_with([entry], models=MODELS)

    predicted = {"tfidf": list(pipe.predict(texts)), "kw": Keywords().predict(texts)}
    return results(), results(positive_label="pos"), np.array(gold), {m: np.array(p) for m, p in predicted.items()}, \
        np.array(gender)


def section_of(doc):
    ctx = SectionContext(models=list(MODELS), colors=model_colors(list(MODELS)))
    return group_fairness_section(doc["probes"][0], ctx)


def tables_of(section) -> dict[str, Table]:
    return {b.title: b for b in section.blocks if isinstance(b, Table) and b.title}


def cell(table: Table, row: str, model: str, column: str) -> str:
    """The text of ``row`` under ``model``'s column headed ``column``."""
    start = 1
    for name, span in (table.header_groups or [])[1:]:
        if name == model:
            heads = table.headers[start:start + span]
            line = next(r for r in table.rows if r[0].text == row)
            return line[start + heads.index(column)].text
        start += span
    raise KeyError(model)


def number(text: str) -> float:
    return float(text.split()[0])


def one_vs_rest(y, pred, groups, c, fn):
    return MetricFrame(metrics=fn, y_true=(y == c).astype(int), y_pred=(pred == c).astype(int),
                       sensitive_features=groups).by_group


def test_per_class_rates_equal_fairlearn_one_vs_rest(case):
    doc, _, y, predicted, gender = case
    found = tables_of(section_of(doc))
    for title, fn in RATES.items():
        table = found[f"{title} by group of gender, per class (one-vs-rest)"]
        assert table.headers == ["Group"] + ORDER * 2  # the first model's order; the second is aligned by name
        for m in MODELS:
            for c in CLASSES:
                want = one_vs_rest(y, predicted[m], gender, c, fn)
                for g in ("f", "m"):
                    assert number(cell(table, g, m, c)) == pytest.approx(want[g], abs=5e-4), (title, m, c, g)
        assert all("—" not in c.text for row in table.rows for c in row)  # every rate exists


def test_class_gaps_equal_fairlearn_and_the_worst_is_named(case):
    doc, _, y, predicted, gender = case
    section = section_of(doc)
    found = tables_of(section)
    by_class = found["Gaps by class for gender (one-vs-rest)"]
    gaps = next(b for b in section.blocks if isinstance(b, Table) and b.headers[:2] == ["Gap", "Better"])
    assert gaps.caption.startswith("Multi-class: each gap is that of the worst class, scored one-vs-rest")
    for name, (fn, worst) in GAPS.items():
        for i, m in enumerate(MODELS):
            per_class = {c: fn((y == c).astype(int), (predicted[m] == c).astype(int), sensitive_features=gender)
                         for c in CLASSES}
            for c, want in per_class.items():
                got = cell(by_class, name, m, c)
                assert number(got) == pytest.approx(want, abs=5e-4)
            expected = worst(per_class, key=per_class.get)
            marked = [c for c in CLASSES if WORST in next(r for r in by_class.rows if r[0].text == name)[
                1 + i * 3 + ORDER.index(c)].badge]
            assert marked == [expected]
            row = next(r for r in gaps.rows if r[0].text == name)
            assert f"{WORST}: {expected}" in row[2 + i].badge
            assert number(row[2 + i].text) == pytest.approx(per_class[expected], abs=5e-4)


def test_captions_say_one_vs_rest_and_which_class(case):
    doc, *_ = case
    section = section_of(doc)
    found = tables_of(section)
    groups = found["Groups of gender"]
    assert groups.header_groups == [("", 1), ("tfidf", 2), ("kw", 2)]
    assert "3 classes" in groups.caption and "one-vs-rest" in groups.caption
    assert "scored (positive) class" not in " ".join(t.caption for t in found.values())
    sel = found["Selection rate by group of gender, per class (one-vs-rest)"]
    assert (f"each column is the class named in its header ('{MIXED}', 'neg', 'pos'), scored against all the other "
            "classes together; the share of the group's texts predicted as that class") in sel.caption
    assert "gold label is another class" in found["FPR by group of gender, per class (one-vs-rest)"].caption
    head = next(b for b in section.blocks if isinstance(b, Table) and b.rows
                and b.rows[0][0].text == "max_demographic_parity_difference")
    assert "each gap is that of the worst class, scored one-vs-rest" in head.caption
    charts = [f.title for b in section.blocks if isinstance(b, FigureRow) for f in b.figures]
    assert charts == [f"selection rate of {c} by group (one-vs-rest)" for c in ORDER] + ["accuracy by group"]


def test_positive_label_keeps_the_binary_table(case):
    _, doc, y, predicted, gender = case
    found = tables_of(section_of(doc))
    table = found["Groups of gender"]
    assert table.caption.startswith("Rates of the scored (positive) class ('pos'), one-vs-rest")
    assert table.headers[1:6] == ["n", "accuracy", "selection rate", "TPR", "FPR"]
    for m in MODELS:
        want = one_vs_rest(y, predicted[m], gender, "pos", RATES["TPR"])
        assert number(cell(table, "f", m, "TPR")) == pytest.approx(want["f"], abs=5e-4)
    assert "Gaps by class for gender (one-vs-rest)" not in found


def test_html_and_markdown_show_the_classes_escaped(case):
    doc, *_ = case
    html = render_html(doc)
    assert not parse(html).errors
    assert MIXED not in html and "&lt;i&gt;mixed&lt;/i&gt;" in html
    assert "Selection rate by group of gender, per class (one-vs-rest)" in html and f"{WORST}: " in html
    md = render_markdown(doc)
    assert MIXED not in md and "tfidf: &lt;i&gt;mixed&lt;/i&gt;" in md
    rows = [line for line in md.splitlines() if line.startswith("| f |") or line.startswith("| m |")]
    assert rows and not any("| — |" in line for line in rows)
    assert f"_({OVER}" in md or f"_({WORST}" in md


SUBJECT = {"woman": ("woman", "women", "girl", "girls", "lady", "she"), "man": ("man", "men", "boy", "boys", "he")}


def _subject(premise: str) -> str:
    words = set(re.findall(r"[a-z]+", premise.lower()))
    hits = [s for s, terms in SUBJECT.items() if words & set(terms)]
    return hits[0] if len(hits) == 1 else "other"


def _snli_csv(src, dst) -> tuple[list[str], list[str], list[str]]:
    texts, labels, subjects = [], [], []
    for line in src.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["gold_label"] == "-":  # annotators did not agree (SOURCE.txt)
            continue
        texts.append(f"{row['sentence1']} {row['sentence2']}")
        labels.append(row["gold_label"])
        subjects.append(_subject(row["sentence1"]))
    with dst.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "subject"])
        writer.writerows(zip(texts, labels, subjects))
    return texts, labels, subjects


def test_snli_three_classes_through_train_and_run(shared_data, tmp_path, monkeypatch):
    from audit.cli import main
    from audit.models.sklearn_model import load_sklearn_model

    snli = shared_data / "pairs" / "snli"
    if not snli.is_dir():
        pytest.skip(f"SNLI pairs not found at {snli}")
    _snli_csv(snli / "dev.jsonl", tmp_path / "dev.csv")
    texts, gold, subject = _snli_csv(snli / "test.jsonl", tmp_path / "test.csv")
    assert sorted(set(gold)) == ["contradiction", "entailment", "neutral"] and len(gold) == 1277 - 23
    (tmp_path / "audit.yaml").write_text("probes:\n  group-fairness: {bootstrap: 100}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["train", "--arch", "tfidf", "--data", "dev.csv", "--out", "snli.skops"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["run", "--config", "audit.yaml", "--model", "snli.skops", "--data", "test.csv",
                               "--sensitive", "subject", "--probe", "group-fairness", "--out", "out", "-q"])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    y, groups = np.array(gold), np.array(subject)
    pred = np.array(load_sklearn_model("snli.skops", name="snli").classifier.estimator.predict(texts))
    assert 0.4 < (pred == y).mean() < 0.9  # word overlap alone: better than chance (1/3), far from solved
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    for title, fn in RATES.items():
        heading = f"**{title} by group of subject, per class (one-vs-rest)**"
        lines = md[md.index(heading):].split("\n\n")[2].splitlines()  # heading, caption, table
        header = [h.strip() for h in lines[0].strip("|").split("|")]
        assert header == ["Group", "snli: contradiction", "snli: entailment", "snli: neutral"]
        for line in lines[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            for c, text in zip(("contradiction", "entailment", "neutral"), cells[1:]):
                want = one_vs_rest(y, pred, groups, c, fn)[cells[0]]
                assert number(text) == pytest.approx(want, abs=5e-4), (title, cells[0], c)
    assert not [line for line in md.splitlines() if line.startswith(("| man |", "| woman |", "| other |"))
                and "| — |" in line]
    ctx = SectionContext(models=["snli"], colors=model_colors(["snli"]))
    found = tables_of(group_fairness_section(doc["probes"][0], ctx))
    assert [r[0].text for r in found["Groups of subject"].rows] == ["man", "other", "woman"]
    shown = [t for name, t in found.items() if "subject" in name]
    assert len(shown) == 5 and not [c for t in shown for row in t.rows for c in row if c.text == "—"]
