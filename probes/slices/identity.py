"""Which texts mention an identity axis, each of its groups, or a first name, by the fairness probes' term lists
and matcher (``audit.probes.fairness.terms``, ``audit.probes.fairness.swap.Matcher``), so a slice "mentions religion
terms" holds exactly the texts the counterfactual and group-fairness probes read as naming religion.

First names are the lists' ``name`` slots (the Equity Evaluation Corpus's names on the gender and race axes):
a capitalised name the lists hold, not any person's name (there is no named-entity tagger).
"""

from __future__ import annotations

from audit.probes.fairness.swap import Matcher
from audit.probes.fairness.terms import Axis


def mentions(texts: list[str], axes: dict[str, Axis]) -> tuple[dict[str, list[set[str]]], list[bool]]:
    """Per axis, the groups each text mentions (an undecided mention still names its group), and whether each text
    holds a first name of some axis's ``name`` slots."""
    groups: dict[str, list[set[str]]] = {}
    names = [False] * len(texts)
    for axis_name, axis in axes.items():
        matcher = Matcher(axis)
        named = {i for i, slot in enumerate(axis.slots) if slot.context == "name"}
        found = []
        for t, text in enumerate(texts):
            ms = matcher.mentions(text)
            found.append({m.group for m in ms})
            names[t] = names[t] or any(m.slot in named for m in ms)
        groups[axis_name] = found
    return groups, names
