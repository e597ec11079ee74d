"""`audit record` and `audit run` with a governance section, end to end on a tiny real audit
(two callable models on a generated review CSV, metrics probe only)."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
import yaml
from click.testing import CliRunner

from audit.cli import main

MODELS = (
    "import numpy as np\n"
    "def words(texts):\n"
    "    p = np.array([0.9 if any(w in t for w in ('wonderful', 'brilliant', 'superb', 'moving')) else 0.2 for t in texts])\n"
    "    return np.stack([1 - p, p], axis=1)\n"
    "words.labels = ['negative', 'positive']\n"
)
GOVERNANCE = {"intended_use": "Order reviews for an <editorial> digest.", "out_of_scope_uses": ["Moderation"],
              "limitations": ["English only"], "reviewers": [{"name": "Ann Lee", "role": "Model risk"}]}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from audit.demo.corpus import generate

    root = tmp_path_factory.mktemp("gov-cli")
    rows = generate(60, seed=2, skewed=False)
    with (root / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (root / "gov_models.py").write_text(MODELS, encoding="utf-8")
    config = {"data": {"source": str(root / "test.csv")}, "models": [{"name": "words", "spec": f"{root / 'gov_models.py'}:words"}],
              "probes": {"metrics": {"bootstrap": 200}}, "governance": GOVERNANCE}
    (root / "audit.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    res = invoke("run", "--config", root / "audit.yaml", "--out", root / "governed", "-q")
    assert res.exit_code == 0, res.output
    (root / "governed-output.txt").write_text(res.output, encoding="utf-8")
    res = invoke("run", "--model", f"{root / 'gov_models.py'}:words", "--data", root / "test.csv", "--probe", "metrics",
                 "--out", root / "plain", "-q")
    assert res.exit_code == 0, res.output
    return root


def test_run_with_governance_writes_the_record(tiny):
    out = tiny / "governed"
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["config"]["governance"]["intended_use"] == GOVERNANCE["intended_use"]
    html = (out / "governance.html").read_text()
    assert "Order reviews for an &lt;editorial&gt; digest." in html and "<editorial>" not in html
    assert "Ann Lee" in (out / "governance.md").read_text()
    index = yaml.safe_load((out / "model-index.yaml").read_text())["model-index"]
    acc = doc["probes"][0]["results"]["words"]["metrics"]["accuracy"]["value"]
    assert index[0]["name"] == "words"
    assert index[0]["results"][0]["metrics"][0] == {"type": "accuracy", "value": acc, "name": "Accuracy"}
    assert not (tiny / "plain" / "governance.html").exists()  # no governance section: no record by default
    printed = (tiny / "governed-output.txt").read_text()
    assert "Record:" in printed and "governance.md" in printed and "model-index.yaml" in printed


def test_record_with_config_supplies_governance(tiny, tmp_path):
    gov = tmp_path / "gov.yaml"
    gov.write_text("governance:\n  intended_use: Triage of support tickets.\n  owner: Team X\n", encoding="utf-8")
    res = invoke("record", tiny / "plain" / "results.json", "--out", tmp_path / "rec", "--config", gov)
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rec" / "governance.md").read_text()
    assert "Triage of support tickets." in md and "Team X" in md and "gov.yaml" in md
    digest = hashlib.sha256((tiny / "plain" / "results.json").read_bytes()).hexdigest()
    assert digest in md
    assert (tmp_path / "rec" / "governance.html").is_file() and (tmp_path / "rec" / "model-index.yaml").is_file()


def test_record_without_governance_says_what_is_missing(tiny, tmp_path):
    res = invoke("record", tiny / "plain", "--out", tmp_path / "rec")
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rec" / "governance.md").read_text()
    assert "No governance text was given" in md and "Add governance.intended\\_use" in md


@pytest.mark.parametrize("content, words", [
    ("seed: 1\n", ["no 'governance' section", "configs/governance.yaml"]),
    ("governance:\n  intended: x\n", ["'intended'", "Allowed:", "intended_use"]),
])
def test_record_bad_governance_config(tiny, tmp_path, content, words):
    gov = tmp_path / "gov.yaml"
    gov.write_text(content, encoding="utf-8")
    res = invoke("record", tiny / "plain", "--out", tmp_path / "rec", "--config", gov)
    assert res.exit_code == 2 and "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    for w in words:
        assert w in res.output


def test_record_bad_results_and_model(tiny, tmp_path):
    doc = json.loads((tiny / "plain" / "results.json").read_text())
    doc["schema"] = "audit-results/0"
    (tmp_path / "old.json").write_text(json.dumps(doc))
    res = invoke("record", tmp_path / "old.json")
    assert res.exit_code == 2 and "audit-results/0" in res.output
    res = invoke("record", tiny / "plain", "--out", tmp_path / "rec", "--model", "word")
    assert res.exit_code == 2 and "Did you mean 'words'" in res.output


def test_record_of_two_models_writes_and_prints_one_block_each(tmp_path):
    from pathlib import Path

    sample = Path(__file__).with_name("sample_results.json")
    res = invoke("record", sample, "--out", tmp_path / "rec")
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("model-index:")]
    assert [Path(ln.split(maxsplit=1)[1]).name for ln in lines] == ["model-index--distilbert-sst2.yaml",
                                                                    "model-index--tfidf-logreg.yaml"]
    for ln in lines:
        entries = yaml.safe_load(Path(ln.split(maxsplit=1)[1]).read_text())["model-index"]
        assert len(entries) == 1 and ln.endswith(f"--{entries[0]['name']}.yaml")
    res = invoke("record", sample, "--out", tmp_path / "one", "--model", "tfidf-logreg")
    assert res.exit_code == 0 and res.output.strip().endswith("model-index.yaml")
