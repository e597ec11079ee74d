"""The report's layout in headless Chromium, on a real audit (two TF-IDF models, every probe) with a
hand-built findings block and a failing gate: the verdict and the first scorecard row on the first screen
at 1280 x 800, no table wider than the page, no horizontal scroll at 390 px, a contents bar that stays,
folding sections, filled rows of small multiples, no console error, and a PDF that prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_findings_fixtures import findings_for

from audit.reports import write_reports

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def failing_gate(models: list[str]) -> dict:
    def check(model, value, status):
        return {"name": "accuracy floor", "metric": "metrics.accuracy", "model": model, "operator": ">=",
                "threshold": 0.9, "use": "ci_lower", "value": value, "status": status,
                "passed": status == "pass", "message": f"ci_lower {value} fails >= 0.9" if status == "fail" else None}
    checks = [check(models[0], 0.71, "fail"), check(models[1], 0.93, "pass")]
    return {"passed": False, "policy": {"name": "release", "path": "gate.yaml"}, "checks": checks,
            "counts": {"pass": 1, "fail": 1, "error": 0, "skip": 0}}


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as sync_api  # a test dependency: its absence fails, never skips
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page_of(browser, tmp_path):
    """page_of(results, width, height) -> a page showing the report, recording console errors in ``errors``."""
    pages = []

    def open_page(results: dict, width: int = 1280, height: int = 800):
        out = tmp_path / f"r{len(pages)}"
        url = write_reports(results, out)["html"].resolve().as_uri()
        page = browser.new_page(viewport={"width": width, "height": height})
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(url, wait_until="load")
        pages.append(page)
        return page

    yield open_page
    for p in pages:
        p.close()


@pytest.fixture
def audited(tfidf_results) -> dict:
    """The real audit with a findings block (three findings per model) and a failing gate."""
    doc = tfidf_results
    doc["findings"] = findings_for(doc, per_model=5)
    doc["gate"] = failing_gate([m["id"] for m in doc["models"]])
    return doc


def bottom(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().bottom")


def test_first_screen_holds_the_verdict_and_the_first_scorecard_row(page_of, audited):
    page = page_of(audited)
    for sel in ("#verdict .callout-fail", "#verdict table.gate-failing", "#verdict .findings",
                "#verdict .finding", "#verdict .findings-rule", "#verdict table.paired-verdict",
                "#scorecard table.scorecard tbody tr"):
        assert page.locator(sel).first.is_visible(), sel
        assert bottom(page, sel) <= 800, sel
    # only the title, the contents bar and short notices (here: group-fairness has no values) come before it
    assert page.locator("#verdict").evaluate("e => e.getBoundingClientRect().top") < 160
    assert page.errors == []


def test_without_findings_the_verdict_says_so_and_still_comes_first(page_of, tfidf_results):
    tfidf_results.pop("findings", None)  # results written before findings existed
    page = page_of(tfidf_results)
    assert "No findings computed" in page.inner_text("#verdict")
    assert bottom(page, "#verdict table.paired-verdict") <= 800
    assert bottom(page, "#scorecard table.scorecard tbody tr") <= 800
    assert page.locator("details.section-fold:not([open])").count() == 0  # no findings block: all open


def test_no_table_is_wider_than_the_page_at_1280(page_of, audited):
    page = page_of(audited)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    wide = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
        .filter(w => w.scrollWidth > w.clientWidth + 1)
        .map(w => (w.closest('section') || {}).id + ': ' + w.scrollWidth + ' > ' + w.clientWidth)""")
    assert wide == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280


def test_no_horizontal_overflow_at_390_px(page_of, audited):
    page = page_of(audited, width=390, height=844)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert page.errors == []


def test_contents_bar_stays_and_marks_sections_with_findings(page_of, audited):
    page = page_of(audited)
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    nav = page.locator("nav.toc")
    assert nav.is_visible() and nav.evaluate("e => e.getBoundingClientRect().top") == 0
    assert page.locator("nav.toc a.has-note .toc-note").count() >= 1


def test_sections_fold_open_only_where_there_are_findings(page_of, audited):
    page = page_of(audited)
    opened = page.eval_on_selector_all("details.section-fold[open]", "ds => ds.map(d => d.parentElement.id)")
    closed = page.eval_on_selector_all("details.section-fold:not([open])", "ds => ds.map(d => d.parentElement.id)")
    assert "probe-noise" in opened and "probe-metrics" in closed  # findings_for skips the metrics probe
    assert page.locator("#probe-metrics table.metrics-table").first.is_hidden()
    page.locator("#probe-metrics > details > summary").click()
    assert page.locator("#probe-metrics table.metrics-table").first.is_visible()
    page.goto(page.url.split("#")[0] + "#probe-templates")  # a link to a folded section shows it
    assert page.locator("#probe-templates table").first.is_visible()


def test_small_multiples_fill_their_row(page_of, audited):
    page = page_of(audited)
    rows = page.evaluate("""() => [...document.querySelectorAll('.figure-row:not(.single)')].map(r => {
        const figs = [...r.children].filter(f => f.tagName === 'FIGURE');
        const top = figs.length ? figs[0].getBoundingClientRect().top : 0;
        const line = figs.filter(f => Math.abs(f.getBoundingClientRect().top - top) < 2);
        const used = line.length ? line[line.length - 1].getBoundingClientRect().right - line[0].getBoundingClientRect().left : 0;
        return {id: r.closest('section').id, n: figs.length, used: used / r.getBoundingClientRect().width};
    })""")
    multiples = [r for r in rows if r["n"] >= 3]
    assert multiples, rows
    for r in multiples:
        assert r["used"] > 0.95, r


def test_prints_to_pdf_with_every_fold_open(page_of, audited):
    page = page_of(audited, width=794, height=1123)
    page.emulate_media(media="print")
    assert page.locator("#probe-metrics table.metrics-table").first.is_visible()  # folded on screen
    assert page.locator("nav.toc").is_hidden()
    narrow = page.evaluate("""() => [...document.querySelectorAll('td.text')]
        .map(td => td.getBoundingClientRect().width).filter(w => w > 0 && w < 120)""")
    assert narrow == []  # a text column keeps a readable width in print (some 18 characters a line at least)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    assert page.errors == []
