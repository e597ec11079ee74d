"""audit: robustness and fairness audits for text classifiers."""

__version__ = "0.1.0"
RESULTS_SCHEMA = "audit-results/1"
