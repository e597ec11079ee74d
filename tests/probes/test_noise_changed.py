"""Noise rates over the texts a perturbation changed, against a hand count: a negation model on texts of
which 12 of 35 hold a contraction site ("is not" -> "isn't"), so contractions change 12 texts and flip 7;
the all-text rates stay under their names; 0 flips of 35 read [0, 0.100], not [0, 0]; the gate finds both
kinds of names. (The report side: tests/reports/test_report_noise_changed.py.)"""

from __future__ import annotations

import dataclasses

import negation_texts
import numpy as np
import pytest
from negation_texts import CFG, LABELS, TEXTS, Negation

from audit.core.seeding import rng_for
from audit.gate.metric_lookup import registry_specs, split_metric
from audit.probes.noise import catalog
from audit.stats import proportion_interval


@pytest.fixture(scope="module")
def run():
    return negation_texts.run()


def test_changed_and_all_text_rates_equal_a_hand_count(run):
    data, res = run
    m, n = res.metrics, len(TEXTS)
    contraction = catalog.build(("contraction",), {})["contraction"]
    noisy = [contraction(t, rng_for(0, "noise", "contraction", "0.5", i), 0.5) for i, t in zip(data.ids, TEXTS)]
    changed = np.array([a != b for a, b in zip(noisy, TEXTS)])
    clf = Negation()
    gold = np.array([clf.labels.index(y) for y in LABELS])
    clean, pert = clf.predict_proba(TEXTS).argmax(1), clf.predict_proba(noisy).argmax(1)
    flips, ok_clean, ok_pert = pert != clean, clean == gold, pert == gold
    assert changed.sum() == 12 and flips.sum() == 7 and not flips[~changed].any()  # what the texts were built for
    key = "contraction@0.5"
    assert m[f"flip_rate/{key}"].value == pytest.approx(flips.mean()) == pytest.approx(7 / 35)
    assert m[f"changed_flip_rate/{key}"].value == pytest.approx(flips[changed].mean()) == pytest.approx(7 / 12)
    assert m[f"accuracy_drop/{key}"].value == pytest.approx(ok_clean.mean() - ok_pert.mean()) == pytest.approx(7 / 35)
    drop = ok_clean[changed].mean() - ok_pert[changed].mean()
    assert m[f"changed_accuracy_drop/{key}"].value == pytest.approx(drop) == pytest.approx(7 / 12)
    assert m[f"changed_flip_rate/{key}"].value > m[f"flip_rate/{key}"].value  # few texts touched: higher
    assert m[f"changed_flip_rate/{key}"].ci == pytest.approx(proportion_interval(7, 12))
    assert m[f"flip_rate/{key}"].ci == pytest.approx(proportion_interval(7, n))
    cell = next(c for c in res.details["cells"] if c["key"] == key)
    assert (cell["n"], cell["changed"], cell["flips"], cell["changed_flips"]) == (n, 12, 7, 7)
    assert cell["changed_clean_accuracy"] == 1.0 and cell["changed_accuracy"] == pytest.approx(5 / 12)
    # headlines: contraction is the only cell with a drop; its changed-text figure is the maximum
    assert m["max_changed_accuracy_drop"].value == pytest.approx(7 / 12)
    assert m["max_accuracy_drop"].value == pytest.approx(7 / 35)  # the all-text name keeps its meaning
    assert m["mean_flip_rate"].value == pytest.approx((7 / 35 + 0 + 0) / 3)
    assert m["mean_changed_flip_rate"].value == pytest.approx((7 / 12 + 0) / 2)  # lower changed nothing: left out
    assert res.details["max_changed_drop"] == {"key": key, "perturbation": "contraction", "severity": 0.5,
                                               "changed_accuracy_drop": pytest.approx(7 / 12), "n": n, "changed": 12}
    for name in ("max_changed_accuracy_drop", "mean_changed_flip_rate", "max_accuracy_drop", "mean_flip_rate"):
        lo, hi = m[name].ci
        assert lo <= m[name].value <= hi and hi > lo


def test_no_flip_of_35_is_not_a_point_and_no_change_is_no_rate(run):
    _, res = run
    m = res.metrics
    for name in ("flip_rate/upper@0.5", "changed_flip_rate/upper@0.5", "flip_rate/lower@0.5"):
        assert m[name].value == 0.0
        lo, hi = m[name].ci
        assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / 35)) and hi == pytest.approx(0.1000, abs=1e-4)
    lo, hi = m["accuracy_drop/upper@0.5"].ci  # nothing flipped: still an interval around 0
    assert lo < 0 < hi
    for name in ("changed_flip_rate/lower@0.5", "changed_accuracy_drop/lower@0.5"):  # texts already lower case
        assert m[name].value is None and m[name].ci is None
    assert res.as_dict()["metrics"]["changed_flip_rate/lower@0.5"] == {"value": None, "ci": None,
                                                                       "higher_is_better": False}


def test_small_cells_are_left_out_of_the_changed_headlines():
    _, strict = negation_texts.run(dataclasses.replace(CFG, min_changed=13))
    assert strict.metrics["max_changed_accuracy_drop"].value == 0.0  # only upper (35 changed) qualifies
    assert strict.metrics["changed_accuracy_drop/contraction@0.5"].value == pytest.approx(7 / 12)  # still reported


def test_gate_names_keep_their_meaning_and_the_changed_ones_resolve():
    specs = registry_specs()
    for name in ("noise.max_accuracy_drop", "noise.mean_flip_rate", "noise.max_changed_accuracy_drop",
                 "noise.mean_changed_flip_rate", "noise.changed_flip_rate/typo@0.1",
                 "noise.changed_accuracy_drop/second/typo@0.1"):
        assert split_metric(name, specs) is not None, name
    spec = split_metric("noise.changed_flip_rate/typo@0.1", specs)[1]
    assert spec["name"] == "changed_flip_rate/{perturbation}@{severity}"
    assert split_metric("noise.flip_rate/typo@0.1", specs)[1]["name"] == "flip_rate/{perturbation}@{severity}"
