"""The `templates` probe: CheckList-style identity suites (MFT, INV, DIR) with per-group gaps."""
