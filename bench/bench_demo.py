"""Wall time and peak memory of the embedded demo (`audit run` with no model).

Cold: a fresh model cache, so both demo models are trained. Warm: the cached models are
reused, so only the audit runs. Target: under 5 minutes of audit time on 2 CPU cores.

Run: python bench/bench_demo.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def run_once(cache: str, out: str) -> tuple[float, float]:
    env = {**os.environ, "AUDIT_CACHE_DIR": cache, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    # A fresh wrapper per run, so each run's peak is its own (RUSAGE_CHILDREN keeps the max ever).
    wrapper = (
        "import resource, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'audit', 'run', '--out', {out!r}, '--quiet'], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper], env=env, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", help="Use (and keep) this cache directory instead of a temporary one.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.keep or os.path.join(tmp, "cache")
        rows = [("cold (trains both models)", *run_once(cache, os.path.join(tmp, "out1")))]
        rows.append(("warm (cached models)", *run_once(cache, os.path.join(tmp, "out2"))))
    print(f"{'demo run':<28}{'wall s':>9}{'peak RSS MiB':>14}")
    for name, seconds, peak in rows:
        print(f"{name:<28}{seconds:>9.1f}{peak:>14.0f}")
    print(f"CPU cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
