"""audit.stats is the bottom layer: it imports nothing from audit but audit.core.errors, and importing it
loads no scipy, statsmodels or torch (scipy.special is imported inside the one function that needs it)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import audit.stats

PACKAGE = Path(audit.stats.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_stats_imports_only_core_errors_from_audit():
    files = sorted(PACKAGE.glob("*.py"))
    assert {f.name for f in files} >= {"proportions.py", "bootstrap.py", "paired_tests.py", "multiplicity.py",
                                       "classification.py", "__init__.py"}
    for path in files:
        own = {m for m in imported_modules(path) if m == "audit" or m.startswith("audit.")}
        stray = {m for m in own if not (m == "audit.core.errors" or m == "audit.stats" or m.startswith("audit.stats."))}
        assert not stray, f"{path.name} imports {sorted(stray)}"


def test_importing_stats_is_light():
    code = ("import sys, audit.stats; heavy = [m for m in ('scipy', 'statsmodels', 'torch', 'sklearn', 'pandas') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
