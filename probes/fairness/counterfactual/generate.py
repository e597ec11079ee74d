"""Counterfactual texts: each text that mentions one group of an axis, rewritten once per other
group of that axis. A text mentioning several groups of one axis ("a man and a woman") has no
single source group, so it is counted as mixed and left out of that axis; a target group with
no term for a slot the text uses is skipped (no ungrammatical text is made); a text with a
mention the rules cannot decide (an ambiguous "her", "Michael found himself") is not swapped
at all and is counted as undecided, with the reason.

A sentence pair is one example: it mentions a group when either text does, and both texts are
rewritten with the same source -> target swap, so "The woman reads." / "She is reading."
becomes "The man reads." / "He is reading." and never a pair that disagrees with itself. A
pair whose texts name different groups of an axis (premise "a man", hypothesis "a woman") is
mixed like a single text naming both, and is counted as such (``mixed_between_texts``); a text
of the pair that names no group is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audit.core.seeding import derive_seed
from audit.probes.fairness.swap import Matcher, Mention, swap
from audit.probes.fairness.terms import Axis


@dataclass
class Counterfactuals:
    row: list[int] = field(default_factory=list)  # index of the original text (or pair)
    axis: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the rewritten (first) text
    text_pairs: list[str] | None = None  # for sentence pairs: the rewritten second text
    per_axis: dict[str, dict] = field(default_factory=dict)  # mentioning / mixed / undecided / skipped counts
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def inputs(self) -> list:
        """What the model is given for each counterfactual: the text, or the (text, text_pair) tuple."""
        if self.text_pairs is None:
            return list(self.texts)
        return list(zip(self.texts, self.text_pairs))

    def pairs(self) -> list[tuple[str, str, str]]:
        """Distinct (axis, source, target) in first-seen order."""
        return list(dict.fromkeys(zip(self.axis, self.source, self.target)))


def sample_rows(ids: list[str], max_texts: int | None, seed: int, candidates: list[int]) -> set[int]:
    """At most ``max_texts`` of ``candidates``, chosen by a per-id seeded key: whether a text is
    kept does not depend on which other texts are in the data."""
    if max_texts is None or len(candidates) <= max_texts:
        return set(candidates)
    keys = np.array([derive_seed(seed, "counterfactual", ids[i]) for i in candidates], dtype=np.uint64)
    return {candidates[j] for j in np.argsort(keys, kind="stable")[:max_texts]}


def _groups(sides: list[list[Mention]]) -> set[str]:
    return {m.group for mentions in sides for m in mentions}


def _between(sides: list[list[Mention]]) -> bool:
    """Whether the texts of a pair each name at most one group, but not the same one."""
    per_side = [{m.group for m in mentions} for mentions in sides]
    return len(sides) > 1 and all(len(g) <= 1 for g in per_side) and len(set().union(*per_side)) > 1


def generate(ids: list[str], texts: list[str], axes: dict[str, Axis], *, max_texts: int | None,
             seed: int, text_pairs: list[str] | None = None) -> Counterfactuals:
    """Counterfactuals of ``texts`` (and, for sentence pairs, ``text_pairs``: both texts of a pair swapped alike)."""
    import time

    t0 = time.perf_counter()
    examples = [(t,) for t in texts] if text_pairs is None else list(zip(texts, text_pairs))
    found: dict[str, list[list[list[Mention]]]] = {}  # axis -> example -> side -> mentions
    for name, axis in axes.items():
        matcher = Matcher(axis)
        found[name] = [[matcher.mentions(side) for side in ex] for ex in examples]
    single = [i for i in range(len(examples)) if any(len(_groups(found[a][i])) == 1 for a in axes)]
    keep = sample_rows(ids, max_texts, seed, single)
    out = Counterfactuals(text_pairs=None if text_pairs is None else [])
    for name, axis in axes.items():
        mentioning = mixed = between = skipped = made = 0
        undecided: dict[str, int] = {}
        for i, sides in enumerate(found[name]):
            groups = _groups(sides)
            if len(groups) > 1:
                mixed += 1
                between += _between(sides)
            if len(groups) != 1 or i not in keep:
                continue
            mentioning += 1
            (source,) = groups
            reason = next((m.undecided for mentions in sides for m in mentions if m.undecided), "")
            if reason:
                undecided[reason] = undecided.get(reason, 0) + 1
                continue
            for target in axis.groups:
                if target == source:
                    continue
                rewritten = [swap(side, mentions, axis, target) for side, mentions in zip(examples[i], sides)]
                new = [t for t in rewritten if t is not None]
                if len(new) < len(rewritten) or tuple(new) == examples[i]:
                    skipped += 1
                    continue
                made += 1
                out.row.append(i)
                out.axis.append(name)
                out.source.append(source)
                out.target.append(target)
                out.texts.append(new[0])
                if out.text_pairs is not None:
                    out.text_pairs.append(new[1])
        out.per_axis[name] = {"texts": mentioning, "counterfactuals": made, "mixed": mixed,
                              "skipped_targets": skipped, "undecided": sum(undecided.values()),
                              "undecided_reasons": dict(sorted(undecided.items()))}
        if text_pairs is not None:
            out.per_axis[name]["mixed_between_texts"] = between
    out.seconds = time.perf_counter() - t0
    return out
