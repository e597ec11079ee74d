"""`bias-auc` on real data through the CLI: the bias madlibs set (Dixon et al. 2018; 76,564 template sentences,
one identity term each, BAD / NOT_BAD). A TF-IDF toxicity model is trained with `audit train` on a seeded
part where, as in the skewed data that paper describes, texts naming a few identities appear only as toxic,
and half of the adjectives are held out (so the scores are not all perfect); `audit run` audits another
part. Every AUC in results.json must equal sklearn's roc_auc_score on the model's own probabilities over
the same rows. Skips when the data set is not beside the repository."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import roc_auc_score

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "identity-templates" / "bias_madlibs_77k.csv"
pytestmark = pytest.mark.skipif(not DATA.is_file(), reason=f"the madlibs data set is not at {DATA}")

SKEWED = re.compile(r"\b(gay|homosexual|muslim|transgender)\b", re.I)  # no NOT_BAD example of these in training
TRAIN, TEST = 4000, 6000  # seeded parts of the data set (the training part shrinks by the skew and held-out words)
CONFIG = "probes:\n  metrics: {bootstrap: 50}\n  bias-auc: {positive_label: BAD, bootstrap: 200}\n"
FAMILIES = ("subgroup", "bpsn", "bnsp")


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["Text", "Label", "Template"])
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """(folder, results document, test rows) of one `audit train` + `audit run` on two parts of the data."""
    from audit.cli import main

    root = tmp_path_factory.mktemp("madlibs")
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rng = np.random.default_rng(0)
    order = rng.permutation(len(rows))
    adjectives = sorted({r["Text"].split()[-2].lower() for r in rows if r["Template"] == "name_adj"})
    held = set(rng.choice(adjectives, len(adjectives) // 2, replace=False))
    train = [rows[i] for i in order[:TRAIN] if not set(rows[i]["Text"].lower().split()) & held
             and not (SKEWED.search(rows[i]["Text"]) and rows[i]["Label"] == "NOT_BAD")]
    test = [rows[i] for i in order[TRAIN:TRAIN + TEST]]
    _write(root / "train.csv", train)
    _write(root / "test.csv", test)
    (root / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    cols = ["--text-col", "Text", "--label-col", "Label"]
    runner = CliRunner()
    res = runner.invoke(main, ["train", "--arch", "tfidf", "--data", str(root / "train.csv"), "--out",
                               str(root / "tox.skops"), "--seed", "0", *cols])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["run", "--model", f"tox={root / 'tox.skops'}", "--data", str(root / "test.csv"), *cols,
                               "--probe", "metrics", "--probe", "bias-auc", "--config", str(root / "audit.yaml"),
                               "--out", str(root / "out"), "-q"])
    assert res.exit_code == 0, res.output
    doc = json.loads((root / "out" / "results.json").read_text(encoding="utf-8"))
    return root, doc, test


def _unit(doc):
    return next(p for p in doc["probes"] if p["name"] == "bias-auc")["results"]["tox"]


def _own_scores(root, test):
    """The model's probability of BAD for each test text, from the model itself (not the audit's cache)."""
    from audit.models.sklearn_model import load_sklearn_model

    model = load_sklearn_model(str(root / "tox.skops"), name="tox").classifier
    return model.predict_proba([r["Text"] for r in test])[:, model.labels.index("BAD")]


def test_every_auc_equals_roc_auc_score_on_the_models_own_scores(audited):
    root, doc, test = audited
    unit = _unit(doc)
    assert unit["status"] == "ok"
    s, y = _own_scores(root, test), np.array([r["Label"] == "BAD" for r in test])
    sidecar = [json.loads(line) for line in (root / "out" / unit["predictions_file"]).read_text().splitlines()]
    assert [row["label"] for row in sidecar] == [r["Label"] for r in test]
    assert unit["metrics"]["overall_auc"]["value"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    values, checked = [], 0
    for entry in unit["details"]["attributes"]:
        attr = entry["name"]
        groups = np.array([row[f"group:{attr}"] for row in sidecar], dtype=object)
        for g in entry["groups"]:
            in_group = groups == g["group"]
            sets = {"subgroup": in_group, "bpsn": (in_group & ~y) | (~in_group & y),
                    "bnsp": (in_group & y) | (~in_group & ~y)}
            for family, rows in sets.items():
                got = unit["metrics"][f"{family}_auc/{attr}/{g['group']}"]["value"]
                assert got == pytest.approx(roc_auc_score(y[rows], s[rows]), abs=1e-12), (attr, g["group"], family)
                values.append(got)
                checked += 1
        for family in FAMILIES:
            kept = [unit["metrics"][f"{family}_auc/{attr}/{g['group']}"]["value"] for g in entry["groups"]
                    if not g["small"]]
            want = np.mean(np.power(kept, -5.0)) ** (-1 / 5)
            assert unit["metrics"][f"generalized_mean_{family}_auc/{attr}"]["value"] == pytest.approx(want, abs=1e-12)
    assert checked >= 60 and len(set(np.round(values, 6))) > 30 and min(values) < 0.99  # real spread, not all 1.0


def test_groups_are_the_identity_terms_of_the_texts(audited):
    root, doc, test = audited
    unit = _unit(doc)
    sidecar = [json.loads(line) for line in (root / "out" / unit["predictions_file"]).read_text().splitlines()]
    words = {("religion", "muslim"): "muslim", ("religion", "sikh"): "sikh", ("religion", "jewish"): "jewish",
             ("sexual_orientation", "lesbian"): "lesbian", ("age", "teenage"): "teenage",
             ("nationality", "mexican"): "mexican"}
    for (attr, group), word in words.items():
        named = [bool(re.search(rf"\b{word}\b", r["Text"], re.I)) for r in test]
        assert [row[f"group:{attr}"] == group for row in sidecar] == named, (attr, group)
    assert unit["details"]["inferred"] and {e["name"] for e in unit["details"]["attributes"]} >= {
        "religion", "sexual_orientation", "nationality", "gender", "age", "gender_identity"}


def test_the_planted_skew_shows_as_low_bpsn(audited):
    """Texts naming the skewed identities were only toxic in training: their negatives score high (BPSN)."""
    _, doc, _ = audited
    metrics = _unit(doc)["metrics"]
    skewed = [("religion", "muslim"), ("sexual_orientation", "gay"), ("gender_identity", "transgender")]
    bpsn = {k.split("/", 1)[1]: v["value"] for k, v in metrics.items() if k.startswith("bpsn_auc/")}
    planted = np.mean([bpsn[f"{a}/{g}"] for a, g in skewed])
    others = np.mean([v for k, v in bpsn.items() if tuple(k.split("/")) not in skewed])
    assert planted < others
    assert all(metrics[f"bnsp_auc/{a}/{g}"]["value"] > metrics[f"bpsn_auc/{a}/{g}"]["value"] for a, g in skewed)


def test_reports_findings_and_one_model_call(audited):
    root, doc, _ = audited
    cache = doc["run"]["cache"]["tox"]  # metrics and bias-auc share the cached predictions: each text once
    assert cache["texts_predicted"] == TEST and cache["texts_requested"] == 2 * TEST
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="probe-bias-auc"' in html and "Attribute: religion" in html and "BPSN AUC by group" in html
    md = (root / "out" / "report.md").read_text(encoding="utf-8")
    assert "Groups of religion" in md and r"bias-auc.min\_bpsn\_auc" in md  # Markdown escapes the underscores
    items = [i for i in doc["findings"]["items"] if i["rule"] == "bias_auc"]
    groups = sum(not g["small"] for e in _unit(doc)["details"]["attributes"] for g in e["groups"])
    assert len(items) == 3 * groups and all(i["tested"] for i in items)
