"""audit: robustness and fairness audits for text classifiers.

``audit.run(models=..., data=...)`` audits from Python and returns an :class:`AuditResult`;
``audit.load(path)`` reads a saved one. Both load lazily, so ``import audit`` stays light.
"""

from audit.core.errors import AuditError, DataError, ModelError, UnsupportedInputError

__version__ = "0.1.0"
RESULTS_SCHEMA = "audit-results/1"
_API = ("run", "load", "AuditResult")

__all__ = ["AuditError", "AuditResult", "DataError", "ModelError", "UnsupportedInputError", "load", "run",
           "RESULTS_SCHEMA", "__version__"]


def __getattr__(name: str):
    # Imported on first use, by name: every layer imports this module for __version__ and
    # RESULTS_SCHEMA, and a static import of the top layer here would make them all depend on it.
    if name in _API:
        import importlib

        return getattr(importlib.import_module("audit.api"), name)
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
