"""A sentence-pair audit as a user runs it: `audit run` with a governance section, `audit gate` and
`audit compare`. Wherever an example is shown (report.html and report.md, as written by the run and
as re-rendered by the gate, and the governance record) the row or card that shows its first text
shows its second text too, under a label; the gate's JUnit and summary and the comparison show no
example texts at all."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from pair_fixtures import PREMISES, UNRELATED
from report_html_check import Collector

from audit.cli import main
from audit.reports.markdown import COMPACT_EXAMPLES

OUTPUTS = ("report.md", "report.html", "governance.md", "governance.html")
SHOWN = {  # probe -> (first-text keys, second-text keys) of its examples, each pair shown in one row or card
    "metrics": (("text",), ("text_pair",)),
    "noise": (("text", "perturbed"), ("text_pair", "perturbed_pair")),
    "attack": (("text", "adversarial"), ("text_pair", "adversarial_pair")),
    "counterfactual": (("text", "counterfactual"), ("text_pair", "counterfactual_pair")),
    "templates": (("text",), ("text_pair",)),
    "explain": (("text",), ("text_pair",)),
}
IN_GOVERNANCE = ("metrics",)  # the record's example failures
LABELS = {"metrics": "text\\_pair", "noise": "second text", "attack": "Text pair", "counterfactual": "text\\_pair",
          "templates": "text\\_pair", "explain": "‖"}  # how report.md names the second text


def pair_rows() -> list[tuple[str, str, str]]:
    """(premise, hypothesis, label): no hypothesis is a substring of a premise, so finding it finds it shown."""
    rows = []
    for i, premise in enumerate(PREMISES):
        words = premise.split()
        rows += [(premise, " ".join(reversed(words[1:5])), "entailment"),
                 (premise, f"{UNRELATED[i % len(UNRELATED)]} at {i}", "contradiction"),
                 (premise, " ".join(words[-2:] + UNRELATED[(i + 1) % len(UNRELATED)].split()[:2]), "neutral")]
    return rows


CONFIG = {
    "data": {"source": "pairs.tsv"},
    "models": [{"name": "overlap", "spec": "overlap_nli:predict"}],
    "probes": {"metrics": {"bootstrap": 50}, "noise": {"perturbations": ["typo"], "severities": [0.3], "bootstrap": 0},
               "attack": {"recipes": ["deepwordbug"], "examples": 12, "workers": 4},
               "counterfactual": {"bootstrap": 0}, "templates": {"permutations": 50, "bootstrap": 0},
               "explain": {"methods": ["occlusion"], "misclassified": 2, "attacked": 2, "random": 2,
                           "global_examples": 0, "bootstrap": 0}},
    "governance": {"model_details": "A word-overlap rule.", "intended_use": "Tests of the audit."},
}
POLICY = """name: pairs
checks:
  - {metric: metrics.accuracy, operator: ">=", threshold: 0.9}
  - {metric: attack.max_success_rate, operator: "<=", threshold: 0.5}
"""


@pytest.fixture(scope="module")
def pair_run(tmp_path_factory):
    """One pair audit (every probe that shows examples), its outputs before and after `audit gate`, the
    gate's files and a comparison with a second run; attack resources in an isolated cache dir."""
    root = tmp_path_factory.mktemp("pair-run")
    mp = pytest.MonkeyPatch()
    mp.setenv("AUDIT_CACHE_DIR", str(root / "cache"))
    mp.chdir(root)
    try:
        (root / "pairs.tsv").write_text("premise\thypothesis\tlabel\n" + "".join(
            f"{a}\t{b}\t{y}\n" for a, b, y in pair_rows()), encoding="utf-8")
        (root / "audit.json").write_text(json.dumps({**CONFIG, "out": "run"}), encoding="utf-8")
        (root / "gate.yaml").write_text(POLICY, encoding="utf-8")
        cli = CliRunner()
        invoke = lambda *args: cli.invoke(main, list(args), catch_exceptions=False)  # noqa: E731
        res = invoke("run", "--config", "audit.json", "-q")
        assert res.exit_code == 0, res.output
        shutil.copytree(root / "run", root / "before-gate", ignore=shutil.ignore_patterns("work", "predictions"))
        res = invoke("gate", "run/results.json", "--policy", "gate.yaml")
        assert res.exit_code in (0, 1) and "Traceback" not in res.output, res.output
        res = invoke("run", "--config", "audit.json", "--probe", "metrics", "--out", "base", "-q")
        assert res.exit_code == 0, res.output
        res = invoke("compare", "base", "run", "--out", "cmp")
        assert res.exit_code == 0, res.output
        yield root
    finally:
        mp.undo()


def html_rows(page: str) -> list[str]:
    """The text of every table row and figure of an HTML page, twice: without the words a diff
    underlines (inserted by noise), and without those it strikes through (deleted)."""
    class Rows(Collector):
        def __init__(self) -> None:
            super().__init__()
            self.units: list[tuple[list[str], list[str]]] = []
            self.depth = 0
            self.marks: list[str] = []  # text-decoration of each open tspan

        def handle_starttag(self, tag, attrs):
            super().handle_starttag(tag, attrs)
            if tag == "tspan":
                self.marks.append(dict(attrs).get("text-decoration") or "")
            if tag in ("tr", "svg", "figure"):
                self.depth += 1
                if self.depth == 1:
                    self.units.append(([], []))
            elif self.depth and tag in ("td", "th", "text", "br", "p", "div"):  # a new line or cell
                for kept in self.units[-1]:
                    kept.append(" ")

        def handle_endtag(self, tag):
            super().handle_endtag(tag)
            if tag == "tspan" and self.marks:
                self.marks.pop()
            if tag in ("tr", "svg", "figure"):
                self.depth -= 1

        def handle_data(self, data):
            super().handle_data(data)
            if self.depth:
                for kept, hidden in zip(self.units[-1], ("underline", "line-through")):
                    if hidden not in self.marks:
                        kept.append(data)

    parser = Rows()
    parser.feed(page)
    return ["".join(kept) for unit in parser.units for kept in unit]


def section(path, probe: str) -> str:
    """The part of an output that shows ``probe`` (the governance record: its example failures)."""
    text = path.read_text(encoding="utf-8")
    governance = path.name.startswith("governance")
    if path.suffix == ".html":
        start = text.index(f'<section id="{"failures" if governance else "probe-" + probe}"')
        return text[start:text.index("</section>", start)]
    if governance:
        start = text.index("\n## Example failures")
        end = text.find("\n## ", start + 1)
        return text[start:end if end > 0 else None]
    start = text.index(f"\n<details><summary>{probe} · ")  # report.md (compact): each probe folded
    return text[start:text.index("</details>", start)]


def units(path, probe: str) -> list[str]:
    """Rows of a probe's part of an output (Markdown lines; HTML table rows and figures), whitespace
    collapsed, Markdown escapes and diff marks removed: each once with deleted words kept, once with
    inserted words kept."""
    text = section(path, probe)
    if path.suffix == ".html":
        return [" ".join(row.split()) for row in html_rows(text)]
    out = []
    for line in text.replace("\\", "").splitlines():
        for drop in (r"\{\+.*?\+\}", r"\[-.*?-\]"):  # report.md marks diffs [-removed-] {+inserted+}
            kept = re.sub(drop, "", line)
            out.append(" ".join(re.sub(r"\[-|-\]|\{\+|\+\}", "", kept).split()))
    return out


def shown_together(first: str, second: str, rows: list[str]) -> bool | None:
    """True: a row shows both; False: rows show the first text only; None: no row shows it."""
    first, second = " ".join(first.split()), " ".join(second.split())
    with_first = [r for r in rows if first in r]
    return any(second in r for r in with_first) if with_first else None


def examples(doc: dict, probe: str) -> list[dict]:
    entry = next(p for p in doc["probes"] if p["name"] == probe)
    return [e for e in entry["results"]["overlap"]["examples"] if isinstance(e, dict)]


def check(folder, doc: dict, output: str) -> None:
    probes = IN_GOVERNANCE if output.startswith("governance") else tuple(SHOWN)
    for probe in probes:
        rows = units(folder / output, probe)
        firsts, seconds = SHOWN[probe]
        found = 0
        shown = COMPACT_EXAMPLES if output == "report.md" else 10  # report.md (compact) cuts example tables
        for ex in examples(doc, probe)[:shown]:
            for a, b in zip(firsts, seconds):
                if ex.get(a) is None:
                    continue
                together = shown_together(ex[a], ex[b], rows)
                assert together is not False, f"{output}: {probe} shows {ex[a]!r} without {ex[b]!r}"
                found += bool(together)
        assert found, f"{output}: no {probe} example shown with both texts"
        if output == "report.md":
            assert LABELS[probe] in section(folder / output, probe), probe


@pytest.mark.textattack  # the attack's adversarial pairs are among the examples checked
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("stage", ["before-gate", "run"])
def test_every_example_shown_shows_both_texts(pair_run, stage, output):
    doc = json.loads((pair_run / "run" / "results.json").read_text(encoding="utf-8"))
    check(pair_run / stage, doc, output)
    text = html.unescape((pair_run / stage / output).read_text(encoding="utf-8").replace("\\", ""))
    assert "text_pair = column 'hypothesis' (the second text)" in text  # the data names the pair's columns


def test_gate_and_compare_outputs_show_no_example_texts(pair_run):
    """They show metrics and verdicts only: should they ever show examples, both texts must be added
    and checked as above."""
    texts = {t for a, b, _ in pair_rows() for t in (a, b)}
    files = [pair_run / "run" / "gate" / "junit.xml", pair_run / "run" / "gate" / "summary.md",
             *(pair_run / "cmp").glob("compare.*")]
    assert len(files) == 5
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert not [t for t in texts if t in content], path.name
