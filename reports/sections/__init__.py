"""Per-probe section renderers keyed by probe name, with a generic fallback.

A probe added later renders through :func:`generic_section` (metrics side by side, examples,
details) until someone registers a dedicated renderer here.
"""

from __future__ import annotations

from typing import Callable

from audit.reports.blocks import Section
from audit.reports.sections.common import SectionContext, generic_section
from audit.reports.sections.attack import attack_section
from audit.reports.sections.bias_auc import bias_auc_section
from audit.reports.sections.explain import explain_section
from audit.reports.sections.fairness import counterfactual_section, group_fairness_section, templates_section
from audit.reports.sections.metrics import metrics_section
from audit.reports.sections.noise import noise_section
from audit.reports.sections.slices import slices_section
from audit.reports.status import unit_flags

SectionRenderer = Callable[[dict, SectionContext], Section]

RENDERERS: dict[str, SectionRenderer] = {
    "metrics": metrics_section,
    "noise": noise_section,
    "attack": attack_section,
    "group-fairness": group_fairness_section,
    "bias-auc": bias_auc_section,
    "counterfactual": counterfactual_section,
    "templates": templates_section,
    "explain": explain_section,
    "slices": slices_section,
}


def render_probe(probe: dict, ctx: SectionContext) -> Section:
    """The dedicated renderer for ``probe['name']``, else the generic one; the header carries a badge per
    status other than ok (partial, no values, error ...) naming its models."""
    section = RENDERERS.get(str(probe.get("name")), generic_section)(probe, ctx)
    section.flags = unit_flags(probe, ctx.models) + section.flags
    return section
