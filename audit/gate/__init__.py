"""Release gates: a YAML policy of checks on a results file -> a pass/fail verdict.

Data flows one way: the gate reads results.json (and the prediction sidecars for paired tests)
and returns its verdict as the ``gate`` block; the CLI stores it through the results store and
writes JUnit XML (``junit``), the Markdown summary (``audit.reports.gate_summary``) and the
reports. It never loads a model. See docs/gates.md for the policy format.

Modules: ``policy`` (parse and validate), ``metrics`` (resolve ``probe.metric`` names and
values), ``checks`` (absolute thresholds), ``relative`` (candidate vs baseline, paired tests),
``evaluate`` (policy + results -> gate block), ``junit`` (JUnit XML), ``preflight`` (policy
model ids against the models an `audit run --gate` will load, before it loads any).
"""
