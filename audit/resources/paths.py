"""Where the project keeps what attacks need, so nothing lands in a library's own default place.

One cache root (``$AUDIT_CACHE_DIR``, default ``~/.cache/audit``, as for the demo models), an
NLTK data directory inside it (``$AUDIT_NLTK_DATA`` overrides) and TextAttack's cache dir.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("AUDIT_CACHE_DIR") or Path.home() / ".cache" / "audit")


def nltk_dir() -> Path:
    """The NLTK data directory the project manages (stopwords, WordNet)."""
    return Path(os.environ.get("AUDIT_NLTK_DATA") or cache_root() / "nltk_data")


def textattack_dir() -> Path:
    """TextAttack's ``TA_CACHE_DIR``: its post-install marker lives here, not in ~/.cache/textattack."""
    return cache_root() / "textattack"


def downloads_dir() -> Path:
    """Files ``audit resources --fetch`` downloads (synonym pairs, a masked language model)."""
    return cache_root() / "resources"
