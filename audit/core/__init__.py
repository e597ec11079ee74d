"""The bottom layer: the results document, errors, file I/O, seeding, labels, formatting.

Everything else may import from here; nothing here imports from another layer (the
contracts in pyproject.toml check this) except ``audit.stats``, the other half of the bottom
layer (``paired_verdicts`` builds results blocks from its tests).
"""
