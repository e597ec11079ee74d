"""compare.html with four columns of long run/model names at a 1280 px laptop screen: the paired
tests' Verdict and the fourth model column are on screen, nothing scrolls sideways, and captions
wrap in full view."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.compare import compare_runs
from compare.compare_builders import metric, write_run
from audit.reports.compare import write_comparison

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280
FAIRNESS = {"name": "group-fairness", "family": "fairness", "version": "1", "description": "Groups.", "config": {},
            "metric_specs": [{"name": "max_demographic_parity_difference", "higher_is_better": False, "headline": True}],
            "results": {m: {"status": "ok", "metrics": {"max_demographic_parity_difference":
                                                        metric(0.0452, (0.0031, 0.2264), hib=False)}}
                        for m in ("minilm-finetuned", "tfidf-logreg")}}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    import playwright.sync_api as sync_api  # a test dependency: its absence fails, never skips
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    root = tmp_path_factory.mktemp("compare-browser")
    models = {"minilm-finetuned": [True] * 385 + [False] * 15, "tfidf-logreg": [True] * 376 + [False] * 24}
    runs = [write_run(root, name, models, extra_probes=[FAIRNESS], run_id=name) for name in ("audit-out", "demo-copy")]
    doc = compare_runs([str(r) for r in runs], baseline="audit-out/tfidf-logreg")
    url = write_comparison(doc, root / "cmp")["html"].resolve().as_uri()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": WIDTH, "height": 900})
        tab.goto(url, wait_until="load")
        yield tab
        browser.close()


def right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def test_verdict_column_is_on_screen(page):
    verdict = page.locator("#paired table thead th", has_text="Verdict")
    assert verdict.count() == 1
    assert right_edge(verdict) <= WIDTH
    assert right_edge(page.locator("#paired td.verdict").first) <= WIDTH


def test_fourth_model_column_is_on_screen_and_nothing_scrolls(page):
    last = page.locator("#probe-group-fairness table thead th").last
    assert last.inner_text() == "demo-copy/tfidf-logreg" and right_edge(last) <= WIDTH
    overflowing = page.evaluate("[...document.querySelectorAll('.table-wrap')]"
                                ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.closest('section').id)")
    assert overflowing == []


def test_captions_wrap_outside_the_scroll_box(page):
    caption = page.locator("#paired p.caption")
    assert caption.count() == 1 and caption.evaluate("e => e.closest('.table-wrap') === null")
    assert right_edge(caption) <= WIDTH and caption.bounding_box()["height"] > 20  # wraps onto more lines
