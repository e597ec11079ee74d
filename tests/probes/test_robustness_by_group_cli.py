"""Robustness by group through `audit run`: results.json carries each probe's breakdown and its gap metrics, the
gate addresses `noise.max_robustness_gap` and `noise.robustness_gap/{attribute}`, `audit probes` lists them, the
findings name the gaps, and both reports show the per-group bars and tables."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from tfidf_workdir import build_tfidf_workdir

from audit.cli import main
from audit.core.results import load_results

CALLABLES = ("import numpy as np\n"
             "def length_model(texts):\n"
             "    p = np.array([min(len(t), 200) / 200 for t in texts])\n"
             "    return np.stack([1 - p, p], axis=1)\n"
             "length_model.labels = ['negative', 'positive']\n")
CONFIG = """\
probes:
  noise: {perturbations: [typo, word_drop], severities: [0.1, 0.3], bootstrap: 100, group_min_support: 10}
  counterfactual: {bootstrap: 100, min_support: 5}
"""
POLICY = """\
checks:
  - {metric: noise.max_robustness_gap, operator: "<=", threshold: 0.9}
  - {metric: noise.robustness_gap/gender, operator: "<=", threshold: 0.9}
"""


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = build_tfidf_workdir(tmp_path_factory.mktemp("bygroup"))
    (root / "bygroup_callables.py").write_text(CALLABLES, encoding="utf-8")
    (root / "audit.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.syspath_prepend(str(root))
        res = CliRunner().invoke(main, ["run", "--model", "tfidf.skops", "--model",
                                        "len=bygroup_callables:length_model", "--data", "test.csv", "--sensitive",
                                        "gender", "--sensitive", "religion", "--config", "audit.yaml",
                                        "--probe", "metrics", "--probe", "noise", "--probe", "counterfactual",
                                        "--gate", "policy.yaml", "-q", "--out", "out"])
    assert res.exit_code == 0, res.output
    return root / "out"


def unit(doc: dict, probe: str, model: str) -> dict:
    return next(p for p in doc["probes"] if p["name"] == probe)["results"][model]


def test_results_carry_the_breakdown_and_the_gate_reads_it(audited):
    doc = load_results(audited)
    for model in ("tfidf", "len"):
        noise = unit(doc, "noise", model)
        block = noise["details"]["by_group"]
        assert [a["name"] for a in block["attributes"]] == ["gender", "religion"]
        assert block["groups_from"] == {"inferred": False, "columns": ["gender", "religion"]}
        gap = noise["metrics"]["robustness_gap/gender"]
        assert gap["value"] == pytest.approx(block["attributes"][0]["gap"]["value"])
        assert gap["ci"][0] <= gap["value"] <= gap["ci"][1]
        assert noise["metrics"]["max_robustness_gap"]["value"] == max(
            a["gap"]["value"] for a in block["attributes"] if a["gap"]["value"] is not None)
        swaps = unit(doc, "counterfactual", model)["details"]["by_group"]
        assert swaps["groups_from"]["inferred"] and swaps["gap_measure"] == "flip_rate"
    checked = {c["metric"]: c for c in doc["gate"]["checks"]}
    assert {"noise.max_robustness_gap", "noise.robustness_gap/gender"} <= set(checked)
    assert all(c["passed"] for c in doc["gate"]["checks"]) and len(doc["gate"]["checks"]) == 4  # two models each


def test_findings_and_both_reports_show_the_groups(audited):
    doc = load_results(audited)
    gaps = [i for i in doc["findings"]["items"] if i["rule"] == "robustness_gap"]
    assert {(i["probe"], i["metric"]) for i in gaps} >= {("noise", "robustness_gap/gender"),
                                                         ("noise", "robustness_gap/religion")}
    html = (audited / "report.html").read_text(encoding="utf-8")
    assert html.count("By group: is the damage shared fairly?") >= 2  # noise and counterfactual
    assert "gender: flip rate (changed texts) by group" in html
    res = CliRunner().invoke(main, ["report", str(audited), "--markdown", "full", "--out", str(audited / "full")])
    assert res.exit_code == 0, res.output
    md = next((audited / "full").glob("*.md")).read_text(encoding="utf-8")
    assert "By group: is the damage shared fairly?" in md and "highest − lowest" in md


def test_audit_probes_lists_the_metrics():
    res = CliRunner().invoke(main, ["probes", "noise"])
    assert res.exit_code == 0 and "robustness_gap/{attribute}" in res.output and "group_min_support" in res.output
