"""The counterfactual section's coverage: per axis, the texts that name one group, the
counterfactuals made and the texts left out (several groups, undecided, no words for a target),
with the axes that found no text said out loud rather than left to the raw details."""

from __future__ import annotations

from audit.core.axis_text import axis_notes, per_axis
from audit.core.fmt import fmt_num
from audit.reports.blocks import Callout, Cell, CellLike, Table

COLUMNS = (("texts", "texts naming one group"), ("counterfactuals", "counterfactuals"),
           ("mixed", "texts naming several groups"), ("undecided", "undecided (not swapped)"),
           ("skipped_targets", "target groups without the words"))


def coverage_blocks(probe: dict, models: list[str]) -> list:
    """A callout per note (untested axes, undecided texts) and the per-axis table; [] without counts."""
    axes = per_axis(probe, models)
    if not axes:
        return []
    rows: list[list[CellLike]] = []
    for axis, entry in axes.items():
        empty = entry.get("texts") == 0
        row: list[CellLike] = [Cell(axis, css="label", badge="not tested" if empty else "")]
        row += [Cell(fmt_num(entry.get(key)) if key in entry else "—", css="num muted" if empty else "num")
                for key, _ in COLUMNS]
        rows.append(row)
    table = Table(["Axis"] + [label for _, label in COLUMNS], rows, title="Texts per axis", css="compact",
                  caption="Undecided: a mention the swap rules cannot tell (an ambiguous 'her', a reflexive after "
                          "a name the lists do not hold); such a text is not swapped on that axis.")
    return [Callout("warn", "Axis coverage", note) for note in axis_notes(axes)] + [table]
