"""One audit per output folder: a second run on a held --out fails at once (exit 2, one line naming
the holder) and leaves the first run's results alone; a killed holder's lock is taken over."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from audit.core.errors import AuditError
from audit.core.outlock import HOLDER_NAME, hold_out_dir

HOLD = """
import sys, time
from audit.core.outlock import hold_out_dir
with hold_out_dir(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""


@pytest.fixture()
def holder(tmp_path):
    """A separate process holding ``tmp_path / 'out'``; yields (folder, process)."""
    folder = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    yield folder, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_a_second_run_on_a_held_out_fails_at_once_naming_the_holder(cli, holder):
    folder, proc = holder
    (folder / "results.json").write_text('{"the first run": "finished work"}', encoding="utf-8")
    t0 = time.perf_counter()
    res = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--out", str(folder), "-q")
    assert time.perf_counter() - t0 < 30  # at once: it does not wait for the holder
    assert res.exit_code == 2, res.output
    (line,) = [x for x in res.output.splitlines() if x.startswith("Error:")]
    assert f"pid {proc.pid} on {socket.gethostname()}" in line and "started" in line and "--out" in line
    assert "Traceback" not in res.output
    assert json.loads((folder / "results.json").read_text()) == {"the first run": "finished work"}


def test_gate_and_report_on_a_held_folder_fail_at_once(cli, holder, tmp_path):
    folder, proc = holder
    done = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--probe", "metrics", "--out", str(tmp_path / "a"), "-q")
    assert done.exit_code == 0, done.output
    (folder / "results.json").write_bytes((tmp_path / "a" / "results.json").read_bytes())
    (tmp_path / "policy.yaml").write_text("checks:\n  - metric: metrics.accuracy\n    operator: \">=\"\n    threshold: 0.1\n", encoding="utf-8")
    for args in (("report", str(folder)), ("gate", str(folder), "--policy", str(tmp_path / "policy.yaml"))):
        res = cli(*args)
        assert res.exit_code == 2 and f"pid {proc.pid}" in res.output, (args, res.output)
    assert not (folder / "report.html").exists()


def test_a_killed_holders_lock_is_taken_over(tmp_path, holder):
    folder, proc = holder
    with pytest.raises(AuditError, match=f"pid {proc.pid}"):
        with hold_out_dir(folder):
            pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert json.loads((folder / HOLDER_NAME).read_text())["pid"] == proc.pid  # it died holding
    taken = []
    with hold_out_dir(folder, on_takeover=taken.append):
        assert json.loads((folder / HOLDER_NAME).read_text())["pid"] == os.getpid()
    assert taken == [proc.pid]
    assert not (folder / HOLDER_NAME).exists()  # released: nothing left behind


def test_holding_is_reentrant_within_a_process_and_released_after(tmp_path):
    folder = tmp_path / "out"
    with hold_out_dir(folder):
        with hold_out_dir(folder):
            pass
        probe = subprocess.run([sys.executable, "-c", HOLD.replace("time.sleep(120)", "pass"), str(folder)],
                               capture_output=True, text=True)
        assert probe.returncode != 0 and "in use by another audit" in probe.stderr  # still held by the outer hold
    probe = subprocess.run([sys.executable, "-c", HOLD.replace("time.sleep(120)", "pass"), str(folder)],
                           capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr


def test_an_early_error_leaves_no_empty_out_folder(cli, tmp_path):
    out = tmp_path / "never-written"
    res = cli("run", "--model", "tfidf.skops", "--data", "missing.csv", "--out", str(out), "-q")
    assert res.exit_code == 2 and "missing.csv" in res.output
    assert not out.exists()
    kept = tmp_path / "existing"
    kept.mkdir()
    assert cli("run", "--model", "tfidf.skops", "--data", "missing.csv", "--out", str(kept), "-q").exit_code == 2
    assert kept.is_dir()  # a folder the user made stays
