"""Ray as the execution engine, when asked (``audit run --ray``): every model's predictions are made by a
pool of Ray actors, each holding the model once, while the audit itself (probes, the prediction cache,
checkpoints, results) stays in the driver. Ray is imported only here, and only when asked."""
