"""The noise report shows changed-text drops and flip rates with their denominators, in words ("over the 12
of 35 texts it changed") and counts ("7 of 12"), and "no rate" where a perturbation changed nothing."""

from __future__ import annotations

import dataclasses

import pytest
from negation_texts import CFG, run
from report_builders import probe as probe_entry
from report_builders import results_with

from audit.probes.noise import NoiseProbe
from audit.reports import render_html, render_markdown


@pytest.fixture(scope="module")
def doc():
    _, res = run()
    specs = [dataclasses.asdict(s) for s in NoiseProbe.metric_specs]
    entry = probe_entry("noise", {"neg": res.as_dict()}, specs, config=NoiseProbe(CFG).config_dict(),
                        description=NoiseProbe.description)
    return results_with([entry], models=("neg",))


def test_reports_show_changed_figures_with_their_denominators(doc):
    md = render_markdown(doc, "full")
    section = md[md.index("## noise"):]
    html = render_html(doc)
    for text in (section, html):
        assert "over the 12 of 35 texts it changed" in text  # the headline cell, in words
        assert "58.3% (7 of 12)" in text and "12 of 35" in text  # the damage table: flips of the changed texts
        assert "no rate" in text and "lower@0.5" in text  # nothing changed: no rate
    assert "accuracy drop over the 12 of 35 texts the perturbation changed" in html  # the drop cell's tooltip
    assert "0.000, 0.000" not in section and "0.000 \\[-0.084, 0.084\\]" in section  # no flip of 35: not a point


