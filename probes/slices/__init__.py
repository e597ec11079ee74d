"""The `slices` probe: weak-slice discovery with false discovery control (see :mod:`audit.probes.slices.probe`).

Importing the package registers the probe (``audit.probes.registry``); scipy loads only when it runs.
"""

from audit.probes.slices.probe import SlicesProbe

__all__ = ["SlicesProbe"]
