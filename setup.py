"""Packaging glue that pyproject.toml cannot express: the folders probes/ and reports/ install
as the subpackages audit.probes and audit.reports, so nothing generic lands at the top of
site-packages. Everything else about the distribution is in pyproject.toml."""

from setuptools import find_packages, setup

MAPPED = {"audit.probes": "probes", "audit.reports": "reports"}

packages = find_packages(include=["audit", "audit.*"])
for name, folder in MAPPED.items():
    packages += [name + sub[len(folder):] for sub in find_packages(include=[folder, folder + ".*"])]

setup(packages=packages, package_dir=MAPPED)
