"""Stage the package as it installs (audit/, probes/ -> audit/probes, reports/ -> audit/reports)
in a temporary folder, for tools that walk the source tree instead of importing through the
setuptools mapping (import-linter's grimp, mypy). Usage: python .ci/staged_package.py TOOL ARGS...
runs TOOL with the staged folder first on PYTHONPATH, from that folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"probes": "audit/probes", "reports": "audit/reports"}


def stage(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "audit", target / "audit", ignore=ignore)
    for folder, dest in MAPPED.items():
        shutil.copytree(ROOT / folder, target / dest, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="audit-staged-") as tmp:
        staged = stage(Path(tmp))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(staged), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        return subprocess.run(argv, cwd=staged, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
