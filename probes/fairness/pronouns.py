"""Is "her" an object ("makes her feel", "saw her.") or a possessive ("her film")? Context rules
over closed word lists, no tagger (the probe runs offline and without optional downloads).

The words around "her" decide: nothing or punctuation after it, or a determiner, preposition,
conjunction, pronoun, auxiliary or adverb, means object; a bare verb after a causative or
perception verb ("makes her feel", "saw her smile"), or a verb that is never a noun ("let her
go"), means object; an adjective closing a clause after a verb such as make/keep/find ("makes her
happy.") means object; after a preposition, and before other content words, it is a possessive
("with her friends", "her film", "did her best"). A case the rules cannot decide ("gave her
flowers": object, or her flowers?) reads as None, and the swap is not made.
"""

from __future__ import annotations

import re

OBJECT_NEXT = frozenset("""
a an the this that these those some any no each another such
to of in on at by with from into onto about above below over under after before through during without within
among between against toward towards upon off out up down away around across along behind beside near since till
like unlike via for than as
and or but nor so yet because if when while though although unless until whether where
i me you he him she it we us they them myself yourself himself herself itself ourselves themselves
who whom whose which what his hers mine yours ours theirs
is am are was were be been being do does did have has had will would shall should can could may might must
not never also too really quite rather just again already always often sometimes ever still anyway instead
here there now today tomorrow yesterday tonight later soon once twice how why then alone
""".split())

# Words that may open a noun phrase after a possessive ("her very own", "her first film") but also
# follow an object ("love her very much", "met her first"): the next word decides.
NP_STARTERS = frozenset("""
own very only every first last next best worst better worse many most more much few little other all both
one two three four five six seven eight nine ten
""".split())

# Bare verbs after a causative or perception verb: object ("makes her feel", "saw her smile").
# VERB_ONLY are never nouns, so "her" before them is an object whatever comes before.
VERB_ONLY = frozenset("""
be go come do see know think want leave stay get make give tell try seem become believe understand realize realise
decide remember forget wonder eat sit grow listen hear learn explain agree apologize apologise happen appear
sing speak lose bring send carry choose meet
""".split())
NOUN_VERBS = frozenset("""
feel smile laugh cry work look dance walk run fall win talk play kiss hug call answer love fight sleep drive swim
move change help sigh scream shout drink cook rest step turn act stop start show read write cut dress shop hide wait
""".split())
CAUSATIVE = frozenset("""
make makes made making let lets letting help helps helped helping see sees saw seen seeing watch watches watched
watching hear hears heard hearing feel feels felt feeling notice notices noticed noticing bid
""".split())
# Verbs taking an object and a complement adjective ("makes her happy", "found her attractive").
COMPLEMENT = frozenset("""
make makes made making keep keeps kept keeping leave leaves left leaving find finds found finding call calls called
consider considers considered drive drives drove driven driving get gets got getting set sets render renders rendered
prove proves proved think thinks thought like likes liked want wants wanted hold holds held declare declared
""".split())
ADJECTIVES = frozenset("""
happy sad angry mad glad safe free alone busy crazy sick ill well calm quiet ready sure proud warm cold awake alive
afraid upset strong weak young old nervous pregnant dead famous rich poor clean dry wet hungry tired sleepy lonely
silly uneasy sorry comfortable uncomfortable miserable fine great better worse anxious curious jealous furious
""".split())
PARTICIPLES = frozenset("broken heartbroken shaken frozen hidden forgotten beaten taken given driven written stolen "
                        "chosen thrown shown known done seen caught hurt".split())
NOT_PARTICIPLES = frozenset("hatred kindred hundred".split())
HAVE_GET = frozenset("have has had having get gets got gotten getting".split())
DO_GIVE = frozenset("do does did doing done give gives gave giving given try tries tried trying".split())
ADJECTIVE_ENDINGS = ("ful", "ous", "ive", "less", "able", "ible", "ish", "ing")  # after make/keep/find only
# Verbs before an indirect object: "gave her flowers" may be object or possessive.
DITRANSITIVE = frozenset("""
give gives gave given giving tell tells told telling send sends sent sending bring
brings brought bringing buy buys bought buying offer offers offered teach teaches taught owe owes owed lend lends
lent hand hands handed pay pays paid promise promises promised ask asks asked wish wishes wished
""".split())
PREPOSITIONS = frozenset("""
to of in on at by with from into onto about above below over under after before through during without within
among between against toward towards upon behind beside near for unlike via
""".split())
NUMBERS = frozenset("one two three four five six seven eight nine ten".split())
TIME_NOUNS = frozenset("day days week weeks month months year years night nights time times morning evening "
                       "afternoon weekend summer winter spring autumn".split())
LY_NOUNS = frozenset("family ally belly bully jelly lily rally holly folly assembly supply reply butterfly monopoly "
                     "anomaly homily melancholy".split())

_WORD = re.compile(r"\s*([^\W_][\w'’-]*)")
_PREVIOUS = re.compile(r"([^\W\d_]+)[ \t]+$")
_STOP = re.compile(r"\s*(?:$|[.,;:!?)\]}–—]|-\s)")


def _next(text: str, pos: int) -> tuple[str | None, int, bool]:
    """The word at ``pos`` (after spaces) in lower case, where it ends, and whether the clause
    ends there instead (end of text, punctuation); (None, pos, False) for anything else."""
    if _STOP.match(text, pos):
        return None, pos, True
    m = _WORD.match(text, pos)
    if not m:
        return None, pos, False
    word = m.group(1).lower().removesuffix("'s").removesuffix("’s")
    return ("one" if word[0].isdigit() else word), m.end(), False  # "12th" reads as a number


def _participle(word: str) -> bool:
    return word in PARTICIPLES or (len(word) > 4 and word.endswith("ed") and word not in NOT_PARTICIPLES)


def _adjective(word: str) -> bool:
    return word in ADJECTIVES or _participle(word) or (len(word) > 5 and word.endswith(ADJECTIVE_ENDINGS))


def _closes(word: str | None, stop: bool) -> bool:
    """Whether a word after a candidate head ends the phrase (nothing, punctuation, a function word)."""
    return stop or (word is not None and (word in OBJECT_NEXT or word in ("much", "well")))  # "her very much"


def her_reading(text: str, start: int, end: int) -> str | None:
    """"object", "possessive", or None when the rules cannot tell, for "her" at ``text[start:end]``."""
    m = _PREVIOUS.search(text, 0, start)
    prev = m.group(1).lower() if m else ""
    w1, pos, stop = _next(text, end)
    if stop:
        return "object"
    if w1 is None:
        return None  # a quote, a bracket: not decided here
    if w1 == "own":
        return "possessive"
    w2, _, stop2 = _next(text, pos)
    if w1 in ("best", "worst", "utmost", "all") and prev in DO_GIVE and _closes(w2, stop2):
        return "possessive"  # "does her best", "gave it her all"
    if w1 in OBJECT_NEXT or (w1.endswith("ly") and w1 not in LY_NOUNS and _closes(w2, stop2)):
        return "object"  # "told her that", "saw her recently."
    if prev in PREPOSITIONS:  # a preposition takes one object: "with her friends"
        return None if w1 in NP_STARTERS and _closes(w2, stop2) else "possessive"  # "with her more than"?
    if w1 in NP_STARTERS:
        if _closes(w2, stop2):
            return "object"  # "love her very much", "met her first."
        if (w1 in NUMBERS or w1 in ("last", "next", "every")) and w2 in TIME_NOUNS:
            return None  # "saw her one day", "see her every day" or "her last week at work"?
        return None if prev in DITRANSITIVE else "possessive"
    if prev in HAVE_GET and _participle(w1):
        return "object"  # "had her arrested"
    if w1 in VERB_ONLY or (w1 in NOUN_VERBS and prev in CAUSATIVE):
        return "object"
    if prev in COMPLEMENT and _adjective(w1) and _closes(w2, stop2):
        return "object"  # "makes her happy.", "left her alone in"
    if prev in DITRANSITIVE:
        return None
    return "possessive"


def opens_phrase(text: str, end: int) -> bool:
    """Whether a possessive determiner ending at ``end`` has a noun phrase after it ("his film",
    "his very own", "did his best"), not standing alone ("it is his.", "his is better")."""
    w1, pos, stop = _next(text, end)
    if stop or w1 is None or w1 in OBJECT_NEXT:
        return False
    w2, _, stop2 = _next(text, pos)
    if w1 in ("more", "much") or (w1.endswith("ly") and w1 not in LY_NOUNS):
        return not _closes(w2, stop2)  # "his more than hers", "his entirely."
    return True
