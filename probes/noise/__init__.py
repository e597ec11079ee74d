"""The `noise` probe family: perturbations of input text and the probe that scores them.

Importing the package registers the probe (``audit.probes.registry``).
"""

from audit.probes.noise.probe import NoiseProbe

__all__ = ["NoiseProbe"]
