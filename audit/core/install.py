"""How audit is installed: its distribution name on PyPI and the install line of an extra.

The distribution is ``audit-text-clf`` (PyPI's ``audit`` is another project's); the command and the
import package are ``audit``. Messages that tell a user what to install take their lines from here.
"""

from __future__ import annotations

DISTRIBUTION = "audit-text-clf"  # as docs/gates.md installs it


def install_extra(extra: str) -> str:
    """The pip command that adds an extra, e.g. ``pip install 'audit-text-clf[attack]'``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
