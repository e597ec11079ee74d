"""Counterfactual swaps that stay valid sentences: object and possessive "her" told apart, "him"
recognised, aligned alternatives (mom -> dad), capitals kept, and undecided cases skipped and
counted."""

from __future__ import annotations

from audit.probes.fairness.counterfactual.generate import generate
from audit.probes.fairness.swap import AMBIGUOUS, Matcher, swap_all
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
        # cells of different lengths: the target's first, as before
        ("Islamic art", "religion", "christian", "Christian art"),
        ("a Catholic woman", "religion", "muslim", "a Muslim woman"),
    ])


def test_undecided_swaps_are_skipped_and_counted():
    ids = ["0", "1", "2"]
    texts = ["I gave her flowers.", "I saw her one day.", "The situation makes her feel sad."]
    matcher = Matcher(AXES["gender"])
    assert [m.undecided for m in matcher.mentions(texts[0])] == [AMBIGUOUS]
    assert matcher.groups(texts[0]) == {"female"}  # an undecided mention still names its group
    cf = generate(ids, texts, load_axes(None, ("gender",)), max_texts=None, seed=0)
    assert cf.row == [2] and cf.texts == ["The situation makes him feel sad."]  # undecided texts: no counterfactual
    axis = cf.per_axis["gender"]
    assert axis["texts"] == 3 and axis["counterfactuals"] == 1 and axis["undecided"] == 2
    assert axis["undecided_reasons"] == {AMBIGUOUS: 2}
