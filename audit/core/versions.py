"""Installed package versions for provenance, read from metadata (importing torch to ask costs seconds)."""

from __future__ import annotations

import platform
from importlib import metadata

from audit import __version__

TRACKED_PACKAGES = (
    "numpy", "scikit-learn", "skops", "pandas", "torch", "transformers", "tokenizers",
    "datasets", "fairlearn", "textattack", "click", "rich",
)


def package_versions() -> dict[str, str]:
    out = {"audit": __version__, "python": platform.python_version()}
    for pkg in TRACKED_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out
