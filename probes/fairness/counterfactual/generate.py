"""Counterfactual texts: each text that mentions one group of an axis, rewritten once per other
group of that axis. A text mentioning several groups of one axis ("a man and a woman") has no
single source group, so it is counted as mixed and left out of that axis; a target group with
no term for a slot the text uses is skipped (no ungrammatical text is made)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audit.core.seeding import derive_seed
from audit.probes.fairness.swap import Matcher, swap
from audit.probes.fairness.terms import Axis


@dataclass
class Counterfactuals:
    row: list[int] = field(default_factory=list)  # index of the original text
    axis: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    per_axis: dict[str, dict] = field(default_factory=dict)  # mentioning / mixed / skipped counts
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.texts)

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


def generate(ids: list[str], texts: list[str], axes: dict[str, Axis], *, max_texts: int | None,
             seed: int) -> Counterfactuals:
    import time

    t0 = time.perf_counter()
    found: dict[str, list] = {}
    for name, axis in axes.items():
        matcher = Matcher(axis)
        found[name] = [matcher.mentions(t) for t in texts]
    single = [i for i in range(len(texts))
              if any(len({m.group for m in found[a][i]}) == 1 for a in axes)]
    keep = sample_rows(ids, max_texts, seed, single)
    out = Counterfactuals()
    for name, axis in axes.items():
        mentioning = mixed = skipped = 0
        for i, mentions in enumerate(found[name]):
            groups = {m.group for m in mentions}
            if len(groups) > 1:
                mixed += 1
            if len(groups) != 1 or i not in keep:
                continue
            mentioning += 1
            (source,) = groups
            for target in axis.groups:
                if target == source:
                    continue
                text = swap(texts[i], mentions, axis, target)
                if text is None or text == texts[i]:
                    skipped += 1
                    continue
                out.row.append(i)
                out.axis.append(name)
                out.source.append(source)
                out.target.append(target)
                out.texts.append(text)
        out.per_axis[name] = {"texts": mentioning, "mixed": mixed, "skipped_targets": skipped}
    out.seconds = time.perf_counter() - t0
    return out
