"""Is the Hugging Face Hub reachable? Asked once, answered within seconds.

Without the offline variables, transformers and datasets try an unreachable hub for minutes
(DNS failures and silent endpoints are retried with back-off, a "Retrying in Ns" line each).
One HEAD request to the endpoint, bounded in a thread (name resolution has no timeout of its
own), tells first; callers then use the local cache or give one line saying how to work offline.
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request

DEFAULT_ENDPOINT = "https://huggingface.co"
WAIT_S = 8.0  # resolution, connection and first response together
_answers: dict[str, str | None] = {}  # endpoint -> None (reachable) or why not; asked once per process


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _ask(url: str, out: list) -> None:
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=WAIT_S)  # noqa: S310 (http(s) only)
        out.append(None)
    except urllib.error.HTTPError:
        out.append(None)  # it answered: any status means the hub is there
    except Exception as exc:  # noqa: BLE001  (URLError, socket errors, timeouts: all mean unreachable)
        reason = getattr(exc, "reason", exc)
        out.append(f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__)


def unreachable_reason() -> str | None:
    """None when the hub endpoint answers within :data:`WAIT_S` seconds, else why not (one line)."""
    url = endpoint()
    if url in _answers:
        return _answers[url]
    if not url.startswith(("http://", "https://")):
        return f"HF_ENDPOINT '{url}' is not an http(s) address"
    out: list = []
    worker = threading.Thread(target=_ask, args=(url, out), daemon=True)
    worker.start()
    worker.join(WAIT_S)
    answer = out[0] if out else f"no answer within {WAIT_S:.0f} s"
    _answers[url] = answer
    return answer


def offline_advice(what: str, name: str) -> str:
    """The fix to print when the hub cannot be reached and ``name`` is not cached."""
    return (f"The Hugging Face Hub ({endpoint()}) cannot be reached ({unreachable_reason()}) and {what} '{name}' is not "
            f"in the local cache; download it on a connected machine (huggingface-cli download {name}) and copy the "
            "cache or pass a local path, or set HF_HUB_OFFLINE=1 to use only what is cached.")
