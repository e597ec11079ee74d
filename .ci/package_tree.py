"""Build build/pkgtree/audit, the installed package's layout as links to the repository's files.

setup.py maps the folders probes/ and reports/ to the subpackages audit.probes and audit.reports,
and an editable install finds them through an import hook that static tools (mypy, import-linter's
grimp) do not run, so they see no audit.probes. This tree has real folders and one symbolic link
per source file, rebuilt on every call (cheap), so edits show at once and deleted files vanish:

    PYTHONPATH="$(python .ci/package_tree.py)" lint-imports

Prints the folder to put on the path. check_mypy.py uses it too (and maps paths back).
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "pkgtree"
PACKAGE = "audit"


@functools.lru_cache(maxsize=1)
def mapped_folders() -> dict[str, str]:
    """Subpackage -> folder, from setup.py's ``MAPPED = {...}`` (the one source of truth)."""
    module = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "MAPPED" for t in node.targets):
            return dict(ast.literal_eval(node.value))
    raise SystemExit("setup.py has no `MAPPED = {...}` package-dir mapping; update .ci/package_tree.py")


def build() -> Path:
    """The folder holding ``audit/`` (with probes/ and reports/ in place); returns it."""
    if TREE.exists():
        shutil.rmtree(TREE)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / PACKAGE, TREE / PACKAGE, ignore=ignore, copy_function=os.symlink)
    for subpackage, folder in sorted(mapped_folders().items()):
        target = TREE / Path(*subpackage.split("."))
        if target.exists():
            raise SystemExit(f"{target.relative_to(TREE)} exists in the repository, but setup.py maps {folder}/ there")
        shutil.copytree(ROOT / folder, target, ignore=ignore, copy_function=os.symlink)
    return TREE


def repo_path(path: str) -> str:
    """A path inside the tree (relative to it) as the file's path in the repository."""
    parts = Path(path).parts
    for subpackage, folder in mapped_folders().items():
        prefix = tuple(subpackage.split("."))
        if parts[:len(prefix)] == prefix:
            return Path(folder, *parts[len(prefix):]).as_posix()
    return Path(path).as_posix()


if __name__ == "__main__":
    print(build())
