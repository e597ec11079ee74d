"""Counterfactuals of the Equity Evaluation Corpus's sentences (Kiritchenko & Mohammad 2018),
rebuilt from its 11 templates, 40 first names and 20 noun phrases (tests/eec_corpus.py). The
EEC is built from templates, so each sentence's correct counterfactual is known: the same
template filled with the counterpart person (the other gender's name of the same race, the other
race's name of the same gender, "my dad" for "my mom", "him" for "her"). Every counterfactual
the probe makes must equal it, and every counterpart must be made.

On the code before the name lists and pronoun rules (main at 82785af) the same check found
1,128 of 3,640 gender counterfactuals wrong ("Alonzo found herself", "makes his feel", "my
father" for "my mom") and 10,760 expected ones missing (no race counterfactual at all, "him"
never swapped)."""

from __future__ import annotations

import pytest
from eec_corpus import check, corpus, counterpart

from audit.probes.fairness.counterfactual.generate import generate
from audit.probes.fairness.terms import load_axes


@pytest.fixture(scope="module")
def eec():
    rows = corpus()
    texts = [r[0] for r in rows]
    cf = generate([str(i) for i in range(len(rows))], texts, load_axes(None, ("gender", "race")), max_texts=None,
                  seed=0)
    return rows, cf


def test_every_eec_counterfactual_equals_the_template_oracle(eec):
    rows, cf = eec
    assert len(rows) == 8640  # 60 persons x (7 templates x 20 words + 4 templates), as in the EEC
    wrong, right = check(cf, rows)
    assert not wrong, f"{len(wrong)} invalid counterfactuals, e.g. {wrong[:5]}"
    assert right == len(cf) == 14400  # 8,640 gender swaps + 5,760 race swaps (the 40 names x 144)


def test_every_eec_counterpart_is_made_and_nothing_is_left_undecided(eec):
    rows, cf = eec
    made = set(zip(cf.row, cf.axis, cf.target))
    missing = [(rows[i][0], axis, target) for i, (_, _, p, _) in enumerate(rows)
               for axis, targets in (("gender", ("female", "male")), ("race", ("black", "white")))
               for target in targets if counterpart(p, axis, target) and (i, axis, target) not in made]
    assert not missing, f"{len(missing)} counterfactuals not made, e.g. {missing[:5]}"
    gender, race = cf.per_axis["gender"], cf.per_axis["race"]
    assert gender["texts"] == 8640 and gender["undecided"] == 0 and gender["mixed"] == 0
    assert race["texts"] == 5760 and race["counterfactuals"] == 5760  # the sentences that name someone
    assert race["skipped_targets"] == 5760 * 4  # asian, hispanic, arab, indigenous: no names, no swap


@pytest.mark.parametrize("text,axis,target,want", [
    ("Alonzo found himself in an annoying situation.", "gender", "female",
     "Ebony found herself in an annoying situation."),
    ("Alonzo found himself in an annoying situation.", "race", "white", "Adam found himself in an annoying situation."),
    ("The situation makes her feel angry.", "gender", "male", "The situation makes him feel angry."),
    ("I made him feel sad.", "gender", "female", "I made her feel sad."),
    ("My mom feels angry.", "gender", "male", "My dad feels angry."),
    ("I talked to Stephanie yesterday.", "race", "black", "I talked to Tia yesterday."),
])
def test_eec_examples(eec, text, axis, target, want):
    rows, cf = eec
    made = {(rows[i][0], a, t): new for i, a, t, new in zip(cf.row, cf.axis, cf.target, cf.texts)}
    assert made[(text, axis, target)] == want
