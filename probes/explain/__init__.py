"""The `explain` probe: attention maps and attributions, scored for faithfulness and stability.

Importing the package registers the probe (``audit.probes.registry``); it imports no torch.
"""

from audit.probes.explain.probe import ExplainProbe

__all__ = ["ExplainProbe"]
