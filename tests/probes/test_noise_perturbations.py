"""Each noise perturbation keeps its contract: the share of the text it may touch, what it may
change, identity at severity 0, and outputs fixed by (seed, perturbation, severity, example id)."""

from __future__ import annotations

import math
import string
from collections import Counter

import numpy as np
import pytest

from audit.core.errors import AuditError
from audit.probes.noise import catalog, chars, surface
from audit.probes.noise.apply import perturb_dataset, perturb_text
from audit.probes.noise.common import BAD_SEVERITY, budget
from audit.probes.noise.lexicon import CONTRACTIONS, SPELLINGS, load_synonyms, toggles

TEXTS = [
    "it 's a charming and often affecting journey . ",
    "The plot doesn't work, but I'm glad I saw it at the theatre!",
    "UNFLINCHINGLY bleak and desperate",
    "Straße, naïve café — 10 out of 10 \U0001F525 #film",
    "ok",
    "the movie was bad , the acting was awful and the story is not good .\nstill , i liked the music .",
    "Mr. O'Neil's cameo (1999) was clever; the ending? Predictable.",
]
PERTURB = catalog.build(catalog.NAMES, load_synonyms())
SEVERITIES = (0.05, 0.1, 0.3, 1.0)


def run(name: str, text: str, severity: float, seed: int = 0) -> str:
    return PERTURB[name](text, np.random.default_rng(seed), severity)


def outputs(name: str):
    for text in TEXTS:
        for s in SEVERITIES:
            for seed in range(3):
                yield text, s, run(name, text, s, seed)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def is_subsequence(small: list, big: list) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def test_budget_is_ceil_of_the_share():
    assert budget(30, 0.1) == 3 and budget(31, 0.1) == 4 and budget(10, 0.05) == 1
    assert budget(10, 0) == 0 and budget(0, 0.5) == 0 and budget(7, 1) == 7


@pytest.mark.parametrize("name", catalog.NAMES)
def test_severity_zero_is_identity_and_same_seed_same_output(name):
    for text in TEXTS:
        assert run(name, text, 0.0) == text
        assert run(name, text, 0.3, seed=5) == run(name, text, 0.3, seed=5)


@pytest.mark.parametrize("name", catalog.NAMES)
@pytest.mark.parametrize("severity", [-0.1, 1.5, float("nan"), True])
def test_severity_outside_unit_interval_is_an_audit_error(name, severity):
    with pytest.raises(AuditError) as err:
        run(name, TEXTS[0], severity)
    assert str(err.value) == BAD_SEVERITY.format(value=severity)


@pytest.mark.parametrize("name", ["typo", "char_swap", "char_insert", "char_delete", "ocr", "homoglyph", "invisible",
                                  "whitespace"])
def test_character_noise_stays_within_its_edit_budget(name):
    changed = 0
    for text, s, out in outputs(name):
        assert levenshtein(text, out) <= math.ceil(round(s * len(text), 9)), (text, s, out)
        changed += out != text
    assert changed > 0


def test_typo_uses_keyboard_neighbours_and_homoglyph_confusables():
    for text, _, out in outputs("typo"):
        assert len(out) == len(text)
        for a, b in zip(text, out):
            assert a == b or b.lower() in chars.KEY_NEIGHBOURS[a.lower()]
    for text, _, out in outputs("homoglyph"):
        assert len(out) == len(text)
        assert all(a == b or b in chars.HOMOGLYPHS[a] for a, b in zip(text, out))


def test_invisible_characters_leave_the_visible_text_equal():
    for text, s, out in outputs("invisible"):
        assert "".join(c for c in out if c not in chars.INVISIBLE) == text
        assert len(out) - len(text) == math.ceil(round(s * len(text), 9))


def test_whitespace_noise_changes_no_visible_character():
    for text, _, out in outputs("whitespace"):
        assert "".join(out.split()) == "".join(text.split())


@pytest.mark.parametrize("name", ["upper", "lower", "title", "random_case"])
def test_casing_changes_nothing_but_case(name):
    for text, s, out in outputs(name):
        assert len(out) == len(text)
        assert all(a == b or a.lower() == b.lower() for a, b in zip(text, out)), (text, out)
        if name == "random_case":
            letters = sum(c.isalpha() and len(c.swapcase()) == 1 and c.swapcase() != c for c in text)
            assert sum(a != b for a, b in zip(text, out)) <= budget(letters, s)
        else:
            words = list(zip(text.split(), out.split()))
            assert sum(a != b for a, b in words) <= budget(len(words), s)
    assert run("upper", "a b c d", 1.0) == "A B C D" and run("lower", "Straße IS", 1.0) == "straße is"
    assert run("title", "the END", 1.0) == "The End" and run("upper", "straße", 1.0) == "STRAßE"


def test_word_drop_removes_at_most_its_share_and_keeps_order():
    for text, s, out in outputs("word_drop"):
        before, after = text.split(), out.split()
        assert is_subsequence(after, before) and after
        assert len(before) - len(after) <= budget(len(before), s)
    assert run("word_drop", "one two three four", 1.0).split() != []


def test_word_repeat_and_local_shuffle():
    for text, s, out in outputs("word_repeat"):
        before, after = text.split(), out.split()
        assert is_subsequence(before, after) and len(after) - len(before) <= budget(len(before), s)
        assert not Counter(after) - Counter(before + before)
    for text, s, out in outputs("word_shuffle"):
        before, after = text.split(), out.split()
        assert sorted(before) == sorted(after)
        moved = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        assert not moved or moved[-1] - moved[0] < budget(len(before), s)
    assert run("word_shuffle", "alpha beta", 1.0) == "beta alpha"


def test_synonym_swap_only_uses_pairs_from_the_source(tmp_path):
    source = tmp_path / "pairs.txt"
    source.write_text("movie film\ngood fine\nawful dreadful\n", encoding="utf-8")
    table = load_synonyms(source)
    swap = catalog.build(("synonym",), table)["synonym"]
    pairs = {("movie", "film"), ("film", "movie"), ("good", "fine"), ("fine", "good"), ("awful", "dreadful"),
             ("dreadful", "awful")}
    text = "The Movie was good , the acting awful ."
    for seed in range(10):
        out = swap(text, np.random.default_rng(seed), 1.0)
        changed = [(a.lower(), b.lower()) for a, b in zip(text.split(), out.split()) if a != b]
        assert changed and set(changed) <= pairs
    assert swap(text, np.random.default_rng(0), 1.0).split()[1] == "Film"  # case kept
    assert swap("nothing to swap here", np.random.default_rng(0), 1.0) == "nothing to swap here"
    one = swap(text, np.random.default_rng(3), 0.1)
    assert sum(a != b for a, b in zip(text.split(), one.split())) == 1


def test_contractions_and_spellings_toggle_by_the_tables():
    assert run("contraction", "he does n't care", 1.0) == "he does not care"
    assert run("contraction", "I am sure it is not", 1.0) == "I'm sure it's not"
    assert run("contraction", "Don\u2019t go", 1.0) == "Do not go"
    assert run("contraction", "no sites here", 1.0) == "no sites here"
    assert run("spelling", "The Colour of the THEATRE, organised.", 1.0) == "The Color of the THEATER, organized."
    spell = toggles(SPELLINGS)
    for text, s, out in outputs("spelling"):
        changed = [(a, b) for a, b in zip(text.split(), out.split()) if a != b]
        assert len(changed) <= budget(len(text.split()), s)
        assert all(spell[a.strip(string.punctuation).lower()] == b.strip(string.punctuation).lower() for a, b in changed)
    assert toggles(CONTRACTIONS)["can't"] == "cannot" and toggles(CONTRACTIONS)["cannot"] == "can't"


def test_punctuation_noise():
    for text, s, out in outputs("punct_remove"):
        gone = Counter(text) - Counter(out)
        assert set(gone) <= surface.PUNCTUATION and is_subsequence(list(out), list(text))
        assert sum(gone.values()) <= budget(sum(c in surface.PUNCTUATION for c in text), s)
    for text, s, out in outputs("punct_add"):
        before, after = text.split(), out.split()
        assert len(before) == len(after)
        added = [b[len(a):] for a, b in zip(before, after) if a != b]
        assert all(x in surface.ADDED_PUNCTUATION for x in added) and len(added) <= budget(len(before), s)


def test_social_noise_keeps_every_word_in_order_and_adds_no_url_scheme():
    for text, s, out in outputs("social"):
        words = text.split()
        kept = [w[1:] if w.startswith("#") and w[1:] in words else w for w in out.split()]
        assert is_subsequence(words, kept)
        assert len(out.split()) - len(words) <= budget(len(words), s)
        assert "http" not in out and "//" not in out


def test_outputs_depend_on_seed_and_example_id_not_on_batch():
    ids = [f"ex{i}" for i in range(len(TEXTS))]
    full = perturb_dataset(PERTURB, (0.1, 0.3), ids, TEXTS, seed=7)
    order = [5, 0, 3]
    part = perturb_dataset({n: PERTURB[n] for n in ("typo", "synonym", "social")}, (0.3,),
                           [ids[i] for i in order], [TEXTS[i] for i in order], seed=7)
    for c, (name, sev) in enumerate(part.cells):
        row = full.cells.index((name, sev))
        assert part.texts[c] == [full.texts[row][i] for i in order]
    again = perturb_dataset(PERTURB, (0.1, 0.3), ids, TEXTS, seed=7)
    other = perturb_dataset(PERTURB, (0.1, 0.3), ids, TEXTS, seed=8)
    assert again.texts == full.texts and other.texts != full.texts
    assert perturb_text(PERTURB["typo"], TEXTS[0], "ex0", 0.3, 7) != perturb_text(PERTURB["typo"], TEXTS[0], "ex9", 0.3, 7)


def test_blank_output_keeps_the_original_and_is_counted():
    res = perturb_dataset({"char_delete": PERTURB["char_delete"]}, (0.5,), ["a", "b"], ["x", "two words"], seed=0)
    assert res.texts[0][0] == "x" and not res.applied[0, 0] and res.empty.tolist() == [1]
    assert res.applied[0, 1] and res.texts[0][1].strip()
