"""Axes the counterfactual probe could not test, and texts it left undecided, are said in the
terminal summary, report.html and report.md, not only in results.json's details.per_axis."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
from report_builders import probe as probe_entry
from report_builders import results_with
from rich.console import Console

from audit.cli.console_summary import print_summary
from audit.reports import render_html, render_markdown

EMPTY = "No text names a group of race, religion: these axes were not tested (0 texts)"
UNDECIDED = "1 text not swapped because the rules could not decide a mention"


class Praise:
    labels = ["negative", "positive"]
    fingerprint = "sha256:praise"

    def predict_proba(self, texts):
        p = np.array([0.8 if "loved" in t else 0.3 for t in texts])
        return np.stack([1 - p, p], axis=1)


@pytest.fixture(scope="module")
def doc():
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.base import LoadedModel
    from audit.probes.base import ProbeContext
    from audit.probes.fairness import CounterfactualProbe

    texts = ["She loved the film.", "He hated the film.", "My mom loved it.", "I gave her flowers.",
             "The film makes him happy.", "The plot was thin."]
    data = Dataset([str(i) for i in range(len(texts))], texts, ["positive"] * len(texts), "mem")
    probe = CounterfactualProbe.from_mapping({"axes": ["gender", "race", "religion"], "bootstrap": 50})
    model = PredictionCache().wrap(LoadedModel("praise", "mem", "callable", Praise()))
    result = json.loads(json.dumps(probe.run(model, data, ProbeContext(seed=0)).as_dict()))
    entry = probe_entry(probe.name, {"praise": result}, [dataclasses.asdict(s) for s in probe.metric_specs],
                        config=probe.config_dict(), family="fairness", description=probe.description)
    return results_with([entry], models=("praise",))


def test_details_count_the_empty_axes(doc):
    axes = doc["probes"][0]["results"]["praise"]["details"]["per_axis"]
    assert axes["race"]["texts"] == axes["religion"]["texts"] == 0 and axes["gender"]["undecided"] == 1


def test_console_summary_names_the_empty_axes(doc):
    buf = io.StringIO()
    print_summary(doc, Console(file=buf, width=400))
    out = " ".join(buf.getvalue().split())
    assert EMPTY in out and UNDECIDED in out and "gender 1 (her: object or possessive?: 1)" in out


def test_html_and_markdown_name_the_empty_axes(doc):
    html, md = render_html(doc), render_markdown(doc)
    for text in (html, md):
        assert EMPTY in text and UNDECIDED in text and "Texts per axis" in text
    assert "not tested" in md.split("Texts per axis")[1]  # the empty axes' rows are marked
