"""Write constraints.txt: the exact versions of audit's dependency closure (distribution ``audit-text-clf``,
with the attack, ray and test extras) as installed here, the set the suite passed with. pyproject.toml keeps ranges; the README's commands
and .ci/run install with ``-c constraints.txt`` so every install reproduces the tested set.

Run after a green `.ci/run` in a fresh environment: python .ci/freeze_constraints.py
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str, extras: set[str]) -> dict[str, str]:
    """{distribution: installed version} for ``root`` and everything it requires (markers honoured)."""
    found: dict[str, str] = {}
    todo = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a marker-excluded or optional requirement not installed here
        for raw in dist.requires or []:
            req = Requirement(raw)
            envs = [{**default_environment(), "extra": e} for e in (wanted or {""})]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            key = canonical(req.name)
            if key not in found:
                try:
                    found[key] = metadata.version(req.name)
                except metadata.PackageNotFoundError:
                    continue
                todo.append((req.name, set(req.extras)))
    found.pop(canonical(root), None)
    return found


def main() -> None:
    pins = closure("audit-text-clf", {"attack", "ray", "test"})
    lines = ["# The exact set the test suite passed with (python .ci/freeze_constraints.py; see its docstring).",
             *(f"{name}=={re.sub(r'[+].*$', '', version)}" for name, version in sorted(pins.items()))]
    (ROOT / "constraints.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"constraints.txt: {len(pins)} distributions")


if __name__ == "__main__":
    main()
