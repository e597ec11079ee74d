"""Start-up cost of the CLI: `audit --help` and `audit probes` must import no torch,
transformers or textattack and finish in under 0.5 s.

Run: python bench/bench_cli_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("torch", "transformers", "textattack", "datasets", "sklearn")
CHECK = "import sys, runpy; sys.argv = {argv!r}; \n" \
        "try:\n    runpy.run_module('audit', run_name='__main__')\nexcept SystemExit:\n    pass\n" \
        "print('HEAVY:' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"


def measure(args: list[str], repeat: int) -> tuple[float, float, str]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "audit", *args], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    probe = subprocess.run(
        [sys.executable, "-c", CHECK.format(argv=["audit", *args], heavy=HEAVY)], capture_output=True, text=True
    )
    heavy = probe.stderr.strip().rsplit("HEAVY:", 1)[-1] or "none"
    return statistics.median(times), min(times), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'command':<22}{'median s':>10}{'best s':>10}  heavy modules imported")
    for argv in (["--help"], ["probes"], ["run", "--help"]):
        med, best, heavy = measure(argv, args.repeat)
        flag = "" if med < 0.5 and heavy == "none" else "   <-- over budget"
        print(f"{'audit ' + ' '.join(argv):<22}{med:>10.3f}{best:>10.3f}  {heavy}{flag}")


if __name__ == "__main__":
    main()
