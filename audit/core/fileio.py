"""Atomic file writes: a temp file in the same folder, fsync, then rename.

A reader (or a resumed audit) never sees half a file, and an interrupted write leaves the
old file intact. The temp file is opened normally so it honours the umask (mkstemp's 0600
would make results unreadable to the rest of a team).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def temp_path_for(path: Path) -> Path:
    """A unique temp name beside ``path`` (concurrent writers do not clash)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def atomic_write_text(path: str | Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(path)
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
