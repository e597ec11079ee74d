"""Each column against the baseline, per metric: the paired verdict where a paired test exists,
else the conservative interval rule (better / worse only when the two CIs do not overlap). A
column on other (or unverified) data than the baseline gets no verdict at all: its intervals
describe other examples, so even "not distinguishable" would claim too much."""

from __future__ import annotations

from typing import Any

from audit.compare.pairing import BETTER, NOT_DISTINGUISHABLE, WORSE
from audit.core.fmt import ci_of, overlaps

NO_CI, NO_DIRECTION, NO_VALUE = "no CI", "no preferred direction", "no value"


def interval_verdict(cell: dict, base: dict, higher_is_better: bool | None) -> str:
    if cell.get("status") != "ok" or base.get("status") != "ok":
        return NO_VALUE
    if higher_is_better is None:
        return NO_DIRECTION
    ci, base_ci = ci_of(cell), ci_of(base)
    if ci is None or base_ci is None:
        return NO_CI
    if overlaps(ci, base_ci):
        return NOT_DISTINGUISHABLE
    above = min(ci) > max(base_ci)
    return BETTER if above == higher_is_better else WORSE


def versus_baseline(rows: list[dict], baseline: str, paired: list[dict], no_comparison: dict[str, str] | None = None) -> None:
    """Add ``versus_baseline`` {column: {"verdict", "basis"}} to every metric row, in place.

    ``no_comparison`` maps a column to why it is not compared ("different_data" / "unverified_data"):
    its verdict is None with that basis.
    """
    by_pair = {(t["address"], t["column"]): t for t in paired}
    no_comparison = no_comparison or {}
    for row in rows:
        base = row["values"].get(baseline) or {}
        verdicts: dict[str, Any] = {}
        for key, cell in row["values"].items():
            if key == baseline:
                continue
            test = by_pair.get((row["address"], key))
            if key in no_comparison:
                verdicts[key] = {"verdict": None, "basis": no_comparison[key]}
            elif test is not None and test.get("verdict"):
                verdicts[key] = {"verdict": test["verdict"], "basis": "paired"}
            else:
                verdicts[key] = {"verdict": interval_verdict(cell, base, row["higher_is_better"]), "basis": "intervals"}
        row["versus_baseline"] = verdicts
