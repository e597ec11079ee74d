"""The attack probe's configuration and its per-recipe plans.

``recipes`` is a list of names, or a mapping from name to overrides of ``examples``,
``query_budget`` and ``time_budget_s``::

    attack:
      recipes: {deepwordbug: {}, pwws: {examples: 50, query_budget: 5000}}
      resources: {synonyms: ./ppdb_synonyms.txt}

The query budget is the limit. ``time_budget_s`` is off by default (null or 0): when set, an
example still running after that many wall-clock seconds is stopped and counted "inconclusive",
neither success nor failure, and left out of the success rate; outcomes then depend on how busy
the machine is.

On sentence pairs ``perturb`` names the side the attack may change (``first``, ``second`` or
``both``); the other side is held fixed by a constraint, as TextFooler's inference setup does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit.core.errors import AuditError
from audit.probes.fairness.by_group.settings import check_group_keys
from audit.resources.recipes import RecipeInfo, resolve_recipe

PER_RECIPE_KEYS = ("examples", "query_budget", "time_budget_s")
PERTURB_SIDES = ("first", "second", "both")
POSITIVE = "attack{where}.{key} must be a positive number, got {value!r}."


@dataclass(frozen=True)
class Plan:
    """One recipe as it will run."""

    recipe: RecipeInfo
    examples: int
    query_budget: int
    time_budget_s: float | None  # None: no time budget


def _positive(key: str, value: Any, where: str = "", whole: bool = True) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or (whole and value != int(value)):
        raise AuditError(POSITIVE.format(where=where, key=key, value=value)
                         + (" Give a whole number." if whole and isinstance(value, (int, float)) and value > 0 else ""))
    return int(value) if whole else float(value)


def _time_budget(value: Any, where: str = "") -> float | None:
    """Seconds per example, or None for no time budget (null or 0)."""
    if value is None or (not isinstance(value, bool) and value == 0):
        return None
    try:
        return _positive("time_budget_s", value, where, whole=False)
    except AuditError as exc:
        raise AuditError(f"{exc} Or give null (or 0) for no time budget.") from None


@dataclass(frozen=True)
class AttackConfig:
    recipes: tuple | dict | str = ("deepwordbug", "pwws")  # names, or {name: {examples, query_budget, time_budget_s}}
    examples: int = 50  # seeded sample attacked per recipe (the same examples for every model)
    query_budget: int = 2000  # model queries per example
    time_budget_s: float | None = None  # wall-clock seconds per example; null or 0: none. An example it stops is "inconclusive"
    workers: int = 16  # examples attacked at once; their model queries share batches
    confidence: float = 0.95  # level of the exact (Clopper-Pearson) intervals
    max_examples: int = 10  # adversarial examples per recipe kept for the report
    resources: dict | None = None  # resource name -> local path (overrides the AUDIT_* variables)
    by_group: bool = True  # break success rates down by sensitive group (data columns, else identity terms in the text)
    group_min_support: int = 10  # groups with fewer attacked examples are shown but not compared in robustness_gap
    group_tolerance: float = 0.1  # a gap in success rate between groups above this is flagged
    perturb: str = "second"  # sentence pairs: the side attacked (first, second or both); the other stays fixed

    def __post_init__(self) -> None:
        _positive("examples", self.examples)
        _positive("query_budget", self.query_budget)
        _time_budget(self.time_budget_s)
        _positive("workers", self.workers)
        if not 0 < self.confidence < 1:
            raise AuditError(f"attack.confidence must be between 0 and 1, got {self.confidence}.")
        if isinstance(self.max_examples, bool) or not isinstance(self.max_examples, int) or self.max_examples < 0:
            raise AuditError(f"attack.max_examples must be a whole number >= 0, got {self.max_examples!r}.")
        check_group_keys("attack", self.group_min_support, self.group_tolerance)
        if self.perturb not in PERTURB_SIDES:
            raise AuditError(f"attack.perturb must be one of {', '.join(PERTURB_SIDES)} (the side of a sentence pair "
                             f"the attack may change), got {self.perturb!r}.")
        if self.resources is not None:
            from audit.resources.catalog import check_names

            if not isinstance(self.resources, dict):
                raise AuditError("attack.resources must map resource names to paths, e.g. {glove: ./glove.txt}.")
            check_names(self.resources)
        self.plans()  # every recipe name and override checked now, before any model loads

    def _items(self) -> list[tuple[str, dict]]:
        if isinstance(self.recipes, str):
            return [(self.recipes, {})]
        if isinstance(self.recipes, dict):
            return [(str(k), v if v is not None else {}) for k, v in self.recipes.items()]
        if isinstance(self.recipes, (list, tuple)) and all(isinstance(r, str) for r in self.recipes):
            return [(r, {}) for r in self.recipes]
        raise AuditError("attack.recipes must be a list of recipe names or a mapping of names to settings.")

    def plans(self) -> list[Plan]:
        items = self._items()
        if not items:
            raise AuditError("attack.recipes is empty; name at least one recipe, e.g. [deepwordbug].")
        plans, seen = [], set()
        for name, raw in items:
            info = resolve_recipe(name)
            if info.name in seen:
                raise AuditError(f"attack.recipes names '{info.name}' twice; list each recipe once.")
            seen.add(info.name)
            if not isinstance(raw, dict):
                raise AuditError(f"attack.recipes.{name} must be a mapping of {', '.join(PER_RECIPE_KEYS)}.")
            unknown = sorted(set(raw) - set(PER_RECIPE_KEYS))
            if unknown:
                raise AuditError(f"Unknown key(s) {', '.join(map(repr, unknown))} for attack recipe '{name}'. "
                                 f"Allowed: {', '.join(PER_RECIPE_KEYS)}.")
            where = f".recipes.{name}"
            plans.append(Plan(
                info,
                _positive("examples", raw.get("examples", self.examples), where),
                _positive("query_budget", raw.get("query_budget", self.query_budget), where),
                _time_budget(raw.get("time_budget_s", self.time_budget_s), where),
            ))
        return plans
