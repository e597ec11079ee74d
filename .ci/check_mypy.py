"""Type-check the package with mypy against a baseline of known errors: fail on any new error.

    python .ci/check_mypy.py            # check; exit 1 when mypy reports an error not in the baseline
    python .ci/check_mypy.py --update   # also delete the baseline entries that no longer occur

The baseline (.ci/mypy-baseline.txt) holds one line per known error, `path: [code] message`,
without line numbers, so edits elsewhere in a file do not churn it. It only shrinks: --update
removes fixed entries and never adds any. A new error is fixed in the code, or (for a deliberate
exception, or after a mypy or library upgrade) silenced with `# type: ignore[code]` or added to the
baseline by hand; --rebuild rewrites the whole baseline from today's errors (review its diff).

mypy checks the package `audit` from the repository root (audit/probes and audit/reports are
links to the top-level probes/ and reports/) and the script reports each error at the file's own
path (probes/..., reports/...). Settings: [tool.mypy] in pyproject.toml.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"probes": "audit/probes", "reports": "audit/reports"}  # the links in audit/ to the top-level folders
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
CACHE = ROOT / "build" / "mypy-cache"
HEADER = """\
# Known mypy errors on the package (python .ci/check_mypy.py): one line per error, no line numbers.
# This list only shrinks: delete the lines of errors you fix (or run the script with --update).
"""


def repo_path(path: str) -> str:
    """A path through a link as the file's own path in the repository: audit/probes/x.py -> probes/x.py."""
    posix = Path(path).as_posix()
    for folder, dest in MAPPED.items():
        if posix.startswith(dest + "/"):
            return folder + posix[len(dest):]
    return posix


def normalise(error: dict) -> str:
    message = re.sub(r"\bline \d+", "line N", error["message"])  # 'already defined on line 12'
    return f"{repo_path(error['file'])}: [{error.get('code') or 'misc'}] {message}"


def run_mypy() -> list[tuple[str, str]]:
    """(normalised entry, path:line as printed) for each error mypy reports."""
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
           "--cache-dir", str(CACHE), "--output", "json", "-p", "audit"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    errors, other = [], []
    for line in proc.stdout.splitlines():
        try:
            error = json.loads(line)
        except json.JSONDecodeError:
            other.append(line)
            continue
        if error.get("severity") == "error":
            errors.append((normalise(error), f"{repo_path(error['file'])}:{error['line']}"))
    if proc.returncode not in (0, 1) or other or (proc.returncode == 1 and not errors):
        # A crash, a blocking error (syntax, bad config) or output we cannot read: show it all.
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mypy did not complete (exit {proc.returncode}): {' '.join(cmd)}")
    return errors


def read_baseline() -> list[str]:
    if not BASELINE.exists():
        return []
    return [line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def write_baseline(entries: list[str]) -> None:
    BASELINE.write_text(HEADER + "".join(f"{e}\n" for e in sorted(entries)), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="delete baseline entries that no longer occur")
    mode.add_argument("--rebuild", action="store_true",
                      help="rewrite the baseline from today's errors (after a mypy or library upgrade)")
    args = parser.parse_args()

    start = time.perf_counter()
    errors = run_mypy()
    current = Counter(entry for entry, _ in errors)
    known = Counter(read_baseline())
    new = current - known
    gone = known - current
    took = time.perf_counter() - start

    if args.rebuild:
        write_baseline(list(current.elements()))
        print(f"mypy: wrote {sum(current.values())} entries to {BASELINE.relative_to(ROOT)} ({took:.1f} s)")
        return 0
    if new:
        print(f"mypy: {sum(new.values())} new error(s), not in {BASELINE.relative_to(ROOT)}:")
        for entry, where in errors:  # every occurrence of a new entry, with its line number
            if new[entry]:
                print(f"  {where}: {entry.split(': ', 1)[1]}")
        print("Fix them, or (for a deliberate exception) add `# type: ignore[code]` on the line.")
    if gone:
        if args.update:
            write_baseline(list((known - gone).elements()))
            print(f"mypy: removed {sum(gone.values())} fixed entries from {BASELINE.relative_to(ROOT)}")
        else:
            print(f"mypy: {sum(gone.values())} baseline entries no longer occur; delete them from "
                  f"{BASELINE.relative_to(ROOT)} (python .ci/check_mypy.py --update):")
            for entry in sorted(gone.elements()):
                print(f"  {entry}")
    print(f"mypy: {sum(current.values())} errors, {sum(known.values())} in the baseline, {sum(new.values())} new, "
          f"{sum(gone.values())} fixed ({took:.1f} s)")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
