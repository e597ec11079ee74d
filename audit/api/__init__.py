"""The Python API: ``audit.run(...)`` -> :class:`AuditResult`, and ``audit.load(path)`` for a saved audit.

The CLI is a thin layer over it (``audit run`` builds the same config with :func:`configure` and
runs it with :func:`execute`), so a notebook and a CI job get the same results.json.
"""

from audit.api.result import AuditResult, load
from audit.api.execution import configure, execute, run

__all__ = ["AuditResult", "configure", "execute", "load", "run"]
