"""NLTK data without ``nltk.download``: the stopword list we ship, and WordNet from Debian packages.

TextAttack reads ``corpora/stopwords/english`` at import time and PWWS needs ``corpora/wordnet``.
Both go into the project's NLTK directory (:func:`audit.resources.paths.nltk_dir`), which is put
first on ``NLTK_DATA``; a user's own NLTK data still counts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from audit.core.errors import AuditError
from audit.resources.paths import nltk_dir

STOPWORDS_FILE = Path(__file__).with_name("stopwords_english.txt")  # NLTK's 179-word English list
WORDNET_FILES = ("data.noun", "data.verb", "data.adj", "data.adv", "index.noun", "index.verb", "index.adj",
                 "index.adv", "noun.exc", "verb.exc", "adj.exc", "adv.exc")
OPTIONAL_WORDNET_FILES = ("index.sense", "cntlist.rev", "cntlist", "sentidx.vrb", "sents.vrb", "frames.vrb")
DEBIAN_PACKAGES = ("wordnet-base", "wordnet-sense-index")
DEBIAN_DICT = Path("/usr/share/wordnet")  # where `apt-get install wordnet-base` puts the database
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


def _nltk():
    """The ``nltk`` module, or None where it is not installed: it comes with TextAttack (the `attack`
    extra), and without it audit still finds, fetches and lists WordNet and the stopwords."""
    try:
        import nltk
    except ImportError:
        return None
    return nltk


def search_path() -> list[Path]:
    """The project directory, then ``$NLTK_DATA`` entries, then NLTK's defaults (where NLTK is installed)."""
    nltk = _nltk()
    paths = [nltk_dir()] + [Path(p) for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    paths += [Path(p) for p in (nltk.data.path if nltk is not None else ())]
    return list(dict.fromkeys(paths))


def activate() -> Path:
    """Write the stopwords if needed and put the project directory first for NLTK (env and live)."""
    root = ensure_stopwords()
    current = [p for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    os.environ["NLTK_DATA"] = os.pathsep.join(dict.fromkeys([str(root), *current]))
    import nltk

    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    return root


def ensure_stopwords(root: Path | None = None) -> Path:
    """``<root>/corpora/stopwords/english`` from the list shipped with audit; returns ``root``."""
    root = root or nltk_dir()
    target = root / "corpora" / "stopwords" / "english"
    if not target.is_file():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(STOPWORDS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
            tmp.replace(target)
        except OSError as exc:
            raise AuditError(f"Cannot write NLTK stopwords into {root}: {exc.strerror}; set AUDIT_NLTK_DATA "
                             "(or AUDIT_CACHE_DIR) to a writable directory.") from None
    return root


def find_stopwords() -> Path | None:
    return next((p / "corpora/stopwords/english" for p in search_path() if (p / "corpora/stopwords/english").is_file()),
                None)


def find_wordnet() -> Path | None:
    """A usable ``corpora/wordnet`` directory (or zip) on the NLTK search path."""
    for base in search_path():
        folder, archive = base / "corpora" / "wordnet", base / "corpora" / "wordnet.zip"
        if (folder / "lexnames").is_file() and all((folder / f).is_file() for f in WORDNET_FILES):
            return folder
        if archive.is_file():
            return archive
    return None


def is_wordnet_dict(folder: Path) -> bool:
    """A WordNet 3.0 database directory (``data.noun`` ...), e.g. Debian's /usr/share/wordnet."""
    return all((folder / f).is_file() for f in WORDNET_FILES)


def install_wordnet_from(folder: Path, lexnames_source: Path | None = None) -> Path:
    """Copy a WordNet database directory into the project's NLTK dir and write ``lexnames``."""
    folder = Path(folder).expanduser()
    if (folder / "lexnames").is_file() and is_wordnet_dict(folder):
        lexnames = (folder / "lexnames").read_text(encoding="utf-8")
    elif is_wordnet_dict(folder):
        lexnames = lexnames_from_man_page(lexnames_source or _debian_man_page(folder))
    else:
        raise AuditError(f"{folder} is not a WordNet database directory (no {WORDNET_FILES[0]} ...); point "
                         "AUDIT_WORDNET at one, e.g. /usr/share/wordnet after `apt-get install wordnet-base`.")
    target = nltk_dir() / "corpora" / "wordnet"
    target.mkdir(parents=True, exist_ok=True)
    for name in WORDNET_FILES + OPTIONAL_WORDNET_FILES:
        src, dst = folder / name, target / name
        if src.is_file() and not (dst.is_file() and dst.stat().st_size == src.stat().st_size):
            shutil.copyfile(src, dst)  # copied once; a later run with the same AUDIT_WORDNET finds it in place
    (target / "lexnames").write_text(lexnames, encoding="utf-8")
    return target


def _debian_man_page(folder: Path) -> Path:
    """The ``lexnames.5WN`` man page that ships next to a Debian WordNet database."""
    share = folder.parent  # .../usr/share/wordnet -> .../usr/share
    return share / "man" / "man5" / "lexnames.5WN.gz"


def lexnames_from_man_page(page: Path) -> str:
    """WordNet's 45-line ``lexnames`` file (number, name, syntactic category), parsed from its man page."""
    import gzip

    try:
        raw = gzip.decompress(page.read_bytes()) if page.suffix == ".gz" else page.read_bytes()
    except OSError:
        raise AuditError(f"WordNet's lexnames man page {page} is missing; reinstall wordnet-base or give a "
                         "WordNet directory that has a lexnames file.") from None
    rows = re.findall(r"^(\d\d)\t(\w+)\.(\w+)", raw.decode("utf-8", "replace"), flags=re.M)
    lines = [f"{num}\t{cat}.{name}\t{_CATEGORY[cat]}" for num, cat, name in rows if cat in _CATEGORY]
    if len(lines) != 45 or [int(x.split("\t")[0]) for x in lines] != list(range(45)):
        raise AuditError(f"Could not read WordNet's 45 lexicographer files from {page}; give a WordNet directory "
                         "that has a lexnames file.")
    return "\n".join(lines) + "\n"


def fetch_wordnet(log=print) -> Path:
    """WordNet for NLTK: a Debian install, else ``apt-get download`` + ``dpkg -x``, else ``nltk.download``."""
    found = find_wordnet()
    if found:
        return found
    if is_wordnet_dict(DEBIAN_DICT):
        log(f"Using the WordNet database at {DEBIAN_DICT}.")
        return install_wordnet_from(DEBIAN_DICT)
    if shutil.which("apt-get") and shutil.which("dpkg"):
        with tempfile.TemporaryDirectory() as tmp:
            log(f"Downloading {', '.join(DEBIAN_PACKAGES)} with apt-get ...")
            got = subprocess.run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=tmp, capture_output=True, text=True)
            debs = sorted(Path(tmp).glob("*.deb"))
            if got.returncode == 0 and debs:
                for deb in debs:
                    subprocess.run(["dpkg", "-x", str(deb), str(Path(tmp) / "root")], check=True, capture_output=True)
                return install_wordnet_from(Path(tmp) / "root" / "usr" / "share" / "wordnet")
            log(f"apt-get download failed: {(got.stderr or got.stdout).strip().splitlines()[-1:] or ['?']}")
    nltk = _nltk()
    if nltk is not None:
        log("Trying nltk.download('wordnet') ...")
        if nltk.download("wordnet", download_dir=str(nltk_dir()), quiet=True) and find_wordnet():
            return find_wordnet()
    raise AuditError("WordNet could not be fetched (no Debian package, no network); install it with "
                     "`apt-get install wordnet-base`, or set AUDIT_WORDNET to a WordNet 3.0 directory.")


def add_to_search_path(root: Path) -> None:
    """Let NLTK (this process and its children) look in ``root`` too."""
    current = [p for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    os.environ["NLTK_DATA"] = os.pathsep.join(dict.fromkeys([*current, str(root)]))
    nltk = _nltk()
    if nltk is not None and str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))
