"""The bottom layer: the results document, errors, file I/O, seeding, labels, formatting.

Everything else may import from here; nothing here imports from another layer (the
import-linter contracts in pyproject.toml check this). ``audit.stats`` sits just above it.
"""
