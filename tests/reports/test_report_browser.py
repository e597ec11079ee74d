"""Open report.html in headless Chromium: no console errors, no request leaving the file,
the scorecard present and the untrusted ``<script>`` shown as text (no dialog fires)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from report_builders import SCRIPT_TEXT, explain_results
from audit.reports import write_reports

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


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
def report_url(sample, tmp_path) -> str:
    return write_reports(sample, tmp_path)["html"].resolve().as_uri()


def test_opens_offline_and_shows_script_as_text(browser, report_url):
    page = browser.new_page()
    requests, console_errors, dialogs = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url == report_url else route.abort())
    page.goto(report_url, wait_until="load")
    page.wait_for_timeout(200)

    assert requests == [report_url]
    assert console_errors == []
    assert dialogs == []
    assert page.locator("#scorecard table.scorecard").count() == 1
    assert page.locator("#scorecard").is_visible()
    assert page.evaluate("document.scripts.length") == 0
    assert SCRIPT_TEXT in page.inner_text("body")
    page.close()


def test_print_layout_does_not_overflow_the_page(browser, report_url):
    page = browser.new_page(viewport={"width": 700, "height": 1000})
    page.emulate_media(media="print")
    page.goto(report_url, wait_until="load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    assert page.locator("nav.toc").is_hidden()
    page.close()


def test_explain_heatmap_words_render_coloured_without_errors(browser, tmp_path):
    url = write_reports(explain_results(), tmp_path)["html"].resolve().as_uri()
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    words = page.locator("#probe-explain .heat-text .tok")
    assert words.count() > 10 and words.first.is_visible()
    great = page.locator('#probe-explain .heat-text .tok[title="+0.40"]').first
    assert great.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(33, 102, 172)"  # #2166ac
    assert great.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    assert SCRIPT_TEXT in page.inner_text("#probe-explain") and page.evaluate("document.scripts.length") == 0
    assert errors == []
    page.close()
