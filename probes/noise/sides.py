"""Which text of a sentence pair the noise goes on: the first, the second, or both.

A pair task (paraphrase, inference) may lean on one text more than the other, so each
(perturbation, severity) cell is measured per side: ``first`` and ``second`` perturb one text
and keep the other clean, ``both`` perturbs the two at once (each with the noise it gets alone).
The config's ``sides`` picks what is measured; single texts have no sides and ignore it.
"""

from __future__ import annotations

from audit.core.errors import AuditError

SIDES = ("first", "second", "both")
BAD_SIDES = ("noise.sides must be one of first, second, both (which text of a sentence pair gets the noise; "
             "both also reports each text alone), not {value!r}.")


def check_sides(value: object) -> str:
    """``value`` if it is a known side, else a one-line AuditError."""
    if not isinstance(value, str) or value not in SIDES:
        raise AuditError(BAD_SIDES.format(value=value))
    return value


def measured(sides: str) -> tuple[str, ...]:
    """The sides reported for a config value: ``both`` reports the first, the second and both."""
    return SIDES if check_sides(sides) == "both" else (sides,)


def touches(side: str) -> tuple[bool, bool]:
    """(first text perturbed, second text perturbed) for a side."""
    return side in ("first", "both"), side in ("second", "both")
