"""The `templates` probe: CheckList-style identity tests (MFT, INV, DIR) from a template suite.

The project ships an English suite for sentiment and one for toxicity (``suite: sentiment``
or ``toxicity``); a ``.yaml`` path loads a user's suite, a ``.csv`` path a table of cases such
as HateCheck. Reports each test's failure rate, failure rates and score distributions per
group with CIs, and a permutation test of the score gap between groups. All cases of a model
go to the prediction cache in one request. A suite whose labels the model does not have is
not applicable to that model (map them with ``label_map``).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.errors import AuditError
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.templates import failures
from audit.probes.fairness.templates import suite_csv
from audit.probes.fairness.common import Specs, check_counts, check_shares
from audit.probes.fairness.templates.expand import Cases, expand
from audit.probes.fairness.templates.suite import BUILTIN, SUITE_KIND, Suite, load_yaml_suite, suite_path
from audit.probes.fairness.templates.suite_labels import check_map, resolve, score_class
from audit.probes.fairness.templates.outcomes import evaluate, group_failures, test_rates
from audit.probes.fairness.templates.groups import TEST, Setup, group_scores
from audit.probes.fairness.terms import load_axes
from audit.probes.registry import register

NAME = "templates"
COLUMNS_NOT_CSV = "templates.columns maps the columns of a .csv suite; suite '{suite}' is not one, so drop columns."


def load_suite(suite: str, columns: dict | None, terms: str | None) -> Suite:
    axes = load_axes(terms)
    path = suite_path(suite)
    ext = path.suffix.lower()
    if ext == ".csv":
        return suite_csv.load_csv_suite(path, columns, axes)
    if columns:
        raise AuditError(COLUMNS_NOT_CSV.format(suite=suite))
    if ext in (".yaml", ".yml"):
        return load_yaml_suite(path, axes, "builtin" if suite in BUILTIN else "yaml")
    raise AuditError(SUITE_KIND.format(path=path, ext=ext or "(no extension)"))


@register
class TemplatesProbe(Probe):
    name = NAME
    family = "fairness"
    version = "1"
    description = ("CheckList-style identity tests (MFT, INV, DIR) from a template suite: failure rates per test and "
                   "group, and per-group score gaps with a permutation test.")
    metric_specs = (
        MetricSpec("failure_rate", "Mean over tests of each test's failure rate.", False, headline=True),
        MetricSpec("max_group_gap", "Largest gap between group mean scores over the axes.", False, headline=True),
        MetricSpec("mft_failure_rate", "Mean failure rate of the minimum functionality (expected label) tests.", False),
        MetricSpec("inv_failure_rate", "Mean failure rate of the invariance tests (sets with differing predictions).",
                   False),
        MetricSpec("dir_failure_rate", "Mean failure rate of the directional tests.", False),
        MetricSpec("failure_rate/{test}", "Share of one test's units that fail.", False),
        MetricSpec("group_failure_rate/{axis}/{group}", "Share of the cases naming one group that fail.", False),
        MetricSpec("group_gap/{axis}", "Largest minus smallest group mean score on one axis.", False),
        MetricSpec("mean_score/{axis}/{group}", "Mean probability of the score class for cases naming one group.", None),
    )

    @dataclass(frozen=True)
    class Config:
        suite: str = "sentiment"  # sentiment | toxicity | path to a .yaml suite or a .csv of cases
        label_map: dict | None = None  # suite label -> model label, e.g. {hateful: toxic}
        score_label: str | None = None  # suite label compared across groups; null: the suite's, else the second of two
        columns: dict | None = None  # .csv suites: role -> column (text, label, test, group, template); null: by name
        terms: str | None = None  # extra identity term lists (CSV file or folder) for {axis.slot} and inference
        max_sets: int = 50  # filler combinations per template (a seeded sample beyond this)
        dir_tolerance: float = 0.1  # a DIR pair fails when its probability moves the wrong way by more than this
        tolerance: float = 0.1  # group gaps in mean score above this are flagged
        alpha: float = 0.05  # significance level of the gap tests
        permutations: int = 1000  # permutations of the gap tests (exact when fewer arrangements exist)
        bootstrap: int = 1000  # resamples for the CIs; 0 turns CIs off
        confidence: float = 0.95  # CI level
        max_examples: int = 20  # failing cases kept for the report

        def __post_init__(self) -> None:
            check_counts(NAME, max_sets=self.max_sets, permutations=self.permutations, bootstrap=self.bootstrap,
                         max_examples=self.max_examples)
            check_shares(NAME, dir_tolerance=self.dir_tolerance, tolerance=self.tolerance, alpha=self.alpha,
                         confidence=self.confidence)
            suite_csv.check_roles(self.columns)
            check_map(load_suite(self.suite, self.columns, self.terms), self.label_map, self.score_label)

    def __init__(self, config=None) -> None:
        super().__init__(config)
        cfg = self.config
        self.suite = load_suite(cfg.suite, cfg.columns, cfg.terms)
        self._memo: tuple[int, Cases] | None = None

    def cases(self, seed: int) -> Cases:
        """The suite's cases (filled once per seed and shared by every model)."""
        if self.suite.cases is not None:
            return self.suite.cases
        if self._memo is None or self._memo[0] != seed:
            self._memo = (seed, expand(self.suite, load_axes(self.config.terms), max_sets=self.config.max_sets,
                                       seed=seed))
        return self._memo[1]

    def not_applicable(self, model) -> str | None:
        return resolve(self.suite, self.config.label_map, model)[1]

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg, suite = self.config, self.suite
        index, reason = resolve(suite, cfg.label_map, model)
        if reason:
            return ProbeResult(status="not_applicable", reason=reason)
        labels = model.labels
        cases = self.cases(ctx.seed)
        proba = model.predict_proba(cases.texts, progress=ctx.task(f"{NAME} · {model.id}", len(set(cases.texts))))
        out = evaluate(suite, cases, proba, index, cfg.dir_tolerance)
        tests, macro = test_rates(suite, out, cfg.bootstrap, cfg.confidence, ctx.seed)
        by_group = group_failures(suite, cases, out)
        cls = score_class(suite, index, cfg.score_label, len(labels))
        setup = Setup(cfg.bootstrap, cfg.confidence, cfg.permutations, cfg.tolerance, cfg.alpha, ctx.seed)
        scores = group_scores(cases, proba[:, cls], setup) if cls is not None else []
        specs = Specs(self.metric_specs)
        metrics = {"failure_rate": specs.metric("failure_rate", macro["all"]["value"], macro["all"]["ci"])}
        for kind in ("MFT", "INV", "DIR"):
            if kind in macro:
                key = f"{kind.lower()}_failure_rate"
                metrics[key] = specs.metric(key, macro[kind]["value"], macro[kind]["ci"])
        gaps = [a["gap"]["value"] for a in scores]
        metrics["max_group_gap"] = specs.metric("max_group_gap", max(gaps) if gaps else None)
        for t in tests:
            metrics[f"failure_rate/{t['name']}"] = specs.metric(f"failure_rate/{t['name']}", t["failure_rate"]["value"],
                                                                t["failure_rate"]["ci"])
        for axis, groups in by_group.items():
            for group, cell in groups.items():
                metrics[f"group_failure_rate/{axis}/{group}"] = specs.metric(f"group_failure_rate/{axis}/{group}",
                                                                             cell["rate"])
        for a in scores:
            metrics[f"group_gap/{a['axis']}"] = specs.metric(f"group_gap/{a['axis']}", a["gap"]["value"], a["gap"]["ci"])
            for g in a["groups"]:
                key = f"mean_score/{a['axis']}/{g['group']}"
                metrics[key] = specs.metric(key, g["mean_score"]["value"], g["mean_score"]["ci"])
        details = {
            "suite": {"name": suite.name, "source": suite.source, "kind": suite.kind, "description": suite.description,
                      "labels": list(suite.labels), "tests": len(suite.tests), "cases": len(cases),
                      "unique_texts": len(set(cases.texts))},
            "label_map": {label: labels[j] for label, j in index.items()},
            "score_label": labels[cls] if cls is not None else None,
            "tests": tests,
            "macro": macro,
            "group_failures": by_group,
            "group_scores": scores,
            "gap_test": TEST,
            "tolerance": cfg.tolerance,
            "dir_tolerance": cfg.dir_tolerance,
            "alpha": cfg.alpha,
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed,
                          "method": "percentile; units per test, matched sets for group means"},
        }
        examples = failures.pick(suite, cases, out, proba, labels, index, cfg.max_examples)
        predictions = {"id": [str(i) for i in range(len(cases))], "test": [suite.tests[t].name for t in cases.test],
                       "role": cases.role, "groups": cases.groups, "predicted": [labels[j] for j in proba.argmax(1)],
                       "proba": proba}  # case order is fixed by the suite and seed: the same for every model
        return ProbeResult(metrics=metrics, details=details, examples=examples, predictions=predictions)
