"""Release gates: a YAML policy of checks on a results file -> a pass/fail verdict.

Data flows one way: the gate reads results.json (and the prediction sidecars for paired tests)
and writes its verdict into the ``gate`` block, a JUnit XML file and a Markdown summary. It
never loads a model. See docs/gates.md for the policy format.

Modules: ``policy`` (parse and validate), ``metrics`` (resolve ``probe.metric`` names and
values), ``checks`` (absolute thresholds), ``relative`` (candidate vs baseline, paired tests),
``evaluate`` (policy + results -> gate block), ``junit`` and ``summary`` (outputs), ``apply``
(write everything beside the results), ``preflight`` (policy model ids against the models an
`audit run --gate` will load, before it loads any).
"""
