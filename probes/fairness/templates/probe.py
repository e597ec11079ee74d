"""The `templates` probe: CheckList-style identity tests (MFT, INV, DIR) from a template suite.

The project ships an English suite for sentiment, one for toxicity and a sentence-pair one for
inference (``suite: sentiment``, ``toxicity`` or ``inference``); a ``.yaml`` path loads a user's
suite, a ``.csv`` path a table of cases such as HateCheck. Without ``suite``, single-text data
gets the sentiment suite and pair data the inference suite; a suite whose cases have one text
on pair data (or two on single-text data) is bad input. Reports each test's failure rate, failure rates and score distributions per
group with CIs, and a permutation test of the score gap between groups. All cases of a model
go to the prediction cache in one request. A suite whose labels the model does not have is
not applicable to that model (map them with ``label_map``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import cast

from audit.core.errors import AuditError
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.templates import failures
from audit.probes.fairness.templates import suite_csv
from audit.probes.fairness.common import Specs, check_counts, check_shares
from audit.probes.fairness.templates.expand import Cases, expand
from audit.probes.fairness.templates.suite import (BUILTIN, PAIR_DEFAULT, SUITE_KIND, Suite, load_yaml_suite,
                                                   suite_path)
from audit.probes.fairness.templates.suite_labels import check_map, resolve, score_class
from audit.probes.fairness.templates.outcomes import evaluate, group_failures, test_rates
from audit.probes.fairness.templates.groups import TEST, Setup, group_scores
from audit.probes.fairness.terms import load_axes
from audit.probes.registry import register
from audit.stats import EXACT, proportion_interval

NAME = "templates"
SINGLE_DEFAULT = "sentiment"
PAIR_SUITE_ON_TEXTS = ("templates suite '{suite}' has two texts per case (template_pair, or a text_pair column) but "
                       "the data has one text per row; use a single-text suite (sentiment, toxicity) or audit pair "
                       "data (--text-pair-col).")
TEXT_SUITE_ON_PAIRS = ("templates suite '{suite}' has one text per case but the data are sentence pairs; use a pair "
                       "suite (inference, a .yaml with template_pair, a .csv with a text_pair column) or leave "
                       "suite unset.")
COLUMNS_NOT_CSV = "templates.columns maps the columns of a .csv suite; suite '{suite}' is not one, so drop columns."


def load_suite(suite: str | None, columns: dict | None, terms: str | None) -> Suite:
    axes = load_axes(terms)
    suite = suite or SINGLE_DEFAULT
    path = suite_path(suite)
    ext = path.suffix.lower()
    if ext == ".csv":
        return suite_csv.load_csv_suite(path, columns, axes)
    if columns:
        raise AuditError(COLUMNS_NOT_CSV.format(suite=suite))
    if ext in (".yaml", ".yml"):
        return load_yaml_suite(path, axes, "builtin" if suite in BUILTIN else "yaml")
    raise AuditError(SUITE_KIND.format(path=path, ext=ext or "(no extension)"))


def axis_coverage(cases: Cases, axes) -> dict[str, dict[str, int]]:
    """Cases naming a group of each axis, for every axis of the term lists and every one the suite fills:
    an axis the suite never names was not tested, and the console and reports say so."""
    named: dict[str, int] = {}
    for groups in cases.groups:
        for axis in groups:
            named[axis] = named.get(axis, 0) + 1
    return {axis: {"texts": named.get(axis, 0)} for axis in sorted(set(axes) | set(named))}


@register
class TemplatesProbe(Probe):
    name = NAME
    handles_pairs = True
    family = "fairness"
    version = "2"  # 2: exact intervals for failure rates
    description = ("CheckList-style identity tests (MFT, INV, DIR) from a template suite: failure rates per test and "
                   "group, and per-group score gaps with a permutation test.")
    metric_specs = (
        MetricSpec("failure_rate", "Mean over tests of each test's failure rate.", False, headline=True),
        MetricSpec("max_group_gap", "Largest gap between group mean scores over the axes.", False, headline=True),
        MetricSpec("mft_failure_rate", "Mean failure rate of the minimum functionality (expected label) tests.", False),
        MetricSpec("inv_failure_rate", "Mean failure rate of the invariance tests (sets with differing predictions).",
                   False),
        MetricSpec("dir_failure_rate", "Mean failure rate of the directional tests.", False),
        MetricSpec("failure_rate/{test}", "Share of one test's units that fail (exact CI).", False),
        MetricSpec("group_failure_rate/{axis}/{group}", "Share of the cases naming one group that fail (exact CI).",
                   False),
        MetricSpec("group_gap/{axis}", "Largest minus smallest group mean score on one axis.", False),
        MetricSpec("mean_score/{axis}/{group}", "Mean probability of the score class for cases naming one group.", None),
    )

    @dataclass(frozen=True)
    class Config:
        suite: str | None = None  # sentiment | toxicity | inference | a .yaml or .csv path; null: sentiment (inference on pairs)
        label_map: dict | None = None  # suite label -> model label, e.g. {hateful: toxic}
        score_label: str | None = None  # suite label compared across groups; null: the suite's, else the second of two
        columns: dict | None = None  # .csv suites: role -> column (text, text_pair, label, test, group, template); null: by name
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
            if self.suite is None:  # label_map may name labels of either default suite
                one, two = load_suite(SINGLE_DEFAULT, None, self.terms), load_suite(PAIR_DEFAULT, None, self.terms)
                both = replace(one, name=f"{one.name} (or {two.name} on pairs)",
                               labels=tuple(dict.fromkeys(one.labels + two.labels)))
                check_map(both, self.label_map, self.score_label)
            else:
                check_map(load_suite(self.suite, self.columns, self.terms), self.label_map, self.score_label)

    config: Config

    def __init__(self, config=None) -> None:
        super().__init__(config)
        cfg = cast("TemplatesProbe.Config", self.config)
        self.suite = load_suite(cfg.suite, cfg.columns, cfg.terms)
        self.pair_suite = load_suite(PAIR_DEFAULT, None, cfg.terms) if cfg.suite is None else None
        self.chosen = cfg.suite or SINGLE_DEFAULT
        self._memo: dict[tuple[bool, int], Cases] = {}

    def suite_for(self, data) -> Suite:
        """The suite run on ``data``: the chosen one, or the default for single texts or pairs;
        an AuditError when its cases and the data differ in the number of texts."""
        is_pair = bool(data is not None and data.is_pair)
        if is_pair and self.pair_suite is not None:
            return self.pair_suite
        if is_pair != self.suite.pair:
            raise AuditError((TEXT_SUITE_ON_PAIRS if is_pair else PAIR_SUITE_ON_TEXTS).format(suite=self.chosen))
        return self.suite

    def not_applicable_to(self, data) -> str | None:
        reason = super().not_applicable_to(data)
        if reason is None:
            self.suite_for(data)  # a suite that does not fit the data's texts is bad input, before any model runs
        return reason

    def cases(self, seed: int, suite: Suite | None = None) -> Cases:
        """The suite's cases (filled once per seed and shared by every model)."""
        suite = suite or self.suite
        if suite.cases is not None:
            return suite.cases
        key, cfg = (suite.pair, seed), cast("TemplatesProbe.Config", self.config)
        if key not in self._memo:
            self._memo[key] = expand(suite, load_axes(cfg.terms), max_sets=cfg.max_sets, seed=seed)
        return self._memo[key]

    def not_applicable(self, model) -> str | None:
        if self.pair_suite is not None:  # the suite depends on the data: run() says whether it fits
            return None
        return resolve(self.suite, self.config.label_map, model)[1]

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg, suite = self.config, self.suite_for(data)
        index, reason = resolve(suite, cfg.label_map, model)
        if reason:
            return ProbeResult(status="not_applicable", reason=reason)
        labels = model.labels
        cases = self.cases(ctx.seed, suite)
        inputs = cases.inputs
        proba = model.predict_proba(inputs, progress=ctx.task(f"{NAME} · {model.id}", len(set(inputs))))
        out = evaluate(suite, cases, proba, index, cfg.dir_tolerance)
        tests, macro = test_rates(suite, out, cfg.bootstrap, cfg.confidence, ctx.seed)
        by_group = group_failures(suite, cases, out)
        chosen = cfg.score_label if cfg.score_label in suite.labels else None  # unset: a default suite's other label
        cls = score_class(suite, index, chosen, len(labels))
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
                interval = proportion_interval(cell["failures"], cell["n"], cfg.confidence) if cfg.bootstrap else None
                metrics[f"group_failure_rate/{axis}/{group}"] = specs.metric(f"group_failure_rate/{axis}/{group}",
                                                                             cell["rate"], interval)
        for a in scores:
            metrics[f"group_gap/{a['axis']}"] = specs.metric(f"group_gap/{a['axis']}", a["gap"]["value"], a["gap"]["ci"])
            for g in a["groups"]:
                key = f"mean_score/{a['axis']}/{g['group']}"
                metrics[key] = specs.metric(key, g["mean_score"]["value"], g["mean_score"]["ci"])
        details = {
            "suite": {"name": suite.name, "source": suite.source, "kind": suite.kind, "description": suite.description,
                      "labels": list(suite.labels), "tests": len(suite.tests), "cases": len(cases),
                      "unique_texts": len(set(inputs)), "pair": suite.pair},
            "label_map": {label: labels[j] for label, j in index.items()},
            "score_label": labels[cls] if cls is not None else None,
            "tests": tests,
            "macro": macro,
            "group_failures": by_group,
            "per_axis": axis_coverage(cases, load_axes(cast("TemplatesProbe.Config", cfg).terms)),
            "group_scores": scores,
            "gap_test": TEST,
            "tolerance": cfg.tolerance,
            "dir_tolerance": cfg.dir_tolerance,
            "alpha": cfg.alpha,
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed,
                          "method": "percentile; units per test (for the mean failure rates), matched sets for group "
                                    "means"},
            "ci_method": {"failure rates": EXACT, "mean failure rates": "bootstrap, widened to the mean exact bounds",
                          "group means and gaps": "cluster bootstrap"},
        }
        examples = failures.pick(suite, cases, out, proba, labels, index, cfg.max_examples)
        predictions = {"id": [str(i) for i in range(len(cases))], "test": [suite.tests[t].name for t in cases.test],
                       "role": cases.role, "groups": cases.groups, "predicted": [labels[j] for j in proba.argmax(1)],
                       "proba": proba}  # case order is fixed by the suite and seed: the same for every model
        return ProbeResult(metrics=metrics, details=details, examples=examples, predictions=predictions)
