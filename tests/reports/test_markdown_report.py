"""report.md: well-formed GitHub tables, nothing from the data can inject HTML or Markdown."""

from __future__ import annotations

import re

from report_builders import metric, ok, probe, results_with

from audit.reports import render_markdown
from audit.reports.markdown import md_cell

CELL_SPLIT = re.compile(r"(?<!\\)\|")
ALLOWED_TAGS = {"br", "details", "/details", "summary", "/summary"}


def _outside_code(md: str) -> list[str]:
    lines, fence = [], None
    for line in md.splitlines():
        m = re.match(r"^(`{3,})", line)
        if m and (fence is None or m.group(1) == fence):
            fence = None if fence else m.group(1)
            continue
        if fence is None:
            lines.append(line)
    return lines


def _tables(md: str) -> list[list[list[str]]]:
    tables, current = [], []
    for line in _outside_code(md) + [""]:
        if line.startswith("|"):
            current.append([c.strip() for c in CELL_SPLIT.split(line.strip())[1:-1]])
        elif current:
            tables.append(current)
            current = []
    return tables


def test_tables_are_well_formed(sample):
    tables = _tables(render_markdown(sample))
    assert len(tables) >= 10
    for table in tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, table
        assert all(re.fullmatch(r"-{3,}", c) for c in table[1]), table[1]
        assert len(table) > 2


def test_sections_and_content(sample):
    md = render_markdown(sample, "full")
    for heading in ("## Run summary", "## Scorecard", "## metrics · performance", "## Gate", "## Provenance"):
        assert heading in md
    for model in sample["models"]:
        assert model["id"] in md
    assert "| negative | 390 | 38 |" in md and "| positive | 95 | 349 |" in md
    assert "**0.911 \\[0.892, 0.929\\]** _(best)_" in md
    assert "FAILED" in md and sample["run"]["command"] in md
    assert "tfidf-logreg: not applicable" in md and "tfidf-logreg: error" in md


def test_untrusted_text_is_neutralised(sample):
    md = render_markdown(sample)
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt; the film is a total \\| pipe dream" in md
    assert "one<br>somehow earns" in md, "newline kept inside one table row"
    assert "\\*\\*bold\\*\\*" in md and "@\u200beveryone" in md
    assert "\\[a link\\](javascript:alert(1))" in md
    for line in _outside_code(md):
        for tag in re.findall(r"<\s*(/?\w+)", line):
            assert tag.lower() in ALLOWED_TAGS, line


def test_cell_escaping():
    assert md_cell("a|b\nc") == "a\\|b<br>c"
    assert md_cell("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert md_cell("") == " "


def test_code_fence_cannot_be_closed_by_the_data(sample):
    sample["run"]["command"] = "audit run ```\n# injected"
    md = render_markdown(sample)
    assert "````sh\naudit run ```\n# injected\n````" in md


def test_generic_probe_and_sparse_documents():
    res = results_with([probe("future_probe", {"a": ok({"gap": metric(0.2)}), "b": ok({"gap": metric(0.4)})})])
    md = render_markdown(res, "full")
    assert "## future\\_probe" in md and "| gap |" in md
    assert "<summary>future_probe · robustness</summary>" in render_markdown(res)  # HTML: no Markdown escapes
    assert render_markdown({}).startswith("# Model audit report")


def test_long_example_lists_are_cut_for_a_pull_request_comment(sample):
    examples = sample["probes"][0]["results"]["tfidf-logreg"]["examples"]
    sample["probes"][0]["results"]["tfidf-logreg"]["examples"] = [dict(examples[1], id=str(i)) for i in range(25)]
    md = render_markdown(sample, "full")
    assert "_First 10 of 25 rows; all of them are in report.html._" in md
    assert "| 9 | the acting" in md and "| 10 | the acting" not in md
