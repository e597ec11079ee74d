"""Counter-fitted vectors on disk: the constraints they come from, the cached build, the current one.

``audit resources --fetch counterfit`` reads the linguistic constraints of Mrkšić et al. 2016 from a
folder (``--constraints DIR`` or ``$AUDIT_COUNTERFIT_CONSTRAINTS``) or downloads them from the
upstream repository at a pinned commit (checked against their SHA-256), counter-fits the GloVe
vectors the attacks use, and caches the result under ``$AUDIT_CACHE_DIR/resources/counterfit/KEY``
(``vectors.npy``, ``vocab.txt``, ``manifest.json``), KEY hashing the inputs, the parameters and the
algorithm version. ``current`` names the build the attacks use. Nothing here runs at import.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Callable

from audit.core.errors import AuditError
from audit.resources.paths import downloads_dir

Log = Callable[[str], None]
ALGORITHM = "counterfit-1"  # change when the procedure changes: older builds are then not reused
CONSTRAINTS_ENV = "AUDIT_COUNTERFIT_CONSTRAINTS"
COMMIT = "8cf3cf4db1074f2f80ecf728e6af68347c3b3d02"
URL = "https://raw.githubusercontent.com/nmrksic/counter-fitting/{commit}/linguistic_constraints/{name}"
SYNONYM_FILES = ("ppdb_synonyms.txt",)
ANTONYM_FILES = ("ppdb_antonyms.txt", "wordnet_antonyms.txt")
PUBLISHED = {  # SHA-256 of the files at COMMIT
    "ppdb_synonyms.txt": "a294657ae78b443d2d3676bdbbe3c1c9f3f43f21a8ef2548bfbd00e20462b288",
    "ppdb_antonyms.txt": "da985c7cd92237a9a906cde1dc8f13e928d159c62d0b8059dfa04e2b45e6485a",
    "wordnet_antonyms.txt": "3cfa6341d8de0f3bd06c84d0a283888fe307cbc6ebda6ec0b1bcbfe6b463c2c1",
}
BUILD_FILES = ("vectors.npy", "vocab.txt", "manifest.json")


def builds_dir() -> Path:
    return downloads_dir() / "counterfit"


def current() -> Path | None:
    """The build the attacks use (named in ``builds_dir()/current``), or None."""
    pointer = builds_dir() / "current"
    if not pointer.is_file():
        return None
    build = builds_dir() / pointer.read_text(encoding="utf-8").strip()
    return build if _complete(build) else None


def _complete(build: Path) -> bool:
    return all((build / f).is_file() for f in BUILD_FILES)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_hash(path: Path) -> str:
    """SHA-256 of a file, or of the files of a folder (names and contents, in name order)."""
    if path.is_file():
        return sha256(path)
    digest = hashlib.sha256()
    for f in sorted(p for p in path.iterdir() if p.is_file()):
        digest.update(f.name.encode() + b"\0" + sha256(f).encode())
    return digest.hexdigest()


def downloaded() -> Path:
    return downloads_dir() / "counterfit-constraints"


def constraints_at_hand(given: str | None = None) -> bool:
    """Whether constraints are given, in the environment or downloaded already (no download needed)."""
    return bool(given or os.environ.get(CONSTRAINTS_ENV)) or all((downloaded() / f).is_file() for f in PUBLISHED)


def constraints_dir(given: str | None = None, log: Log = print) -> Path:
    """The folder holding the three constraint files: given, from the environment, or downloaded."""
    source = given or os.environ.get(CONSTRAINTS_ENV)
    if source:
        folder = Path(source).expanduser()
        missing = [f for f in PUBLISHED if not (folder / f).is_file()]
        if missing:
            raise AuditError(f"{folder} lacks {', '.join(missing)}: give a folder holding "
                             f"{', '.join(PUBLISHED)} (linguistic_constraints/ of github.com/nmrksic/counter-fitting).")
        return folder
    folder = downloaded()
    if all((folder / f).is_file() and sha256(folder / f) == h for f, h in PUBLISHED.items()):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name, expected in PUBLISHED.items():
        url = URL.format(commit=COMMIT, name=name)
        log(f"Downloading {url} ...")
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (fixed https URL)
            data = response.read()
        if hashlib.sha256(data).hexdigest() != expected:
            raise RuntimeError(f"the downloaded {name} does not match its published SHA-256")
        tmp = folder / f"{name}.part"
        tmp.write_bytes(data)
        tmp.replace(folder / name)
    return folder


def build_key(glove: Path, constraints: Path, params: dict, vocab: int) -> tuple[str, dict]:
    """The cache key of a build and the inputs it hashes."""
    inputs = {"algorithm": ALGORITHM, "params": params, "vocab": vocab, "glove": input_hash(glove),
              "constraints": {f: sha256(constraints / f) for f in (*SYNONYM_FILES, *ANTONYM_FILES)}}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16], inputs


def build(glove: str, constraints: Path, log: Log = print, vocab: int | None = None, params=None) -> Path:
    """Counter-fit ``glove`` to ``constraints`` (or reuse the cached build of the same inputs); make it current."""
    import numpy as np

    from audit.resources.counterfit import Params, counter_fit, read_pairs, symmetric
    from audit.resources.vectors import GLOVE_VOCAB, read_vectors

    params, vocab = params or Params(), vocab or GLOVE_VOCAB
    key, inputs = build_key(Path(glove), constraints, params.as_dict(), vocab)
    out = builds_dir() / key
    if _complete(out):
        log(f"counterfit: build {key} is up to date (same vectors, constraints and parameters)")
        _make_current(key)
        return out
    t0 = time.perf_counter()
    words, matrix = read_vectors(glove, vocab)
    index = {w: i for i, w in enumerate(words)}

    def pairs(files):
        return symmetric(np.concatenate([read_pairs(constraints / f, index) for f in files]))

    vectors, stats = counter_fit(matrix, pairs(SYNONYM_FILES), pairs(ANTONYM_FILES), params, log)
    differs = [f for f, h in inputs["constraints"].items() if h != PUBLISHED[f]]
    if differs:
        log(f"counterfit: {', '.join(differs)} differ from the published constraints (commit {COMMIT[:8]})")
    manifest = {**inputs, "key": key, "glove_path": str(glove), "constraints_dir": str(constraints),
                "published_constraints": not differs, "stats": stats, "seconds": round(time.perf_counter() - t0, 2),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    tmp = builds_dir() / f".{key}.part"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.save(tmp / "vectors.npy", vectors)
    (tmp / "vocab.txt").write_text("".join(w + "\n" for w in words), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)  # an unfinished earlier build
    tmp.replace(out)
    _make_current(key)
    log(f"counterfit: built {key} in {manifest['seconds']} s ({stats['words']} words)")
    return out


def _make_current(key: str) -> None:
    tmp = builds_dir() / "current.part"
    tmp.write_text(key + "\n", encoding="utf-8")
    tmp.replace(builds_dir() / "current")
