"""Word classes that decide whether a term match counts (its slot's context) and fix articles.

``before_word``: the next word is a content word ("her film" is possessive; "her the
script", "her." are not). ``standalone``: it is not. ``noun``: standalone after a determiner
("a Muslim." is the noun, "I am Muslim." the adjective). ``before_person``: a person noun
follows within two words ("a Black woman", "old Muslim men"), so colour and age words in other
senses ("black comedy", "an old film") are not read as identity mentions. ``object`` and
``possessive``: the pronoun rules of :mod:`~audit.probes.fairness.pronouns` ("makes her feel",
"her film", "his very own"). ``name``: written with a capital ("Frank", not "frank").
``reflexive``: always (the matcher checks what the pronoun may refer to).
"""

from __future__ import annotations

import re

from audit.probes.fairness.pronouns import her_reading, opens_phrase

FUNCTION_WORDS = frozenset("""
a an the this that these those some any no every each all both either neither
and or but nor so yet for because if when while as than then though although unless until
to of in on at by with from into onto about above below over under after before through during
without within among between against toward towards upon off out up down away back around
i me my mine you your yours he him his she her hers it its we us our ours they them their theirs
myself yourself himself herself itself ourselves themselves who whom whose which what
is am are was were be been being do does did have has had will would shall should can could may might must
not never also too very really quite rather just only even still again already always often
here there now today tomorrow yesterday tonight later soon once twice
how why where much many more most less least enough
""".split())

PERSON_NOUNS = frozenset("""
person people persons individual individuals human humans folk folks
man men woman women guy guys gal gals lady ladies gentleman gentlemen
boy boys girl girls kid kids child children baby babies teen teens teenager teenagers adult adults
mother mothers father fathers mom moms mum mums dad dads parent parents
grandmother grandmothers grandfather grandfathers grandparent grandparents grandma grandpa
son sons daughter daughters brother brothers sister sisters sibling siblings
husband husbands wife wives partner partners spouse spouses couple couples
girlfriend girlfriends boyfriend boyfriends aunt aunts uncle uncles cousin cousins niece nieces nephew nephews
family families friend friends neighbor neighbors neighbour neighbours roommate roommates
community communities student students pupil pupils teacher teachers colleague colleagues coworker coworkers
worker workers employee employees boss bosses citizen citizens resident residents voter voters
immigrant immigrants refugee refugees patient patients veteran veterans
doctor doctors nurse nurses lawyer lawyers writer writers author authors director directors
actor actors actress actresses singer singers artist artists player players athlete athletes
customer customers user users driver drivers fan fans viewer viewers reviewer reviewers critic critics
leader leaders politician politicians officer officers soldier soldiers
""".split())

DETERMINERS = frozenset("a an the one every each another any no this that".split())

_NEXT = re.compile(r"[ \t]+([^\W\d_][\w'-]*)")
_PREVIOUS = re.compile(r"([^\W\d_]+)[ \t]+$")
_ARTICLE = re.compile(r"(?<![\w'-])(a|an)(\s+)$", re.IGNORECASE)
_AN_EXCEPTIONS = ("hour", "honest", "honor", "honour", "heir")
_A_EXCEPTIONS = ("uni", "use", "usu", "uti", "eu", "one", "once", "ur")


def next_words(text: str, end: int, k: int = 2) -> list[str]:
    """Up to ``k`` words right after ``end`` (separated by spaces only), lower case, without 's."""
    words, pos = [], end
    for _ in range(k):
        m = _NEXT.match(text, pos)
        if not m:
            break
        words.append(m.group(1).lower().removesuffix("'s").removesuffix("’s"))
        pos = m.end()
    return words


def previous_word(text: str, start: int) -> str:
    """The word right before ``start`` (separated by spaces only), lower case; "" if none."""
    m = _PREVIOUS.search(text, 0, start)
    return m.group(1).lower() if m else ""


def context_ok(context: str, text: str, start: int, end: int) -> bool | None:
    """Whether a term at ``text[start:end]`` counts under its slot's ``context``; None when the
    rules cannot tell (an ambiguous "her")."""
    if context in ("any", "reflexive"):
        return True
    if context == "name":
        return text[start].isupper()
    if context in ("object", "possessive"):
        if text[start:end].lower() == "her":  # the one English pronoun that is both
            reading = her_reading(text, start, end)
            return None if reading is None else reading == context
        return context == "object" or opens_phrase(text, end)
    words = next_words(text, end)
    if context == "before_person":
        return any(w in PERSON_NOUNS for w in words)
    content = bool(words) and words[0] not in FUNCTION_WORDS
    if context == "before_word":
        return content
    if context == "noun":
        return not content and previous_word(text, start) in DETERMINERS
    return not content


def article_for(word: str) -> str:
    """"a" or "an" before ``word`` by its sound, approximated from its spelling."""
    w = word.lower()
    if w.startswith(_AN_EXCEPTIONS):
        return "an"
    if w.startswith(_A_EXCEPTIONS):
        return "a"
    return "an" if w[:1] in ("a", "e", "i", "o", "u") else "a"


def fix_article(before: str, word: str) -> str:
    """``before`` with a trailing "a"/"an" made to agree with ``word``, its case kept."""
    m = _ARTICLE.search(before)
    if not m:
        return before
    old, new = m.group(1), article_for(word)
    if old.isupper() and len(old) > 1:
        new = new.upper()
    elif old[0].isupper():
        new = new.capitalize()
    return before[: m.start(1)] + new + m.group(2)


def match_case(source: str, source_form: str, replacement: str) -> str:
    """``replacement`` written the way ``source`` was, relative to its list form ``source_form``:
    "HE" -> "SHE", "He" -> "She"; a list form's own capitals ("Muslim") are not copied."""
    if " ".join(source.split()) == source_form:
        return replacement
    if len(source) > 1 and source.isupper():
        return replacement.upper()
    if source[:1].isupper() and not source_form[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def starts_sentence(text: str, start: int) -> bool:
    """Whether ``start`` begins the text or a sentence (after . ! ? and spaces)."""
    head = text[:start].rstrip()
    return not head or head[-1] in ".!?\n"
