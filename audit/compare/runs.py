"""Saved runs to compare: where each came from, what to call it, and whether the data match.

Comparisons read only results.json files and their prediction sidecars, never a model, so a
run audited last month compares with one audited today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.core.errors import AuditError
from audit.core.results import RESULTS_FILE, load_results

RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
ALLOW_FLAG = "--allow-different-data"


@dataclass
class Run:
    name: str
    directory: Path  # where results.json and predictions/ live
    doc: dict[str, Any]

    @property
    def fingerprint(self) -> str | None:
        return (self.doc.get("dataset") or {}).get("fingerprint")

    @property
    def model_ids(self) -> list[str]:
        from audit.core.document import model_ids

        return model_ids(self.doc)


def short(fingerprint: str | None) -> str:
    from audit.core.fmt import short_hash

    return short_hash(fingerprint) if fingerprint else "no fingerprint"


def _default_names(paths: list[Path], docs: list[dict]) -> list[str]:
    """The results directory's name; the run id where two directories share a name."""
    names = [p.resolve().name for p in paths]
    if len(set(names)) < len(names):
        names = [str((d.get("run") or {}).get("id") or n) for n, d in zip(names, docs)]
    unique, seen = [], {}
    for n in names:
        n = re.sub(r"[^A-Za-z0-9_.-]", "-", n).strip("-.") or "run"
        seen[n] = seen.get(n, 0) + 1
        unique.append(n if seen[n] == 1 else f"{n}-{seen[n]}")
    return unique


def load_runs(paths: list[str], names: list[str] | None = None) -> list[Run]:
    """Each path is a results.json or the directory holding it; ``names`` label them in that order."""
    if len(paths) < 2:
        raise AuditError("Compare needs at least two runs; pass two or more results.json files or their directories.")
    if names and len(names) != len(paths):
        raise AuditError(f"Got {len(names)} --name value(s) for {len(paths)} runs; give one --name per run, in order.")
    docs, dirs = [], []
    for raw in paths:
        p = Path(raw)
        docs.append(load_results(p))
        dirs.append(p if p.is_dir() else p.parent)
    if names:
        for n in names:
            if not RUN_NAME.fullmatch(n):
                raise AuditError(f"Run name {n!r} may use only letters, digits, '.', '_' and '-'; rename it.")
        if len(set(names)) < len(names):
            raise AuditError(f"--name values must differ, got {', '.join(names)}; give each run its own name.")
    resolved = list(names) if names else _default_names(dirs, docs)
    runs = [Run(n, d, doc) for n, d, doc in zip(resolved, dirs, docs)]
    same = {(r.directory / RESULTS_FILE).resolve() for r in runs}
    if len(same) < len(runs):
        raise AuditError("The same results file was given twice; pass each run once.")
    return runs


def check_data(runs: list[Run], allow_different: bool) -> bool:
    """True when every run used the same data; different or unverifiable data is an error unless allowed."""
    unverified = [r.name for r in runs if not r.fingerprint]
    if unverified:
        if allow_different:
            return False
        who = ("Run " if len(unverified) == 1 else "Runs ") + ", ".join(repr(n) for n in unverified)
        raise AuditError(
            f"{who} record{'s' if len(unverified) == 1 else ''} no data fingerprint, so the data cannot be verified "
            f"to match; pass {ALLOW_FLAG} to compare anyway (columns on unverified data then get no verdict)."
        )
    first = runs[0]
    for other in runs[1:]:
        if other.fingerprint != first.fingerprint:
            if allow_different:
                return False
            raise AuditError(
                f"Runs '{first.name}' (data {short(first.fingerprint)}) and '{other.name}' (data {short(other.fingerprint)}) "
                f"were audited on different data; pass {ALLOW_FLAG} to compare them anyway."
            )
    return True


def data_match(run: Run, base: Run) -> str:
    """"same" when ``run`` scored the baseline's examples (one run, or equal fingerprints), else why not:
    "different_data" or "unverified_data". Only columns on the same data can be paired or ranked."""
    if run is base or (run.fingerprint and run.fingerprint == base.fingerprint):
        return "same"
    return "different_data" if run.fingerprint and base.fingerprint else "unverified_data"


def copies(runs: list[Run]) -> dict[str, list[str]]:
    """{run id: [names]} for runs that share a run id: copies of one audit, whose agreement proves nothing."""
    by_id: dict[str, list[str]] = {}
    for run in runs:
        run_id = (run.doc.get("run") or {}).get("id")
        if run_id:
            by_id.setdefault(str(run_id), []).append(run.name)
    return {run_id: names for run_id, names in by_id.items() if len(names) > 1}
