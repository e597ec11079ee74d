"""What compare.md / compare.html show: one Runs heading, no rows that no column reports, a warning
when one audit is given twice, compact numbers, and captions outside the tables' scroll boxes."""

from __future__ import annotations

import json
import re

from compare_builders import metric, write_run

UNREPORTED = {"name": "fairness", "family": "fairness", "version": "1", "description": "Groups.", "config": {},
              "metric_specs": [{"name": "gap/{attribute}", "higher_is_better": False, "headline": False}],
              "results": {m: {"status": "ok", "metrics": {"gap/gender": metric(0.00833, (0.0, 0.025), hib=False),
                                                         "gap/religion": metric(None, hib=False)}}
                          for m in ("m",)}}


def compare(tmp_path, invoke, *runs, out="cmp"):
    res = invoke("compare", *runs, "--out", tmp_path / out)
    assert res.exit_code == 0, res.output
    files = tmp_path / out
    return json.loads((files / "compare.json").read_text()), (files / "compare.md").read_text(), \
        (files / "compare.html").read_text()


def test_runs_section_has_one_heading(tmp_path, invoke):
    _, md, _ = compare(tmp_path, invoke, write_run(tmp_path, "a", {"m": [True] * 10}),
                       write_run(tmp_path, "b", {"m": [True] * 10}))
    assert "## Runs" in md and "**Runs**" not in md


def test_rows_no_column_reports_are_dropped_and_counted(tmp_path, invoke):
    a = write_run(tmp_path, "a", {"m": [True] * 10}, extra_probes=[UNREPORTED])
    b = write_run(tmp_path, "b", {"m": [True] * 10}, extra_probes=[UNREPORTED])
    doc, md, _ = compare(tmp_path, invoke, a, b)
    assert [r["address"] for r in doc["metrics"] if r["probe"] == "fairness"] == ["fairness.gap/gender"]
    assert doc["unreported_metrics"] == ["fairness.gap/religion"]
    rows = [ln for ln in md.splitlines() if ln.startswith("| fairness.")]
    assert rows and not any("religion" in ln for ln in rows)
    section = md[md.index("## fairness"):md.index("## Provenance")]
    assert "1 metric(s) that no column reports are left out" in section
    assert not any("missing from some columns" in n for n in doc["notes"])


def test_the_same_run_twice_is_warned_about(tmp_path, invoke):
    a = write_run(tmp_path, "a", {"m": [True] * 10}, run_id="20261122T234039Z-6a4320")
    copy = write_run(tmp_path, "copy", {"m": [True] * 10}, run_id="20261122T234039Z-6a4320")
    doc, md, html = compare(tmp_path, invoke, a, copy)
    assert doc["data"]["copies"] == {"20261122T234039Z-6a4320": ["a", "copy"]}
    assert any("one audit (run id 20261122T234039Z-6a4320)" in n for n in doc["notes"])
    assert md.index("The same run given more than once") < md.index("## Runs")
    assert 'class="callout callout-warn"' in html
    other, _, _ = compare(tmp_path, invoke, a, write_run(tmp_path, "b", {"m": [True] * 10}), out="cmp2")
    assert other["data"]["copies"] == {} and not any("one audit" in n for n in other["notes"])


def test_numbers_are_compact_and_the_verdict_comes_first(tmp_path, invoke):
    a = write_run(tmp_path, "a", {"m": [True] * 90 + [False] * 10}, extra_probes=[UNREPORTED])
    b = write_run(tmp_path, "b", {"m": [True] * 100}, extra_probes=[UNREPORTED])
    _, md, _ = compare(tmp_path, invoke, a, b)
    assert "| metrics.accuracy | b/m | a/m | **better** | +0.100 \\[+0.042, +0.174\\] | 100 | 1.000 vs 0.900 | " \
           "10 / 0 | 0.002 (exact) | 0.002 |" in md
    assert "0.0083 \\[0.0000, 0.0250\\]" in md and "0.00833" not in md


def test_captions_sit_outside_the_scroll_box(tmp_path, invoke):
    _, _, html = compare(tmp_path, invoke, write_run(tmp_path, "a", {"m": [True] * 90 + [False] * 10}),
                         write_run(tmp_path, "b", {"m": [True] * 100}))
    assert "<caption>" not in html
    paired = html[html.index('id="paired"'):]
    assert re.search(r'</table>\s*</div>\s*<div class="figure-row"></div>\s*<p class="caption">Examples paired by id',
                     paired)
