"""The groups robustness is broken down by: the data's sensitive columns, else the groups the texts name.

The same groups as the group-fairness probe sees with its defaults (every sensitive column, or identity
terms of the bundled term lists), found once per dataset and shared by the noise and attack probes and
every model. Unlike group-fairness, a column with fewer than two groups is noted and skipped, not an
error: the breakdown is a by-product of a robustness probe, which must not fail for it.
"""

from __future__ import annotations

from audit.probes.fairness.group.attributes import INFERRED_NOTE, PAIRS_NOTE, Attribute, inferred
from audit.probes.fairness.terms import load_axes

_MEMO: dict[str, tuple[list[Attribute], dict]] = {}


def _column(name: str, values: list) -> Attribute | None:
    clean = [str(v) if v is not None and str(v).strip() else None for v in values]
    return Attribute(name, clean, "column") if len({v for v in clean if v is not None}) >= 2 else None


def sensitive_groups(data) -> tuple[list[Attribute], dict]:
    """(attributes with two or more groups, how they were found) for ``data``; memoised by fingerprint."""
    key = str(data.fingerprint)
    if key not in _MEMO:
        if data.attributes:
            attrs = [a for a in (_column(n, v) for n, v in data.attributes.items()) if a is not None]
            skipped = sorted(set(data.attributes) - {a.name for a in attrs})
            source = {"inferred": False, "columns": list(data.attributes),
                      **({"skipped": {n: "fewer than two groups" for n in skipped}} if skipped else {})}
        else:
            attrs, summary = inferred(list(data.texts), load_axes(), data.text_pairs)
            source = {"inferred": True, "note": INFERRED_NOTE + (PAIRS_NOTE if data.is_pair else ""),
                      "axes": summary}
        _MEMO.clear()  # one dataset per audit: keep only the last
        _MEMO[key] = (attrs, source)
    return _MEMO[key]
