"""Word-swap transformations for the recipes: TextAttack's, made seeded, offline and thread-safe.

* The random character edits draw from the example's own generator (:mod:`audit.probes.attack.rng`)
  instead of numpy's / Python's global ones, so concurrent examples do not disturb each other.
* ``WordNetSwap`` does not call ``nltk.download('omw-1.4')`` on construction.
* ``VisualCharSwap`` is TextBugger's "Sub-C" (visually similar characters) without the Unicode
  homoglyph file that the textattack 0.3.11 wheel lacks.
* ``PairSwap`` swaps a word for its listed synonyms (PPDB pairs): counter-fitting's constraints
  used directly as the candidate source.
"""

from __future__ import annotations

import threading

from audit.resources.textattack_env import import_textattack
from audit.probes.attack.rng import current_rng

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack.transformations import (  # noqa: E402
    WordSwap,
    WordSwapNeighboringCharacterSwap,
    WordSwapQWERTY,
    WordSwapRandomCharacterDeletion,
    WordSwapRandomCharacterInsertion,
    WordSwapRandomCharacterSubstitution,
    WordSwapWordNet,
)


def _randint(low: int, high: int) -> int:
    """numpy's ``randint(low, high)`` semantics (high exclusive) from the example's generator."""
    return int(current_rng().integers(low, high))


class _SeededLetters:
    def _get_random_letter(self):
        return self.letters_to_insert[_randint(0, len(self.letters_to_insert))]


class CharSubstitution(_SeededLetters, WordSwapRandomCharacterSubstitution):
    def _get_replacement_words(self, word):
        if not self.random_one or len(word) <= 1:
            return super()._get_replacement_words(word)
        i = _randint(0, len(word))
        return [word[:i] + self._get_random_letter() + word[i + 1 :]]


class CharDeletion(WordSwapRandomCharacterDeletion):
    def _get_replacement_words(self, word):
        start, end = (1 if self.skip_first_char else 0), (len(word) - 1 if self.skip_last_char else len(word))
        if not self.random_one or len(word) <= 1 or start >= end:
            return super()._get_replacement_words(word)
        i = _randint(start, end)
        return [word[:i] + word[i + 1 :]]


class CharInsertion(_SeededLetters, WordSwapRandomCharacterInsertion):
    def _get_replacement_words(self, word):
        start, end = (1 if self.skip_first_char else 0), (len(word) - 1 if self.skip_last_char else len(word))
        if not self.random_one or len(word) <= 1 or start >= end:
            return super()._get_replacement_words(word)
        i = _randint(start, end)
        return [word[:i] + self._get_random_letter() + word[i:]]


class NeighbourSwap(WordSwapNeighboringCharacterSwap):
    def _get_replacement_words(self, word):
        start, end = (1 if self.skip_first_char else 0), (len(word) - 2 if self.skip_last_char else len(word) - 1)
        if not self.random_one or len(word) <= 1 or start >= end:
            return super()._get_replacement_words(word)
        i = _randint(start, end)
        return [word[:i] + word[i + 1] + word[i] + word[i + 2 :]]


class QwertySwap(WordSwapQWERTY):
    def _get_replacement_words(self, word):
        start, end = (1 if self.skip_first_char else 0), len(word) - (1 + self.skip_last_char)
        if not self.random_one or len(word) <= 1 or start >= end:
            return super()._get_replacement_words(word)
        i = _randint(start, end + 1)
        adjacent = self._get_adjacent(word[i])
        return [word[:i] + adjacent[_randint(0, len(adjacent))] + word[i + 1 :]] if adjacent else []


class WordNetSwap(WordSwapWordNet):
    """PWWS's WordNet synonyms, English only, with no download on construction.

    NLTK's WordNet reader seeks and reads shared file handles, so concurrent lookups garble each
    other: lookups are serialised and memoised (a word's synonyms do not change).
    """

    _lock = threading.Lock()
    _memo: dict[str, list[str]] = {}

    def __init__(self) -> None:  # noqa: D107 - deliberately skips nltk.download("omw-1.4")
        WordSwap.__init__(self)
        self.language = "eng"

    def _get_replacement_words(self, word, random=False):
        with self._lock:
            if word not in self._memo:
                self._memo[word] = super()._get_replacement_words(word)
            return list(self._memo[word])


VISUAL = {"o": "0", "l": "1", "i": "1", "a": "@", "e": "3", "s": "$", "t": "7", "b": "8", "g": "9", "O": "0",
          "I": "1", "S": "5", "B": "8"}


class VisualCharSwap(WordSwap):
    """TextBugger's Sub-C: one character replaced by a visually similar one ('o'->'0', 'l'->'1', 'a'->'@')."""

    def _get_replacement_words(self, word):
        return [word[:i] + VISUAL[c] + word[i + 1 :] for i, c in enumerate(word) if c in VISUAL]


class PairSwap(WordSwap):
    """Candidates from a synonym table (``word -> [synonyms]``), closest first when ranked."""

    def __init__(self, table: dict[str, list[str]], max_candidates: int = 50) -> None:
        super().__init__()
        self.table = table
        self.max_candidates = max_candidates

    def _get_replacement_words(self, word):
        lower = word.lower()
        out = self.table.get(lower, [])[: self.max_candidates]
        return [_match_case(s, word) for s in out if s != lower]


def _match_case(new: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return new.upper()
    if like[:1].isupper():
        return new[:1].upper() + new[1:]
    return new
