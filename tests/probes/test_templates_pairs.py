"""The templates probe on sentence pairs: both texts of a case are filled from the same fillers and
groups (checked on every case against the suite's own templates), failure rates match a count
made from direct calls on a pair model, pair and single-text suites and data that do not match
are one-line errors, and a CSV of pair cases infers groups from both texts."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
from pair_fixtures import NLI, OverlapNLI, nli_pairs

from audit.cache import PredictionCache
from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness.templates.probe import TemplatesProbe
from audit.probes.fairness.terms import load_axes

SINGLE = Dataset(ids=["a", "b"], texts=["I liked it.", "I did not."], labels=["positive", "negative"], source="t")


def cached(clf, name="overlap"):
    return PredictionCache().wrap(LoadedModel(name, "mem", "callable", clf, {}))


def _choices(body: str, suite, axes) -> str:
    """Every value a placeholder may take (any group's term, any filler), longest first."""
    axis, _, slot = body.partition(".")
    values = [t[0] for t in axes[axis].slot(slot).terms.values() if t] if slot else list(suite.fillers[axis])
    return "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))


def _pattern(templates, suite, axes) -> re.Pattern:
    """A regex for the texts joined by \\x00 from their templates: a placeholder's first use captures
    one of its values, every later use (in any text) must repeat it; an article may read a or an."""
    seen: set[str] = set()
    out = []
    for part in re.split(r"(\{[^{}]+\})", "\x00".join(templates)):
        if part.startswith("{"):
            name = part[1:-1].replace(".", "__")
            out.append(f"(?P={name})" if name in seen else f"(?P<{name}>{_choices(part[1:-1], suite, axes)})")
            seen.add(name)
        else:
            out.append("".join("[Aa]n?" if w.lower() == "a" else re.escape(w) for w in re.split(r"(\b[Aa]\b)", part)))
    return re.compile("".join(out), re.IGNORECASE)


def test_every_case_fills_both_texts_with_the_same_fillers_and_groups():
    probe = TemplatesProbe.from_mapping({"suite": "inference", "max_sets": 1000})
    suite, axes = probe.suite, load_axes(None)
    cases = probe.cases(0, suite)
    assert suite.pair and cases.pairs is not None and len(cases.pairs) == len(cases) > 200
    assert {"base", "perturbed"} <= set(cases.role)  # DIR tests too: a base pair, then its perturbed pair
    for i in range(len(cases)):
        if cases.role[i] == "perturbed":
            continue  # checked with its base: all four texts from the same fillers and groups
        test = suite.tests[cases.test[i]]
        assert cases.role[i] == ("base" if test.type == "DIR" else "case")
        texts = cases.inputs[i]
        if test.type == "DIR":
            assert cases.role[i + 1] == "perturbed" and cases.unit[i + 1] == cases.unit[i]
            assert cases.groups[i + 1] == cases.groups[i] and cases.match[i + 1] == cases.match[i]
            texts += cases.inputs[i + 1]
        matches = [m for t in test.templates if (m := _pattern(t, suite, axes).fullmatch("\x00".join(texts)))]
        assert matches, f"case {i} fits none of {test.name}'s templates: {texts}"
        values = matches[0].groupdict()
        for key, value in values.items():
            axis, _, slot = key.partition("__")
            if slot:  # an identity term: the case's group's term, the same in every text
                assert value.lower() == axes[axis].slot(slot).terms[cases.groups[i][axis]][0].lower(), (i, key)
            else:
                assert value.lower() in [v.lower() for v in suite.fillers[axis]], (i, key)
        assert set(cases.groups[i]) == {k.partition("__")[0] for k in values if "__" in k}


def test_failure_rates_match_direct_calls_on_a_pair_model():
    model = OverlapNLI(0.5)
    probe = TemplatesProbe.from_mapping({"max_sets": 4, "bootstrap": 0, "permutations": 20})  # default suite on pairs
    res = probe.run(cached(model), nli_pairs(), ProbeContext(seed=3))
    assert res.status == "ok" and res.details["suite"]["name"] == "inference" and res.details["suite"]["pair"]
    cases = probe.cases(3, probe.pair_suite)
    assert model.seen and set(model.seen) <= set(cases.inputs)  # the model was asked about pairs only
    proba = OverlapNLI(0.5).predict_proba(cases.inputs)  # a fresh model
    pred = np.array([NLI[j] for j in proba.argmax(1)])
    rates = {}
    for ti, test in enumerate(probe.pair_suite.tests):
        rows = [i for i in range(len(cases)) if cases.test[i] == ti]
        if test.type == "MFT":
            fails = [pred[i] != test.label for i in rows]
        elif test.type == "DIR":  # a base pair, then its perturbed pair: the class moves the wrong way by > 0.1
            sign = 1 if test.direction == "up" else -1
            j = NLI.index(test.label)
            fails = [sign * (proba[i + 1, j] - proba[i, j]) < -0.1 for i in rows if cases.role[i] == "base"]
        else:  # INV: a set (the same fillers, every group) fails when its predictions differ
            sets: dict[int, set] = {}
            for i in rows:
                sets.setdefault(cases.unit[i], set()).add(pred[i])
            fails = [len(s) > 1 for s in sets.values()]
        rates[test.name] = float(np.mean(fails))
        assert res.metrics[f"failure_rate/{test.name}"].value == pytest.approx(rates[test.name], abs=1e-12)
    assert res.metrics["failure_rate"].value == pytest.approx(np.mean(list(rates.values())), abs=1e-12)
    assert 0 < rates["identity_premise_contradicts"] < 1  # overlap misses some contradictions, not all
    assert res.examples and all(e["text_pair"] for e in res.examples)
    inputs = set(cases.inputs)
    assert all((e["text"], e["text_pair"]) in inputs for e in res.examples)
    assert all((e["perturbed"], e["perturbed_pair"]) in inputs for e in res.examples if e["type"] == "DIR")


def test_pair_and_single_text_mismatches_are_one_line_errors(tmp_path):
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": "inference"}).not_applicable_to(SINGLE)
    assert str(err.value) == ("templates suite 'inference' has two texts per case (template_pair, or a text_pair "
                              "column) but the data has one text per row; use a single-text suite (sentiment, "
                              "toxicity) or audit pair data (--text-pair-col).")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": "sentiment"}).run(cached(OverlapNLI()), nli_pairs(), ProbeContext(seed=0))
    assert str(err.value) == ("templates suite 'sentiment' has one text per case but the data are sentence pairs; use "
                              "a pair suite (inference, a .yaml with template_pair, a .csv with a text_pair column) or "
                              "leave suite unset.")
    table = tmp_path / "cases.csv"
    table.write_text("premise,label\nA woman reads.,entailment\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(table), "columns": {"text_pair": "hypothesis"}})
    assert str(err.value) == (f"{table}: column 'hypothesis' (templates.columns text_pair) not found; columns: "
                              "premise, label.")
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text('labels: [contradiction, entailment]\ntests:\n  - name: t\n    type: MFT\n    label: entailment\n'
                     '    templates:\n      - template: "A {gender.person} reads."\n        template_pair: "Someone '
                     'reads."\n      - "A {gender.person} sleeps."\n', encoding="utf-8")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(mixed)})
    assert str(err.value) == (f"Template suite {mixed}, test 't': template 'A {{gender.person}} sleeps.' has no "
                              "template_pair but others in this suite have one; give every template a template_pair "
                              "(a pair suite) or none.")


def test_a_csv_of_pair_cases_reads_both_texts_and_infers_groups_from_either(tmp_path):
    table = tmp_path / "pairs.csv"
    table.write_text("premise,hypothesis,label\n"
                     "A woman is reading a book.,She is reading.,entailment\n"
                     "A man is reading a book.,He is reading.,entailment\n"
                     "Someone is cooking.,A woman is cooking.,contradiction\n", encoding="utf-8")
    probe = TemplatesProbe.from_mapping({"suite": str(table), "bootstrap": 0, "permutations": 10})
    assert probe.suite.pair and probe.suite.cases.pairs == ["She is reading.", "He is reading.", "A woman is cooking."]
    assert [g.get("gender") for g in probe.suite.cases.groups] == ["female", "male", "female"]
    model = OverlapNLI(0.5)
    res = probe.run(cached(model), nli_pairs(), ProbeContext(seed=0))
    pred = [NLI[j] for j in OverlapNLI(0.5).predict_proba(probe.suite.cases.inputs).argmax(1)]
    expected = np.mean([p != y for p, y in zip(pred, ["entailment", "entailment", "contradiction"])])
    assert res.metrics["failure_rate"].value == pytest.approx(expected, abs=1e-12)
    with pytest.raises(AuditError, match="has two texts per case"):
        probe.not_applicable_to(SINGLE)


def test_audit_run_on_pairs_uses_the_inference_suite_or_stops_on_a_single_text_suite(tmp_path, monkeypatch):
    """End to end through the CLI: no suite chosen -> the inference suite on pairs, with both texts
    in the records; a single-text suite on pairs -> exit code 2 and the one-line error."""
    from click.testing import CliRunner

    from audit.cli import main

    (tmp_path / "overlap_pairs.py").write_text(
        "from pair_fixtures import OverlapNLI\n_m = OverlapNLI()\n\n\ndef predict(pairs):\n"
        "    return _m.predict_proba(pairs)\n\n\npredict.labels = _m.labels\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    data = nli_pairs()
    path = tmp_path / "nli.jsonl"
    path.write_text("".join(f'{{"premise": "{a}", "hypothesis": "{b}", "label": "{y}"}}\n'
                            for a, b, y in zip(data.texts, data.text_pairs, data.labels)), encoding="utf-8")
    base = ["run", "--model", "nli=overlap_pairs:predict", "--data", str(path), "--probe", "templates", "-q"]
    res = CliRunner().invoke(main, base + ["--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    result = next(p for p in doc["probes"] if p["name"] == "templates")["results"]["nli"]
    assert result["status"] == "ok" and result["details"]["suite"]["name"] == "inference"
    assert result["examples"] and all(e["text"] and e["text_pair"] for e in result["examples"])
    config = tmp_path / "audit.yaml"
    config.write_text("probes:\n  templates:\n    suite: sentiment\n", encoding="utf-8")
    res = CliRunner().invoke(main, base + ["--config", str(config), "--out", str(tmp_path / "out2")])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1] == (
        "Error: templates suite 'sentiment' has one text per case but the data are sentence pairs; use a pair suite "
        "(inference, a .yaml with template_pair, a .csv with a text_pair column) or leave suite unset.")
    sys.modules.pop("overlap_pairs", None)


@pytest.mark.parametrize("entry, kind, message", [
    ('{template: "A {gender.person} reads.", template_pair: "Someone reads."}', "DIR",
     "Template suite {path}, test 't': a DIR template in a pair suite must be a mapping with the strings template and "
     "template_pair (the base) and perturbed and/or perturbed_pair (the changed texts; one left out stays as its "
     "base); got {'template': 'A {gender.person} reads.', 'template_pair': 'Someone reads.'}."),
    ('{template: "A {gender.person} reads."}', "MFT",
     "Template suite {path}, test 't': a pair template must be a mapping with exactly the strings template and "
     "template_pair (perturbed and perturbed_pair belong to DIR tests); got {'template': 'A {gender.person} reads.'}."),
])
def test_malformed_pair_templates_are_one_line_errors(tmp_path, entry, kind, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"labels: [contradiction, entailment]\ntests:\n  - name: t\n    type: {kind}\n"
                    f"    label: entailment\n    direction: up\n    templates:\n      - {entry}\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(path)})
    assert str(err.value) == message.replace("{path}", str(path))
