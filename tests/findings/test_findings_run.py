"""A tiny real audit (TF-IDF and a length-based callable on 60 reviews): `audit run` writes the findings block
with the config's settings; `audit report` and `audit.load` compute it in memory for results written before
findings existed, without rewriting results.json."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tfidf_workdir import build_tfidf_workdir

import audit
from audit.cli import main
from audit.core.results import load_results

CALLABLES = ("import numpy as np\n"
             "def length_model(texts):\n"
             "    p = np.array([min(len(t), 200) / 200 for t in texts])\n"
             "    return np.stack([1 - p, p], axis=1)\n"
             "length_model.labels = ['negative', 'positive']\n")
CONFIG = """\
findings:
  q: 0.1
  noise_drop: {tolerance: 0.5}
  calibration: false
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = build_tfidf_workdir(tmp_path_factory.mktemp("findings"))
    (root / "findings_callables.py").write_text(CALLABLES, encoding="utf-8")
    (root / "findings.yaml").write_text(CONFIG, encoding="utf-8")
    return root


def run(workdir, monkeypatch, out, *extra):
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    res = CliRunner().invoke(main, ["run", "--model", "tfidf.skops", "--model", "len=findings_callables:length_model",
                                    "--data", "test.csv", "--probe", "metrics", "--probe", "noise", "-q",
                                    "--out", str(out), *extra])
    assert res.exit_code == 0, res.output
    return load_results(out)


@pytest.fixture(scope="module")
def default_run(workdir, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        out = tmp_path_factory.mktemp("default") / "out"
        return out, run(workdir, mp, out)


def test_run_writes_the_block(default_run):
    _, doc = default_run
    block = doc["findings"]
    assert block["version"] == 1 and block["fdr"]["method"] == "benjamini-hochberg" and block["fdr"]["q"] == 0.05
    ids = {i["id"]: i for i in block["items"]}
    assert {"noise.max_changed_accuracy_drop:tfidf", "noise.max_changed_accuracy_drop:len", "metrics.ece:tfidf",
            "metrics.ece:len", "metrics.accuracy:tfidf:len", "metrics.brier:tfidf:len",
            "metrics.log_loss:tfidf:len"} <= set(ids)
    # the paired comparison's p-value is the paired block's McNemar p
    paired = next(p for p in doc["probes"] if p["name"] == "metrics")["paired"]
    mcnemar = next(c for c in paired["comparisons"] if c["metric"] == "accuracy")["mcnemar"]["p_value"]
    assert ids["metrics.accuracy:tfidf:len"]["p_value"] == mcnemar
    # noise's gaps between the groups the texts name (gender here) are tested too, one per model and attribute
    gaps = [i for i in block["items"] if i["rule"] == "robustness_gap" and i["tested"]]
    assert {i["model"] for i in gaps} == {"tfidf", "len"} and all(i["metric"].startswith("robustness_gap/") for i in gaps)
    assert block["fdr"]["tested"] == sum(i["tested"] for i in block["items"]) == 7 + len(gaps)
    assert block["rules"]["noise_drop"]["tolerance"] == 0.02
    statuses = [i["status"] for i in block["items"]]
    assert statuses == sorted(statuses, key=["finding", "passed", "not_tested"].index)


def test_config_section_changes_the_findings(workdir, monkeypatch, tmp_path):
    doc = run(workdir, monkeypatch, tmp_path / "out", "--config", "findings.yaml")
    block = doc["findings"]
    assert doc["run"]["config"]["findings"]["noise_drop"]["tolerance"] == 0.5
    assert block["fdr"]["q"] == 0.1 and "q = 0.1," in block["fdr"]["rule"]
    assert block["rules"]["calibration"]["enabled"] is False
    assert not any(i["rule"] == "calibration" for i in block["items"])
    noise = [i for i in block["items"] if i["rule"] == "noise_drop"]
    assert noise and all(i["status"] == "passed" and i["threshold"] == 0.5 for i in noise)


def test_report_and_load_compute_findings_for_older_results(default_run, monkeypatch):
    out, doc = default_run
    path = out / "results.json"
    want = doc["findings"]
    old = dict(doc)
    del old["findings"]  # as written before findings existed
    path.write_text(json.dumps(old), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert audit.load(out).doc["findings"] == want
    res = CliRunner().invoke(main, ["report", str(out)])
    assert res.exit_code == 0, res.output
    assert path.read_text(encoding="utf-8") == before  # computed in memory only
