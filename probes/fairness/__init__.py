"""The fairness probes: `group-fairness` (metrics by sensitive attribute), `bias-auc` (threshold-free
AUC bias metrics per identity group), `counterfactual` (identity-term swaps) and `templates`
(CheckList-style suites).

Importing the package registers the probes (``audit.probes.registry``) in this order; it imports no
pandas, scipy or fairlearn, which the probes load when they run.
"""

from audit.probes.fairness.group.probe import GroupFairnessProbe  # noqa: I001 (registration order)
from audit.probes.fairness.bias_auc.probe import BiasAucProbe
from audit.probes.fairness.counterfactual.probe import CounterfactualProbe
from audit.probes.fairness.templates.probe import TemplatesProbe

__all__ = ["GroupFairnessProbe", "BiasAucProbe", "CounterfactualProbe", "TemplatesProbe"]
