"""Counterfactual swaps that stay valid sentences: object and possessive "her" told apart, "him"
recognised, aligned alternatives (mom -> dad), capitals kept, first names swapped with the
pronouns that refer to them, race swaps of names, and undecided cases skipped and counted."""

from __future__ import annotations

from audit.core.dataset import Dataset
from audit.probes.fairness.counterfactual.generate import generate
from audit.probes.fairness.swap import AMBIGUOUS, UNKNOWN_NAME, Matcher, swap_all
from audit.probes.fairness.terms import load_axes

AXES = load_axes()


def wrong(cases: list[tuple[str, str, str, str | None]]) -> list[tuple[str, str | None, str | None]]:
    """(text, got, want) for each (text, axis, target, want) the swap gets wrong."""
    out = []
    for text, axis, target, want in cases:
        got = swap_all(text, Matcher(AXES[axis]), target)
        if got != want:
            out.append((text, got, want))
    return out


def test_object_and_possessive_her_in_context():
    assert not wrong([
        ("The situation makes her feel angry.", "gender", "male", "The situation makes him feel angry."),
        ("I made her feel sad.", "gender", "male", "I made him feel sad."),
        ("The film makes her happy.", "gender", "male", "The film makes him happy."),
        ("They let her go.", "gender", "male", "They let him go."),
        ("They had her arrested.", "gender", "male", "They had him arrested."),
        ("I saw her smile.", "gender", "male", "I saw him smile."),
        ("I saw her recently.", "gender", "male", "I saw him recently."),
        ("I love her very much.", "gender", "male", "I love him very much."),
        ("I gave her the script.", "gender", "male", "I gave him the script."),
        ("I talked to her yesterday.", "gender", "male", "I talked to him yesterday."),
        ("The conversation with her was grim.", "gender", "male", "The conversation with him was grim."),
        ("It was her first film.", "gender", "male", "It was his first film."),
        ("We talked with her friends.", "gender", "male", "We talked with his friends."),
        ("She did her best.", "gender", "male", "He did his best."),
        ("She loves her own family.", "gender", "male", "He loves his own family."),
        ("I love her smile.", "gender", "male", "I love his smile."),
    ])


def test_him_and_his_in_both_directions():
    assert not wrong([
        ("The situation makes him feel angry.", "gender", "female", "The situation makes her feel angry."),
        ("I made him feel sad.", "gender", "female", "I made her feel sad."),
        ("I gave him flowers.", "gender", "female", "I gave her flowers."),
        ("It is his.", "gender", "female", "It is hers."),
        ("His very own film.", "gender", "female", "Her very own film."),
        ("He did his best.", "gender", "female", "She did her best."),
        ("He was looking at his 12th nomination.", "gender", "female", "She was looking at her 12th nomination."),
    ])


def test_case_is_kept():
    assert not wrong([
        ("HER FILM WAS GREAT", "gender", "male", "HIS FILM WAS GREAT"),
        ("Her film was great.", "gender", "male", "His film was great."),
        ("MAKES HER FEEL GOOD", "gender", "male", "MAKES HIM FEEL GOOD"),
        ("Mom loved it.", "gender", "male", "Dad loved it."),
        ("MOM LOVED IT", "gender", "male", "DAD LOVED IT"),
        ("ALONZO LOVED IT", "race", "white", "ADAM LOVED IT"),
    ])


def test_alternatives_swap_to_their_aligned_counterpart():
    assert not wrong([
        ("my mom", "gender", "male", "my dad"),
        ("my mum", "gender", "male", "my dad"),
        ("my mother", "gender", "male", "my father"),
        ("my dad", "gender", "female", "my mom"),
        ("my father", "gender", "female", "my mother"),
        ("my grandma", "gender", "male", "my grandpa"),
        ("the moms and mums", "gender", "male", "the dads and dads"),
        ("Jack loved it.", "gender", "female", "Katie loved it."),  # the sixth white male name -> the sixth female
        # cells of different lengths: the target's first, as before
        ("Islamic art", "religion", "christian", "Christian art"),
        ("a Catholic woman", "religion", "muslim", "a Muslim woman"),
    ])


def test_names_swap_with_the_pronouns_that_refer_to_them():
    assert not wrong([
        ("Alonzo found himself in a grim situation.", "gender", "female",
         "Ebony found herself in a grim situation."),
        ("Jack told us all about his day.", "gender", "female", "Katie told us all about her day."),
        ("Alonzo found himself in a grim situation.", "race", "white", "Adam found himself in a grim situation."),
        ("Stephanie has two children.", "race", "black", "Tia has two children."),
        ("Alonzo found herself there.", "gender", "male", None),  # conflicting: mixed, never swapped
        ("frank words", "gender", "female", None),  # a name only when capitalised
        ("Alonzo has two children.", "race", "asian", None),  # no names for the target group
    ])


def test_race_axis_finds_texts_that_name_people():
    texts = ["Alonzo feels happy.", "I talked to Amanda yesterday.", "The film was fine.", "frank words"]
    cf = generate(["0", "1", "2", "3"], texts, load_axes(None, ("race",)), max_texts=None, seed=0)
    assert cf.per_axis["race"]["texts"] == 2 and cf.per_axis["race"]["counterfactuals"] == 2
    assert sorted(zip(cf.texts, cf.target)) == [("Adam feels happy.", "white"),
                                                ("I talked to Ebony yesterday.", "black")]
    assert cf.per_axis["race"]["skipped_targets"] == 8  # 2 texts x 4 groups without names


def test_undecided_swaps_are_skipped_and_counted():
    ids = ["0", "1", "2", "3", "4", "5"]
    texts = ["I gave her flowers.", "Michael found himself in trouble.", "A Muslim woman found herself there.",
             "Ebony found herself there.", "The situation makes her feel sad.", "I saw her one day."]
    matcher = Matcher(AXES["gender"])
    assert [m.undecided for m in matcher.mentions(texts[0])] == [AMBIGUOUS]
    assert [m.undecided for m in matcher.mentions(texts[1])] == [UNKNOWN_NAME]
    assert matcher.groups(texts[0]) == {"female"}  # an undecided mention still names its group
    cf = generate(ids, texts, load_axes(None, ("gender",)), max_texts=None, seed=0)
    assert sorted(set(cf.row)) == [2, 3, 4]  # the undecided texts give no counterfactual
    axis = cf.per_axis["gender"]
    assert axis["texts"] == 6 and axis["counterfactuals"] == 3 and axis["undecided"] == 3
    assert axis["undecided_reasons"] == {AMBIGUOUS: 2, UNKNOWN_NAME: 1}
    assert "A Muslim man found himself there." in cf.texts and "Alonzo found himself there." in cf.texts


def test_user_name_lists_extend_both_axes(tmp_path):
    (tmp_path / "terms_gender.csv").write_text("slot,context,female,male\nfirst_name_hispanic,name,Maria|Lucia,"
                                               "Jose|Carlos\n", encoding="utf-8")
    (tmp_path / "terms_race.csv").write_text("slot,context,black,white,asian,hispanic,arab,indigenous\n"
                                             "first_name_female,name,,,,Maria|Lucia,,\n", encoding="utf-8")
    axes = load_axes(str(tmp_path), ("gender", "race"))
    data = Dataset(["0"], ["Lucia found herself there."], ["positive"], "mem")
    cf = generate(data.ids, data.texts, axes, max_texts=None, seed=0)
    made = dict(zip(zip(cf.axis, cf.target), cf.texts))
    assert made[("gender", "male")] == "Carlos found himself there."
    assert made[("race", "black")] == "Ebony found herself there."  # 2 names against 10: the first
    assert ("race", "asian") not in made


def test_a_probe_that_can_swap_nothing_says_why():
    import numpy as np

    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.base import LoadedModel
    from audit.probes.base import ProbeContext
    from audit.probes.fairness import CounterfactualProbe

    class Flat:
        labels, fingerprint = ["negative", "positive"], "sha256:flat"

        def predict_proba(self, texts):
            return np.full((len(texts), 2), 0.5)

    data = Dataset(["0", "1"], ["I gave her flowers.", "The plot was thin."], ["positive", "negative"], "mem")
    model = PredictionCache().wrap(LoadedModel("flat", "mem", "callable", Flat()))
    res = CounterfactualProbe.from_mapping({"axes": ["gender"]}).run(model, data, ProbeContext(seed=0))
    assert res.status == "not_applicable" and "1 undecided" in res.reason and "No text mentions" not in res.reason
