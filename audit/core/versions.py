"""Installed package versions for provenance, read from metadata (importing torch to ask costs seconds)."""

from __future__ import annotations

import platform
from importlib import metadata

from audit import __version__

TRACKED_PACKAGES = (
    "numpy", "scikit-learn", "skops", "pandas", "torch", "transformers", "tokenizers",
    "datasets", "fairlearn", "textattack", "click", "rich",
)


# Entry-point groups a plug-in distribution registers in (audit/core/registry.py); its version is recorded too.
PLUGIN_GROUPS = ("audit.probes", "audit.models", "audit.attack_recipes", "audit.perturbations")


def package_versions() -> dict[str, str]:
    out = {"audit": __version__, "python": platform.python_version()}
    for pkg in TRACKED_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    for group in PLUGIN_GROUPS:
        for ep in metadata.entry_points(group=group):
            if ep.dist is not None:
                out.setdefault(ep.dist.name, ep.dist.version)
    return out
