"""A hub id with the offline variables unset and no reachable hub: one line within seconds (not
minutes of "Retrying in Ns"), naming what to set; a model already in the cache loads from it.
Each case runs `audit run` in a fresh process with its own empty cache and a hub endpoint that
cannot answer: a name that does not resolve, or a port that accepts and never replies."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tiny_bert import build_tiny_bert

LIMIT_S = 10.0


@pytest.fixture()
def silent_endpoint():
    """http://127.0.0.1:PORT that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def run_online(tmp_path: Path, endpoint: str, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")}
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(tmp_path / "hf-home"))
    (tmp_path / "d.csv").write_text("text,label\nthe film was great,positive\nthe film was dull,negative\n", encoding="utf-8")
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "audit", "run", "--data", str(tmp_path / "d.csv"), "--probe", "metrics",
                          "--out", str(tmp_path / "out"), "-q", *args], env=env, capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    return res, time.perf_counter() - t0


@pytest.mark.parametrize("where", ["no-dns", "silent"])
def test_an_unreachable_hub_is_one_line_within_ten_seconds(tmp_path, silent_endpoint, where):
    endpoint = "http://hub.does-not-resolve.invalid" if where == "no-dns" else silent_endpoint
    res, seconds = run_online(tmp_path, endpoint, "--model", "someone/some-model")
    output = res.stdout + res.stderr
    assert res.returncode == 2, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in output and "Retrying" not in output, output
    assert "cannot be reached" in errors[0] and "someone/some-model" in errors[0] and "HF_HUB_OFFLINE=1" in errors[0]
    print(f"{where}: error after {seconds:.1f} s, imports included")  # the figure for the note, not a timed test


def test_the_hub_check_answers_within_its_wait_whatever_the_endpoint_does(silent_endpoint, monkeypatch):
    from audit.core import hub_reach

    monkeypatch.setattr(hub_reach, "WAIT_S", 1.5)
    monkeypatch.setattr(hub_reach, "_answers", {})
    monkeypatch.setenv("HF_ENDPOINT", silent_endpoint)
    t0 = time.monotonic()
    reason = hub_reach.unreachable_reason()
    assert reason is not None and time.monotonic() - t0 < LIMIT_S  # bounded by the thread's join, not the network
    assert hub_reach.unreachable_reason() == reason  # asked once per process


def test_a_cached_model_loads_when_the_hub_cannot_be_reached(tmp_path, silent_endpoint):
    snapshot = tmp_path / "hf-home" / "hub" / "models--someone--tiny" / "snapshots" / "abc123"
    build_tiny_bert(snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("abc123", encoding="utf-8")
    res, _ = run_online(tmp_path, silent_endpoint, "--model", "someone/tiny")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "out" / "results.json").is_file()
