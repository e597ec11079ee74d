"""The `attack` probe family: adversarial attacks through TextAttack recipes (imported lazily).

Importing this package registers the probe; it imports neither torch nor textattack.
"""

from audit.probes.attack.probe import AttackProbe

__all__ = ["AttackProbe"]
