"""Find identity-term mentions in a text and rewrite them as another group's terms.

One regular expression per axis (longest terms first, so "Native American" wins over
"American") finds the candidates; a slot's context keeps only real mentions. A swap writes the
target group's term for the same slot, so inflection carries over (his -> her, him -> her,
Muslims -> Christians), keeps the source's capitalisation (also of a capitalised sentence start)
and fixes a preceding "a"/"an" ("a Muslim" -> "an atheist"). Alternatives are aligned when the
two groups list as many for the slot (mom -> dad, mother -> father, Alonzo -> Adam); otherwise a
swap writes the target's first. A mention the rules cannot decide (an ambiguous "her", a
reflexive that may refer to a name the lists do not hold) is kept as undecided: it names its
group, but no swap is made from its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.probes.fairness.terms import Axis, normalize
from audit.probes.fairness.word_context import (FUNCTION_WORDS, context_ok, fix_article, match_case,
                                                starts_sentence)

AMBIGUOUS = "her: object or possessive?"
UNKNOWN_NAME = "reflexive after a name not in the lists"
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    group: str
    slot: int  # index into axis.slots
    form: str  # the term as the list writes it
    variant: int = 0  # its position among the group's alternatives for the slot
    undecided: str = ""  # why the rules cannot tell this mention's form (no swap is made)


class Matcher:
    """Mentions of one axis's terms in texts."""

    def __init__(self, axis: Axis) -> None:
        self.axis = axis
        self.entries: dict[str, list[tuple[str, int, str, int]]] = {}
        for i, slot in enumerate(axis.slots):
            for group, terms in slot.terms.items():
                for k, term in enumerate(terms):
                    entry = self.entries.setdefault(normalize(term), [])
                    if not any(e[:2] == (group, i) for e in entry):  # a repeated alternative: its first place
                        entry.append((group, i, term, k))
        keys = sorted(self.entries, key=lambda k: (-len(k), k))
        pattern = "|".join(r"\s+".join(map(re.escape, k.split())) for k in keys)
        self.regex = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)

    def mentions(self, text: str) -> list[Mention]:
        """Mentions in order; a term whose context fails in every slot it fills is skipped, one
        whose context cannot be decided is an undecided mention."""
        found = []
        for m in self.regex.finditer(text):
            unsure = None
            for group, slot, form, k in self.entries[normalize(m.group())]:
                ok = context_ok(self.axis.slots[slot].context, text, m.start(), m.end())
                if ok:
                    found.append(Mention(m.start(), m.end(), group, slot, form, k))
                    break
                if ok is None and unsure is None:
                    unsure = Mention(m.start(), m.end(), group, slot, form, k, AMBIGUOUS)
            else:
                if unsure is not None:
                    found.append(unsure)
        return [self._check_reflexive(text, m, found) for m in found]

    def _check_reflexive(self, text: str, m: Mention, found: list[Mention]) -> Mention:
        """A reflexive whose sentence names someone before it in words this axis does not know
        ("Michael found himself") is undecided: swapping it alone would contradict the name."""
        if self.axis.slots[m.slot].context != "reflexive" or m.undecided:
            return m
        begin = max((e.end() for e in _SENTENCE_END.finditer(text, 0, m.start)), default=0)
        for word in _CAPITALISED.finditer(text, begin, m.start):
            if any(o.start <= word.start() < o.end or _next_to(text, word.end(), o.start) for o in found):
                continue  # a term of this axis ("Alonzo", "She") or its modifier ("A Muslim woman")
            lower = word.group().lower()
            if lower in FUNCTION_WORDS or (lower.endswith("ly") and starts_sentence(text, word.start())):
                continue  # "The", "I", "My", "Suddenly"
            return Mention(m.start, m.end, m.group, m.slot, m.form, m.variant, UNKNOWN_NAME)
        return m

    def groups(self, text: str) -> set[str]:
        return {m.group for m in self.mentions(text)}


def _next_to(text: str, end: int, start: int) -> bool:
    return start >= end and not text[end:start].strip()


def target_term(axis: Axis, m: Mention, target: str) -> str | None:
    """The term ``target`` has for ``m``'s slot: the aligned alternative when the two groups list
    as many, else the first; None when it has none."""
    slot = axis.slots[m.slot]
    terms = slot.terms.get(target)
    if not terms:
        return None
    return terms[m.variant] if len(terms) == len(slot.terms[m.group]) else terms[0]


def swap(text: str, mentions: list[Mention], axis: Axis, target: str) -> str | None:
    """``text`` with every mention written as ``target``'s term for the same slot; None when
    ``target`` has no term for one of the slots (the swap would not be grammatical) or a
    mention is undecided."""
    out = ""
    pos = 0
    for m in mentions:
        term = target_term(axis, m, target)
        if term is None or m.undecided:
            return None
        word = match_case(text[m.start:m.end], m.form, term)
        if text[m.start].isupper() and starts_sentence(text, m.start):  # "Black men" -> "White men"
            word = word[:1].upper() + word[1:]
        out = fix_article(out + text[pos:m.start], word) + word
        pos = m.end
    return out + text[pos:]


def swap_all(text: str, matcher: Matcher, target: str) -> str | None:
    """Convenience for one text: its single-group mentions swapped to ``target`` (None when the
    text mentions no group, several groups, or only ``target``, or a mention is undecided)."""
    mentions = matcher.mentions(text)
    groups = {m.group for m in mentions}
    if len(groups) != 1 or target in groups:
        return None
    return swap(text, mentions, matcher.axis, target)
