"""The slices probe's definitions on hand-written texts: each text detector, identity terms and first names (the
fairness term lists), length quantile bins, column values, and which slices and pairs are tested (min_size in and
out, one feature never paired with itself, aliases, the max_pairs cap by size)."""

from __future__ import annotations

import numpy as np
import pytest

from audit.probes.fairness.terms import load_axes
from audit.probes.slices import features
from audit.probes.slices.define import Settings, column_slices, define, identity_slices, length_slices


@pytest.mark.parametrize("text, expected", [
    ("It is not good.", True), ("No way.", True), ("I never liked it", True), ("Nothing works", True),
    ("it does n't work", True), ("it doesn't work", True), ("I can’t stand it", True), ("cannot recommend", True),
    ("It is good.", False), ("Nobel prize", False), ("a notable film", False), ("know it", False),
])
def test_negation(text, expected):
    assert features.negation(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("Is it any good?", True), ("what a film ?", True), ("Why does it drag", True), ("Did they care", True),
    ("Is this the best film of the year", True), ("What a film!", False), ("How wonderful.", False),
    ("It is good.", False), ("Do not watch it.", False), ("", False),
])
def test_question(text, expected):
    assert features.question(text) is expected


@pytest.mark.parametrize("detector, yes, no", [
    ("exclamation", "Wow!", "Wow."),
    ("caps", "This is AWFUL", "I saw it on TV"),  # two letters: an acronym, not shouting
    ("caps", "DON'T watch", "Don't watch"),
    ("digits", "10 out of 10", "ten out of ten"),
    ("url", "see https://example.com/x", "see example dot com"),
    ("url", "www.example.org", "a.b"),
    ("mention", "thanks @studio", "mail me at a@b.c"),
    ("hashtag", "loved it #oscars", "we're #1"),
    ("hashtag", "so #good", "it&#39;s"),
    ("emoji", "loved it 😍", "loved it :)"),
    ("emoji", "sunny ☀ day", "café"),
])
def test_text_detectors(detector, yes, no):
    detect = features.DETECTORS[detector]
    assert detect(yes) is True and detect(no) is False


def test_non_ascii_share_counts_visible_characters():
    assert features.non_ascii_share("café") == pytest.approx(1 / 4)
    assert features.non_ascii_share("a b") == 0.0 and features.non_ascii_share("  ") == 0.0
    assert features.non_ascii_share("日本") == 1.0


def test_words_keep_contractions():
    assert features.words("it 's a does n't-work , film!") == ["it", "s", "a", "does", "n't", "work", "film"]
    assert len(features.words("I can't stand it.")) == 4


def test_identity_slices_follow_the_fairness_matcher():
    axes = load_axes(None, ("religion", "gender"))
    texts = ["A Muslim woman spoke.", "He prayed with the Christians.", "The film was long.", "Ebony laughed.",
             "She smiled at Adam."]
    by_name = {s.name: s.mask.tolist() for s in identity_slices(texts, None, axes)}
    assert by_name["axis:religion"] == [True, True, False, False, False]
    assert by_name["axis:religion=muslim"] == [True, False, False, False, False]
    assert by_name["axis:religion=christian"] == [False, True, False, False, False]
    assert by_name["axis:gender"] == [True, True, False, True, True]
    assert by_name["axis:gender=female"] == [True, False, False, True, True]
    assert by_name["axis:gender=male"] == [False, True, False, False, True]
    assert by_name["names"] == [False, False, False, True, True]  # the EEC first names, capitalised


def test_identity_of_a_sentence_pair_reads_both_texts():
    axes = load_axes(None, ("gender",))
    got = {s.name: s.mask.tolist() for s in identity_slices(["The film.", "A man."], ["She left.", "It rained."], axes)}
    assert got["axis:gender=female"] == [True, False] and got["axis:gender=male"] == [False, True]


def test_length_bins_are_quantiles_cut_at_observed_counts():
    counts = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    bins = length_slices(counts, 4)
    assert [s.name for s in bins] == ["length:q1[1-3 words]", "length:q2[4-6 words]", "length:q3[7-9 words]",
                                      "length:q4[10-12 words]"]
    assert np.array_equal(sum(s.mask.astype(int) for s in bins), np.ones(12, dtype=int))  # a partition
    tied = length_slices(np.array([3] * 10 + [9, 12]), 4)  # cuts tie at 3: fewer bins, none empty
    assert [s.name for s in tied] == ["length:q1[3-3 words]", "length:q2[9-12 words]"]
    assert length_slices(np.array([5, 5, 5]), 4) == [] and length_slices(counts, 0) == []


def test_column_values_and_too_many_values():
    slices, notes = column_slices({"source": ["tw", "rd", None, "tw"], "user": ["a", "b", "c", "d"]}, max_values=3)
    assert [(s.name, s.mask.tolist()) for s in slices] == [("column:source=rd", [False, True, False, False]),
                                                            ("column:source=tw", [True, False, False, True])]
    assert notes == ["column 'user' has 4 distinct values (more than slices.max_values = 3), so it is not sliced"]


def _texts(n: int = 240) -> list[str]:
    """Negation on every third text, a question on every fourth, '!' on every fifth, a digit on every sixteenth;
    lengths 3 to 14 words."""
    out = []
    for i in range(n):
        words = ["word"] * (3 + i % 12)
        if i % 3 == 0:
            words[1] = "not"
        if i % 16 == 0:
            words[2] = "42"
        out.append(" ".join(words) + ("?" if i % 4 == 0 else "") + ("!" if i % 5 == 0 else ""))
    return out


def test_what_is_tested_follows_min_size_in_and_out():
    texts = _texts()
    s = define(texts, None, {}, {"always": ["x"] * 240}, Settings(min_size=20, max_pairs=1000))
    singles = {e["slice"]: e for e in s.summary["singles"]}
    assert (singles["negation"]["n"], singles["question"]["n"], singles["exclamation"]["n"]) == (80, 60, 48)
    assert singles["digits"]["n"] == 15 and not singles["digits"]["tested"]
    assert not singles["column:always=x"]["tested"]  # nothing outside it
    assert "caps" in s.summary["empty"]
    tested = {t.name: t for t in s.tested}
    assert "digits" not in tested and "column:always=x" not in tested and "negation" in tested
    for t in s.tested:  # every tested slice and pair reaches min_size on both sides
        assert 20 <= t.mask.sum() <= 240 - 20
    pairs = [t for t in s.tested if len(t.parts) == 2]
    names = {t.name for t in pairs}
    # negation & question (every twelfth text) holds the same texts as the shortest texts with a negation: tested once
    assert "length:q1[3-5 words] & negation" in names and "negation & question" not in names
    assert all(t.name == " & ".join(t.parts) for t in pairs)
    assert not any(t.parts[0].startswith("length") and t.parts[1].startswith("length") for t in pairs)
    assert not any("column:always=x" in t.parts for t in pairs)  # its intersections equal their other part
    for t in pairs:  # the intersection of its parts
        a, b = (tested[p] for p in t.parts)
        assert np.array_equal(t.mask, a.mask & b.mask)
    assert s.members[0] == ["length:q1[3-5 words]", "negation", "question", "exclamation", "column:always=x"]


def test_a_slice_equal_to_another_is_an_alias_and_pairs_equal_to_a_part_are_dropped():
    texts = ["not " + "w " * (i % 7) + "?" if i < 60 else "w " * (i % 7) for i in range(150)]
    s = define(texts, None, {}, {}, Settings(min_size=30, length_bins=0))
    assert s.summary["aliases"] == {"negation": ["question"]}
    assert [t.name for t in s.tested] == ["negation"]


def test_max_pairs_keeps_the_largest_intersections():
    texts = _texts()
    full = define(texts, None, {}, {}, Settings(min_size=20))
    capped = define(texts, None, {}, {}, Settings(min_size=20, max_pairs=2))
    pairs = [t for t in full.tested if len(t.parts) == 2]
    kept = [t for t in capped.tested if len(t.parts) == 2]
    sizes = sorted((int(t.mask.sum()) for t in pairs), reverse=True)
    assert [int(t.mask.sum()) for t in kept] == sizes[:2]
    assert capped.summary["pairs"]["left_out_by_max_pairs"] == len(pairs) - 2
    assert [t.name for t in define(texts, None, {}, {}, Settings(min_size=20, max_pairs=0)).tested
            if len(t.parts) == 2] == []
