"""One audit at a time per output folder.

Two runs writing the same ``--out`` would each keep its own copy of results.json in memory and
the last save would silently drop the other's finished work. Every command that writes into an
output folder holds an OS file lock on ``OUT/.audit.lock`` (``filelock``; the kernel releases it
when the holder dies, so the lock of a killed run is taken over by the next one). Who holds it
(pid, host, start time) is written beside it in ``OUT/.audit.lock.json``, for the one-line error
a second run gets at once. Holding is re-entrant within a process (the CLI holds the folder for a
whole run, report and gate included, and the runner asks again inside).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from audit.core.errors import AuditError

LOCK_NAME = ".audit.lock"
HOLDER_NAME = ".audit.lock.json"
_held: dict[Path, int] = {}  # folders this process holds, with how many nested holds

IN_USE = ("Output folder '{out}' is in use by another audit ({holder}); wait for it to finish, or pass another "
          "--out.")


def _holder(folder: Path) -> str:
    try:
        info = json.loads((folder / HOLDER_NAME).read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def stale_holder(folder: Path) -> int | None:
    """The pid of a previous holder on this host that is no longer running (its lock was released
    by the kernel when it died), or None."""
    try:
        info = json.loads((folder / HOLDER_NAME).read_text(encoding="utf-8"))
        pid = int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if info.get("host") != socket.gethostname() or pid == os.getpid():
        return None
    return None if _process_alive(pid) else pid


@contextlib.contextmanager
def hold_out_dir(folder: str | Path, on_takeover=None) -> Iterator[Path]:
    """Hold ``folder`` (created if missing) for the duration; a folder held by another process is
    an :class:`AuditError` naming the holder. ``on_takeover(pid)`` is called when the previous
    holder died without releasing (a killed run)."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise AuditError(f"Output path '{folder}' is a file; pass --out with a directory path.")
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AuditError(f"Cannot create output directory '{folder}': {exc.strerror}. Pass another --out.") from None
    key = path.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield path
        finally:
            _held[key] -= 1
        return
    lock = FileLock(str(path / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise AuditError(IN_USE.format(out=folder, holder=_holder(path))) from None
    try:
        dead = stale_holder(path)
        if dead is not None and on_takeover is not None:
            on_takeover(dead)
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        (path / HOLDER_NAME).write_text(json.dumps(info), encoding="utf-8")
        _held[key] = 1
        yield path
    finally:
        _held.pop(key, None)
        with contextlib.suppress(OSError):
            (path / HOLDER_NAME).unlink()
        lock.release()
        if created:  # an early error wrote nothing: leave no empty folder behind
            with contextlib.suppress(OSError):
                if [p.name for p in path.iterdir()] == [LOCK_NAME]:
                    (path / LOCK_NAME).unlink()
                    path.rmdir()
