"""Surface properties of a text that may mark where a classifier errs: negation, questions, shouting, digits,
links, emoji, non-ASCII script. Each detector is a plain function of one string, written out here (no tagger,
nothing to download) so a reader can check what a slice holds; tests/probes/test_slices_features.py pins them on
hand-written texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORD = re.compile(r"\w+(?:['’]\w+)*")
# "not", "no", "never" ... and contractions, whether written "don't" or split as SST-2 and PTB do ("do n't")
_NEGATION = re.compile(
    r"(?<![\w'’])(?:not|no|never|none|nobody|nothing|neither|nor|nowhere|cannot|\w*n['’]t)(?![\w'’])",
    re.IGNORECASE)
WH_WORDS = frozenset("what who whom whose which when where why how".split())
AUXILIARIES = frozenset(("is are was were am do does did can could will would shall should may might must have has had "
                         "isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't "
                         "haven't hasn't").split())
SUBJECTS = frozenset("i you he she it we they there this that these those anyone anybody someone somebody".split())
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"(?<![\w#&])#[^\W\d_]\w*")  # '#1' is a number, '&#39;' an HTML entity
# Emoji blocks (Unicode 15): symbols and pictographs, emoticons, transport, supplemental and extended-A
# pictographs, dingbats and miscellaneous symbols, regional-indicator flags.
_EMOJI = re.compile("[\U0001F300-\U0001F5FF\U0001F600-\U0001F64F\U0001F680-\U0001F6FF\U0001F900-\U0001F9FF"
                    "\U0001FA70-\U0001FAFF\u2600-\u26FF\u2700-\u27BF\U0001F1E6-\U0001F1FF]")


def words(text: str) -> list[str]:
    """Words as the length slices count them: runs of letters and digits, "n't" and "'s" kept on their word."""
    return WORD.findall(text)


def negation(text: str) -> bool:
    return _NEGATION.search(text) is not None


def question(text: str) -> bool:
    """A '?' anywhere, or a question's opening without one: a wh-word before an auxiliary ("why does it ..."),
    or an auxiliary before a subject ("is it ...", "did they ...")."""
    if "?" in text:
        return True
    first = [w.lower() for w in words(text)[:2]]
    if len(first) < 2:
        return False
    return (first[0] in WH_WORDS and first[1] in AUXILIARIES) or (first[0] in AUXILIARIES and first[1] in SUBJECTS)


def exclamation(text: str) -> bool:
    return "!" in text


def caps(text: str) -> bool:
    """An ALL-CAPS word of three or more letters (shouting, or an acronym such as FBI)."""
    for word in words(text):
        letters = [c for c in word if c.isalpha()]
        if len(letters) >= 3 and all(c.isupper() for c in letters):
            return True
    return False


def digits(text: str) -> bool:
    return any(c.isdigit() for c in text)


def url(text: str) -> bool:
    return _URL.search(text) is not None


def mention(text: str) -> bool:
    return _MENTION.search(text) is not None


def hashtag(text: str) -> bool:
    return _HASHTAG.search(text) is not None


def emoji(text: str) -> bool:
    return _EMOJI.search(text) is not None


def non_ascii_share(text: str) -> float:
    """Share of the visible characters outside ASCII (accents, other scripts, emoji, curly quotes)."""
    visible = [c for c in text if not c.isspace()]
    return sum(ord(c) > 127 for c in visible) / len(visible) if visible else 0.0


# name -> detector, in the order slices are listed; the non-ASCII slice needs its threshold (features.py's caller)
DETECTORS: dict[str, Callable[[str], bool]] = {
    "negation": negation,
    "question": question,
    "exclamation": exclamation,
    "caps": caps,
    "digits": digits,
    "url": url,
    "mention": mention,
    "hashtag": hashtag,
    "emoji": emoji,
}
DESCRIPTIONS = {
    "negation": "a negation (not, no, never, n't ...)",
    "question": "a question ('?', or a question's opening)",
    "exclamation": "an exclamation mark",
    "caps": "an ALL-CAPS word of 3+ letters",
    "digits": "a digit",
    "url": "a URL",
    "mention": "an @mention",
    "hashtag": "a #hashtag",
    "emoji": "an emoji",
}
