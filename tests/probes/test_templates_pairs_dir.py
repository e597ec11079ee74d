"""DIR tests on sentence pairs: a pair template's perturbed / perturbed_pair (a side left out stays
as its base), all four texts filled alike, probability moves checked against deltas worked out by
hand from the word-overlap classifier of tests/overlap_nli.py, failing cases showing both texts
base and perturbed, the built-in inference suite's DIR tests, and malformed pair DIR tests."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from pair_fixtures import nli_pairs

from audit.cache import PredictionCache
from audit.core.errors import AuditError
from audit.models.base import LoadedModel
from audit.probes.base import ProbeContext
from audit.probes.fairness.templates.probe import TemplatesProbe

SUITE = """labels: [contradiction, entailment]
fillers: {thing: [book, letter]}
tests:
  - name: negation
    type: DIR
    label: entailment
    direction: down
    templates:
      - template: "a {gender.person} reads a {thing} at home"
        template_pair: "a {gender.person} reads a {thing}"
        perturbed_pair: "nobody reads a {thing}"
  - name: contradicting_detail
    type: DIR
    label: contradiction
    direction: up
    templates:
      - template: "a {gender.person} reads a {thing}"
        template_pair: "the {gender.person} reads a {thing} at home"
        perturbed: "a {gender.person} reads a {thing} in the park and not at home"
  - name: both_sides
    type: DIR
    label: entailment
    direction: up
    templates:
      - template: "a {gender.person} reads"
        template_pair: "the {gender.person} reads a {thing} at home"
        perturbed: "a {gender.person} reads a {thing} at home"
        perturbed_pair: "the {gender.person} reads a {thing}"
"""
NLI = ["contradiction", "entailment", "neutral"]


def p(share: float) -> np.ndarray:
    """overlap_nli's probabilities for a hypothesis whose words are ``share`` in the premise."""
    return (np.array([1 - share, share, 0.5]) + 1e-3) / 1.503


# (class, probability before, after) per test, the shares counted by hand from the texts above
HAND = {"negation": (1, p(4 / 4), p(3 / 4)),  # {a, woman, reads, book} -> {nobody, reads, a, book}: 3 of 4
        "contradicting_detail": (0, p(4 / 7), p(7 / 7)),  # 'the', 'at', 'home' now in the premise
        "both_sides": (1, p(3 / 7), p(4 / 5))}


class Overlap:
    labels = NLI
    fingerprint = "sha256:overlap-nli"

    def predict_proba(self, pairs):
        import overlap_nli

        return overlap_nli.predict(pairs)


def run(probe, seed=0):
    model = PredictionCache().wrap(LoadedModel("overlap", "mem", "callable", Overlap()))
    return probe.run(model, nli_pairs(), ProbeContext(seed=seed))


@pytest.fixture()
def suite_file(tmp_path):
    path = tmp_path / "dir.yaml"
    path.write_text(SUITE, encoding="utf-8")
    return path


def test_parsing_keeps_the_base_of_a_side_left_out(suite_file):
    suite = TemplatesProbe.from_mapping({"suite": str(suite_file)}).suite
    assert suite.pair and [(t.type, t.label, t.direction) for t in suite.tests] == [
        ("DIR", "entailment", "down"), ("DIR", "contradiction", "up"), ("DIR", "entailment", "up")]
    negation, detail, _ = suite.tests
    assert negation.templates == (("a {gender.person} reads a {thing} at home", "a {gender.person} reads a {thing}",
                                   "a {gender.person} reads a {thing} at home", "nobody reads a {thing}"),)
    assert detail.templates[0][1] == detail.templates[0][3] == "the {gender.person} reads a {thing} at home"


def test_expansion_fills_all_four_texts_alike(suite_file):
    probe = TemplatesProbe.from_mapping({"suite": str(suite_file)})
    cases = probe.cases(0)
    rows = [(cases.role[i], cases.inputs[i], cases.groups[i]) for i in range(len(cases)) if cases.test[i] == 2]
    assert rows == [
        ("base", ("A woman reads", "The woman reads a book at home"), {"gender": "female"}),
        ("perturbed", ("A woman reads a book at home", "The woman reads a book"), {"gender": "female"}),
        ("base", ("A man reads", "The man reads a book at home"), {"gender": "male"}),
        ("perturbed", ("A man reads a book at home", "The man reads a book"), {"gender": "male"}),
        ("base", ("A woman reads", "The woman reads a letter at home"), {"gender": "female"}),
        ("perturbed", ("A woman reads a letter at home", "The woman reads a letter"), {"gender": "female"}),
        ("base", ("A man reads", "The man reads a letter at home"), {"gender": "male"}),
        ("perturbed", ("A man reads a letter at home", "The man reads a letter"), {"gender": "male"})]
    first = [cases.inputs[i] for i in range(len(cases)) if cases.test[i] == 0][:2]
    assert first == [("A woman reads a book at home", "A woman reads a book"),
                     ("A woman reads a book at home", "Nobody reads a book")]  # the premise left as it was
    assert cases.units == 12 and len(cases) == 24


@pytest.mark.parametrize("tolerance, failing", [(0.1, {"contradicting_detail"}), (0.3, set())])
def test_outcomes_match_deltas_worked_out_by_hand(suite_file, tolerance, failing):
    probe = TemplatesProbe.from_mapping({"suite": str(suite_file), "dir_tolerance": tolerance, "bootstrap": 0,
                                         "permutations": 10})
    res = run(probe)
    deltas = {name: after[j] - before[j] for name, (j, before, after) in HAND.items()}
    assert deltas["negation"] == pytest.approx(-0.25 / 1.503) and deltas["both_sides"] == pytest.approx(13 / 35 / 1.503)
    assert deltas["contradicting_detail"] == pytest.approx(-(3 / 7) / 1.503)  # -0.285: the wrong way
    for name in HAND:
        assert res.metrics[f"failure_rate/{name}"].value == (1.0 if name in failing else 0.0), name
    assert res.metrics["dir_failure_rate"].value == pytest.approx(len(failing) / 3)
    assert res.metrics["group_failure_rate/gender/female"].value == pytest.approx(len(failing) / 3)
    assert len(res.examples) == 4 * len(failing)
    for e in res.examples:  # both texts, base and perturbed, with the hand delta
        assert e["text"] in ("A woman reads a book", "A man reads a letter", "A man reads a book",
                             "A woman reads a letter")
        thing = e["text"].split()[-1]
        assert e["text_pair"] == e["perturbed_pair"] == f"The {e['text'].split()[1]} reads a {thing} at home"
        assert e["perturbed"] == f"{e['text']} in the park and not at home"
        assert (e["label"], e["direction"]) == ("contradiction", "up")
        assert e["change"] == pytest.approx(deltas["contradicting_detail"], abs=1e-12)


def test_builtin_inference_suite_dir_tests_on_an_overlap_model():
    """Overlap passes negation (it adds a word) and contradicting details, and fails the weakened
    premise exactly where the base premise reads "an" (an American teacher), a word the hypothesis
    ("a teacher") lacks: the perturbed premise has "a" and overlap rises by a fifth of the words."""
    probe = TemplatesProbe.from_mapping({"suite": "inference", "bootstrap": 0, "permutations": 10, "max_sets": 1000})
    res = run(probe)
    import overlap_nli

    cases, tests = probe.cases(0), probe.suite.tests
    dirs = {t.name: t for t in tests if t.type == "DIR"}
    assert set(dirs) == {"negated_hypothesis_lowers_entailment", "weakened_premise_lowers_entailment",
                         "contradicting_detail_raises_contradiction"}
    changed = {(x[0] != x[2], x[1] != x[3]) for t in dirs.values() for x in t.templates}
    assert changed == {(True, False), (False, True), (True, True)}  # the premise, the hypothesis, or both
    base = [i for i in range(len(cases)) if cases.role[i] == "base"]
    proba = overlap_nli.predict([cases.inputs[i] for i in base] + [cases.inputs[i + 1] for i in base])
    for name, test in dirs.items():
        rows = [k for k, i in enumerate(base) if tests[cases.test[i]].name == name]
        j = NLI.index(test.label)
        delta = proba[len(base) + np.array(rows), j] - proba[rows, j]
        fails = delta > 0.1 if test.direction == "down" else delta < -0.1
        assert res.metrics[f"failure_rate/{name}"].value == pytest.approx(fails.mean(), abs=1e-12)
        expected = [" an " in cases.texts[base[k]] and name.startswith("weakened") for k in rows]
        assert fails.tolist() == expected, name
    shown = [e for e in res.examples if e["type"] == "DIR"]
    assert shown and all(" an " in e["text"] and "wants to become" in e["perturbed"] for e in shown)
    assert all(e["text_pair"] == e["perturbed_pair"] for e in shown)


def test_builtin_inference_suite_reads_grammatically_in_every_text():
    cases = TemplatesProbe.from_mapping({"suite": "inference", "max_sets": 1000}).cases(0)
    texts = cases.texts + (cases.pairs or [])
    assert len(texts) == 2 * len(cases) > 1000
    for t in texts:
        assert t[0].isupper() and t.endswith(".") and "{" not in t and "  " not in t, t
        assert not re.search(r"\b[Aa] [aeiouAEIOU]|\b[Aa]n [b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z]", t), t


BASE = 'template: "A {gender.person} reads.", template_pair: "Someone reads."'
SHAPE = ("a DIR template in a pair suite must be a mapping with the strings template and template_pair (the base) "
         "and perturbed and/or perturbed_pair (the changed texts; one left out stays as its base); got ")


@pytest.mark.parametrize("kind, entry, message", [
    ("DIR", f"{{{BASE}, perturbed_hypothesis: Nobody reads.}}",
     SHAPE + "{'template': 'A {gender.person} reads.', 'template_pair': 'Someone reads.', "
             "'perturbed_hypothesis': 'Nobody reads.'}."),
    ("DIR", f'{{{BASE}, perturbed_pair: ""}}',
     SHAPE + "{'template': 'A {gender.person} reads.', 'template_pair': 'Someone reads.', 'perturbed_pair': ''}."),
    ("DIR", f'[{{{BASE}}}, {{{BASE}}}]',
     SHAPE + "[{'template': 'A {gender.person} reads.', 'template_pair': 'Someone reads.'}, "
             "{'template': 'A {gender.person} reads.', 'template_pair': 'Someone reads.'}]."),
    ("DIR", f'{{{BASE}, perturbed_pair: "Someone reads."}}',
     "DIR template {'template': 'A {gender.person} reads.', 'template_pair': 'Someone reads.', 'perturbed_pair': "
     "'Someone reads.'} changes neither text; give perturbed or perturbed_pair a text that differs from its base."),
    ("DIR", f'{{{BASE}, perturbed_pair: "No {{gender.person}} {{verb}}."}}',
     "template 'No {gender.person} {verb}.' uses unknown placeholder '{verb}'; define it under fillers, or use an "
     "identity slot such as {religion.adjective}."),
    ("MFT", f'{{{BASE}, perturbed_pair: "Nobody reads."}}',
     "a pair template must be a mapping with exactly the strings template and template_pair (perturbed and "
     "perturbed_pair belong to DIR tests); got {'template': 'A {gender.person} reads.', 'template_pair': 'Someone "
     "reads.', 'perturbed_pair': 'Nobody reads.'}."),
])
def test_malformed_pair_dir_tests_are_one_line_errors(tmp_path, kind, entry, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"labels: [contradiction, entailment]\ntests:\n  - name: t\n    type: {kind}\n"
                    f"    label: entailment\n    direction: down\n    templates:\n      - {entry}\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(path)})
    assert str(err.value) == f"Template suite {path}, test 't': {message}"
    assert "\n" not in str(err.value)


def test_single_text_dir_templates_in_a_pair_suite_name_the_pair_syntax(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text('labels: [contradiction, entailment]\ntests:\n  - name: m\n    type: MFT\n    label: entailment\n'
                    f'    templates: [{{{BASE}}}]\n  - name: d\n    type: DIR\n    label: entailment\n'
                    '    direction: down\n    templates: [["A {gender.person} reads.", "A {gender.person} sleeps."]]\n',
                    encoding="utf-8")
    with pytest.raises(AuditError) as err:
        TemplatesProbe.from_mapping({"suite": str(path)})
    assert str(err.value) == (f"Template suite {path}, test 'd': " + SHAPE +
                              "['A {gender.person} reads.', 'A {gender.person} sleeps.'].")


def test_cli_stops_on_a_malformed_pair_dir_test_with_exit_2(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from audit.cli import main

    (tmp_path / "overlap_cli.py").write_text("from overlap_nli import predict  # noqa: F401\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    data = nli_pairs()
    path = tmp_path / "nli.jsonl"
    path.write_text("".join(f'{{"premise": "{a}", "hypothesis": "{b}", "label": "{y}"}}\n'
                            for a, b, y in zip(data.texts, data.text_pairs, data.labels)), encoding="utf-8")
    suite = tmp_path / "bad.yaml"
    suite.write_text(f"labels: [contradiction, entailment]\ntests:\n  - name: t\n    type: DIR\n    label: entailment\n"
                     f"    direction: down\n    templates:\n      - {{{BASE}}}\n", encoding="utf-8")
    config = tmp_path / "audit.yaml"
    config.write_text(f"probes:\n  templates:\n    suite: {suite}\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", "--model", "nli=overlap_cli:predict", "--data", str(path), "--probe",
                                    "templates", "-q", "--config", str(config), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert res.output.strip().splitlines()[-1] == (f"Error: Template suite {suite}, test 't': " + SHAPE +
                                                   "{'template': 'A {gender.person} reads.', 'template_pair': "
                                                   "'Someone reads.'}.")
    sys.modules.pop("overlap_cli", None)
