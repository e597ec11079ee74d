"""The `group-fairness` probe: metrics by sensitive attribute (fairlearn MetricFrame), with gaps,
ratios and their simultaneous intervals."""
