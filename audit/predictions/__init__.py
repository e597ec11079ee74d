"""Per-example predictions of a run: the sidecar files (predictions/*.jsonl) and the paired
verdicts computed from them (the ``paired`` block of each probe in results.json).

Above ``audit.stats`` and ``audit.core``: the runner, the gate, compare and the CLI read it; the
reports read only the blocks it wrote into the results document.
"""
