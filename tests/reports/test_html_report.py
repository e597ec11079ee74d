"""report.html: parses, self-contained, escapes everything from the data, shows every part."""

from __future__ import annotations

import re
import subprocess
import sys

from report_builders import SCRIPT_TEXT, metric, ok, probe, results_with
from report_html_check import parse

from audit.reports import render_html, write_reports

FORBIDDEN_TAGS = {"script", "link", "img", "iframe", "object", "embed", "base", "image", "use", "audio", "video"}


def test_parses_with_balanced_tags(sample):
    doc = parse(render_html(sample))
    assert doc.errors == [] and doc.stack == []
    assert doc.tags[0][0] == "html"


def test_contains_scorecard_and_every_model(sample):
    html = render_html(sample)
    doc = parse(html)
    ids = [a.get("id") for _, a in doc.tags if a.get("id")]
    assert "scorecard" in ids and len(ids) == len(set(ids))
    assert any(t == "table" and "scorecard" in a.get("class", "") for t, a in doc.tags)
    text = "".join(doc.text)
    for model in sample["models"]:
        assert model["id"] in text and model["kind"] in text


def test_untrusted_text_is_shown_as_text(sample):
    html = render_html(sample)
    doc = parse(html)
    assert not [t for t, _ in doc.tags if t == "script"]
    assert SCRIPT_TEXT in "".join(doc.text)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>more</b>" not in html and not [t for t, _ in doc.tags if t == "b"]


def test_no_external_resources(sample):
    html = render_html(sample)
    doc = parse(html)
    assert not re.search(r"https?:|//", html), "no URL of any kind"
    assert not {t for t, _ in doc.tags} & FORBIDDEN_TAGS
    for tag, attrs in doc.tags:
        assert "src" not in attrs and "srcset" not in attrs and "xlink:href" not in attrs
        assert not [k for k in attrs if k.startswith("on")], f"event handler on <{tag}>"
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs["href"]
    css = "".join(doc.text_in.get("style", []))
    assert css and "url(" not in css and "@import" not in css


def test_escaping_inside_svg_titles_and_attributes():
    nasty = '"><script>alert(1)</script>'
    details = {"labels": [nasty, "p"], "n": 2, "confusion_matrix": [[1, 0], [0, 1]],
               "per_class": {nasty: {"precision": 1, "recall": 1, "f1": 1, "support": 1}},
               "reliability": {"bins": [{"lower": 0.5, "upper": 1.0, "count": 2, "mean_confidence": 0.9,
                                         "accuracy": 1.0}]}}
    res = results_with([probe("metrics", {"<i>m</i>": ok({"accuracy": metric(1.0, (0.9, 1.0))}, details=details)},
                              [{"name": "accuracy", "description": nasty, "higher_is_better": True, "headline": True}])],
                       models=("<i>m</i>",))
    html = render_html(res)
    doc = parse(html)
    assert doc.errors == []
    assert not {t for t, _ in doc.tags} & {"script", "i"}
    titles = "".join(doc.text_in.get("title", []))
    assert nasty in titles and "<i>m</i>" in titles
    assert any(a.get("title") == nasty for _, a in doc.tags), "description as an escaped title attribute"


def test_metrics_probe_shows_confusion_reliability_per_class_and_examples(sample):
    html = render_html(sample)
    doc = parse(html)
    svgs = [a for t, a in doc.tags if t == "svg"]
    labels = [a.get("aria-label", "") for a in svgs]
    for model in ("distilbert-sst2", "tfidf-logreg"):
        assert f"Confusion matrix — {model}" in labels
        assert f"Reliability diagram — {model}" in labels
    assert any(a.get("class") == "per-class" for t, a in doc.tags if t == "table")
    text = "".join(doc.text)
    assert "Misclassified examples, most confident first — distilbert-sst2" in text
    assert "0.911 [0.892, 0.929]" in text


def test_statuses_are_shown_with_their_reason(sample):
    text = "".join(parse(render_html(sample)).text)
    assert "tfidf-logreg: not applicable" in text and "exposes no attention maps" in text
    assert "tfidf-logreg: error" in text and "predict_proba returned 3 columns" in text


def test_gate_block_only_when_present(sample):
    html = render_html(sample)
    assert 'id="gate"' in html and "FAILED" in html and "Gate failed" in html
    assert "≥ 0.85" in "".join(parse(html).text) and "0.7901" in html
    sample["gate"] = None
    assert 'id="gate"' not in render_html(sample)
    sample["gate"] = {"passed": True, "checks": []}
    assert "Gate passed" in render_html(sample)


def test_provenance_appendix(sample):
    text = "".join(parse(render_html(sample)).text)
    assert sample["models"][0]["fingerprint"] in text and sample["dataset"]["fingerprint"] in text
    assert sample["run"]["command"] in text
    assert '"bootstrap": 1000' in text and "3.11.7" in text
    assert "Model calls" in text and "61" in text


def test_none_is_a_dash_and_unfinished_runs_say_so(sample):
    sample["run"]["finished_at"] = None
    text = "".join(parse(render_html(sample)).text)
    assert "Run not finished" in text
    assert "—" in text and "None" not in text


def test_generic_fallback_renders_an_unknown_probe():
    specs = [{"name": "gap", "description": "", "higher_is_better": False, "headline": True}]
    examples = [{"id": "1", "text": "a | b", "group": "x", "scores": [0.1, 0.2]}]
    res = results_with([probe("future_probe", {
        "a": ok({"gap": metric(0.2, (0.1, 0.3), False), "extra": metric(3.0)}, examples=examples,
                details={"groups": {"x": 1}}),
        "b": {"status": "not_applicable", "reason": "needs groups", "metrics": {}, "details": {}, "examples": []},
    }, specs, family="fairness")])
    doc = parse(render_html(res))
    text = "".join(doc.text)
    assert "future_probe" in text and "fairness" in text and "gap" in text and "extra" in text
    assert "[0.1, 0.2]" in text and '"groups"' in text and "needs groups" in text
    assert any(t == "svg" for t, _ in doc.tags)


def test_tolerates_sparse_and_empty_documents():
    for results in ({}, {"schema": "audit-results/1", "run": {"id": "x"}, "probes": [{"name": "metrics"}]}):
        doc = parse(render_html(results))
        assert doc.errors == []


def test_write_reports_is_atomic_and_overwrites(sample, tmp_path):
    out = tmp_path / "run"
    paths = write_reports(sample, out)
    assert set(paths) == {"html", "markdown"}
    assert paths["html"] == out / "report.html" and paths["markdown"] == out / "report.md"
    assert paths["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    sample["run"]["id"] = "second-run"
    write_reports(sample, str(out))
    assert "second-run" in paths["markdown"].read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.md"]


def test_imports_no_model_code():
    code = ("import sys, json, audit.reports as reports; reports.render_html({}); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'sklearn')"
            " or m.startswith(('audit.models', 'audit.probes'))]; print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
