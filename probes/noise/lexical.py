"""Table-driven word changes that keep the meaning: contractions and British/American spelling.

Both toggle: a contraction is expanded and an expansion contracted ("don't" <-> "do not"), a
British spelling becomes American and the reverse ("colour" <-> "color"). Tokenized corpora
such as SST-2 write contractions split ("does n't", "it 's"); those are found too.
"""

from __future__ import annotations

import re

import numpy as np

from audit.probes.noise.common import budget, match_case, pick, swap_words
from audit.probes.noise.lexicon import CONTRACTIONS, SPELLINGS, toggles

_APOSTROPHES = "'\u2019"


# A word followed by a clitic ("do n't", "it's") or by the second word of an expansion
# ("do not", "i am"), found at every word start (a lookahead, so "movie is" does not hide
# "is not"); only matches the table knows become sites. One small pattern is several times
# faster than an alternation of every table entry.
_CANDIDATE = re.compile(
    rf"(?<![\w{_APOSTROPHES}])(?=(cannot|[a-z]+(?:\s?n['\u2019]t|\s?['\u2019](?:s|m|re|ve|ll|d)"
    rf"|\s+(?:not|is|am|are|have|has|had|will|would|us|shall)))(?![\w{_APOSTROPHES}]))",
    re.IGNORECASE,
)


def _sites(text: str, table: dict[str, str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, replacement) of the contractions and expansions in ``text``."""
    sites, end = [], 0
    for m in _CANDIDATE.finditer(text):
        found = m.group(1)
        other = table.get(_normal(found))
        if other is not None and m.start() >= end:
            end = m.start() + len(found)
            sites.append((m.start(), end, match_case(found, other)))
    return sites


def _normal(found: str) -> str:
    """A matched form as the table writes it: lower case, straight apostrophe, no clitic space."""
    s = found.lower().replace("\u2019", "'")
    s = re.sub(r"\s+(?=n't|')", "", s)
    return " ".join(s.split())


def contraction(text: str, rng: np.random.Generator, severity: float) -> str:
    """Toggles ``ceil(s * n_words)`` contraction sites: "don't"/"do n't" -> "do not", "it is" ->
    "it's" (a site is one contraction or its expansion; case of the first letter kept)."""
    k = budget(len(text.split()), severity)
    sites = _sites(text, toggles(CONTRACTIONS)) if k else []
    if not sites:
        return text
    out, last = [], 0
    for j in pick(rng, len(sites), k):
        start, end, replacement = sites[j]
        out += [text[last:start], replacement]
        last = end
    out.append(text[last:])
    return "".join(out)


def spelling(text: str, rng: np.random.Generator, severity: float) -> str:
    """British <-> American spelling: ``ceil(s * n_words)`` of the words found in the bundled
    table ("colour", "organise", "theatre" ... and their US forms) switch to the other form."""
    table = toggles(SPELLINGS)
    return swap_words(text, rng, severity, lambda word: (lambda: table[word]) if word in table else None)
