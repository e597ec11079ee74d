"""How the terminal and both reports word a fairness probe's axis coverage: axes that found no
text (so were not tested), and texts left out because the swap rules could not decide. The
numbers come from a probe's ``details.per_axis`` (the same for every model of a run)."""

from __future__ import annotations

from audit.core.document import as_dict, model_result


def per_axis(probe: dict, models: list[str]) -> dict[str, dict]:
    """``details.per_axis`` of the first model that has it ({} when none does)."""
    for m in models:
        found = as_dict(as_dict((model_result(probe, m) or {}).get("details")).get("per_axis"))
        if found:
            return {str(k): as_dict(v) for k, v in found.items()}
    return {}


def _count(entry: dict, key: str) -> int:
    value = entry.get(key)
    return value if isinstance(value, int) else 0


def empty_axes(axes: dict[str, dict]) -> list[str]:
    """Axes on which no text names exactly one group."""
    return [a for a, e in axes.items() if _count(e, "texts") == 0]


def axis_notes(axes: dict[str, dict]) -> list[str]:
    """Sentences about untested axes and undecided texts; none when every axis was tested."""
    notes = []
    empty = empty_axes(axes)
    if empty:
        one = len(empty) == 1
        notes.append(f"No text names a group of {', '.join(empty)}: {'this axis was' if one else 'these axes were'} "
                     f"not tested (0 texts), so {'its' if one else 'their'} metrics are missing, not zero.")
    unswapped = [a for a, e in axes.items()
                 if _count(e, "texts") > 0 and "counterfactuals" in e and _count(e, "counterfactuals") == 0]
    if unswapped:
        notes.append(f"Texts name a group of {', '.join(unswapped)}, but no counterfactual was made from them "
                     "(every one undecided, or no target group has the words they use).")
    undecided = {a: e for a, e in axes.items() if _count(e, "undecided") > 0}
    if undecided:
        parts = []
        for a, e in undecided.items():
            reasons = "; ".join(f"{r}: {n}" for r, n in as_dict(e.get("undecided_reasons")).items())
            parts.append(f"{a} {_count(e, 'undecided')}" + (f" ({reasons})" if reasons else ""))
        total = sum(_count(e, "undecided") for e in undecided.values())
        notes.append(f"{total} text{'s' if total != 1 else ''} not swapped because the rules could not decide a "
                     f"mention, counted and never emitted: {', '.join(parts)}.")
    return notes
