"""Robustness by group: how the damage of noise, attacks and identity swaps is spread over the groups of
each sensitive attribute (:mod:`.groups` finds the groups, :mod:`.rates` measures each group,
:mod:`.gap` compares them, :mod:`.breakdown` turns it into a probe's details and metrics)."""
