"""The `counterfactual` probe: does swapping an identity term change the prediction?

Each text that mentions one group of an axis (gender, race, religion, nationality, sexual
orientation, disability, age ...) is rewritten once per other group of the axis, keeping its
grammar (he -> she, his -> her, "makes her feel" -> "makes him feel", mom -> dad, Muslims ->
Christians, "a Muslim" -> "an atheist", "Alonzo found himself" -> "Ebony found herself"); a text
the rules cannot swap validly is skipped and counted (details.per_axis). All
counterfactuals of a model go to the prediction cache in one request, together with the
originals (usually cached already by the `metrics` probe). The texts depend only on the data,
the term lists and the seed, so they are made once per audit and shared by every model.
A sentence pair goes to the model whole: both of its texts are swapped alike (see
:mod:`audit.probes.fairness.counterfactual.generate`), and its records show both texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.seeding import derive_seed
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.by_group.breakdown import Settings, breakdown
from audit.probes.fairness.by_group.inputs import counterfactual_groups
from audit.probes.fairness.counterfactual.generate import Counterfactuals, generate
from audit.probes.fairness.counterfactual.scoring import TEST, Setup, pick_examples, score
from audit.probes.fairness.common import Specs, check_counts, check_shares, positive_reason
from audit.probes.fairness.terms import load_axes
from audit.probes.registry import register

NAME = "counterfactual"
NO_MENTIONS = ("No text mentions an identity term of a single group on any axis ({axes}), so there is nothing to "
               "swap; add term lists with counterfactual.terms if your data names groups in other words.")
NONE_MADE = ("Texts name a group ({texts} on {axes}), but no counterfactual could be made from them: {undecided} "
             "undecided (a mention the swap rules cannot tell), the rest naming groups whose targets lack the words "
             "they use (details.per_axis).")
BY_SOURCE = ("A text's group is the one it names on the axis (the source of its swaps); its flip rate is over the "
             "counterfactuals made from it.")
PAIRS_NOTE = ("Sentence pairs: a pair mentions a group when either text does; both texts are rewritten with the "
              "same swap and the model is given the swapped pair. A pair whose texts name different groups of an "
              "axis counts as mixed and is left out of that axis.")


@register
class CounterfactualProbe(Probe):
    name = NAME
    family = "fairness"
    version = "4"  # 2: object/possessive "her", aligned alternatives, first names, undecided texts skipped; 3: flip-rate CIs cover the exact interval; 4: by source group
    handles_pairs = True  # both texts of a pair swapped alike; the model gets the swapped pair
    description = ("Identity-term swaps (gender, race, religion, nationality, sexual orientation, disability, age) that "
                   "keep grammar: prediction flip rate, probability change and a sign test per group pair.")
    metric_specs = (
        MetricSpec("flip_rate", "Share of counterfactuals whose top prediction differs from the original's.", False,
                   headline=True),
        MetricSpec("mean_abs_change", "Mean largest absolute change of a class probability under a swap.", False,
                   headline=True),
        MetricSpec("max_abs_change", "Largest absolute change of a class probability under any swap.", False),
        MetricSpec("worst_pair_flip_rate", "Highest flip rate of a group pair with at least min_support texts.", False),
        MetricSpec("max_robustness_gap", "Largest gap in flip rate between the source groups of any axis (interval "
                   "joint over every axis).", False, headline=True),
        MetricSpec("robustness_gap/{axis}", "Highest minus lowest flip rate between the groups of one axis, by the "
                   "group the original text names, among groups with at least min_support texts (simultaneous "
                   "interval).", False),
        MetricSpec("group_flip_rate/{axis}/{group}", "Flip rate of the swaps away from one group (texts naming it, "
                   "swapped to every other group of the axis).", False),
        MetricSpec("flip_rate/{axis}", "Flip rate of the swaps on one axis.", False),
        MetricSpec("mean_abs_change/{axis}", "Mean absolute probability change of the swaps on one axis.", False),
        MetricSpec("max_abs_change/{axis}", "Largest absolute probability change on one axis.", False),
        MetricSpec("pair_flip_rate/{axis}/{pair}", "Flip rate of swaps from one group to another (source->target).",
                   False),
        MetricSpec("pair_mean_abs_change/{axis}/{pair}", "Mean absolute probability change from one group to another.",
                   False),
    )

    @dataclass(frozen=True)
    class Config:
        axes: tuple[str, ...] = ()  # term-list axes to swap; empty: all (see probes/fairness/data)
        terms: str | None = None  # extra term lists: a CSV file or a folder of them (format in probes/fairness/data/README.md)
        positive_label: str | None = None  # class whose signed change is tested; null: second of two labels, else the predicted class
        max_texts: int | None = None  # swap at most this many mentioning texts (seeded per id); null: all
        min_support: int = 10  # group pairs with fewer texts are shown but not counted as the worst pair
        tolerance: float = 0.05  # pairs whose flip rate is above this are flagged
        group_tolerance: float = 0.1  # a gap in flip rate between the source groups of an axis above this is flagged
        alpha: float = 0.05  # significance level of the Holm-adjusted sign tests
        bootstrap: int = 1000  # resamples of the cluster bootstrap CIs; 0 turns CIs off
        confidence: float = 0.95  # CI level
        max_examples: int = 20  # largest changes kept as examples

        def __post_init__(self) -> None:
            check_counts(NAME, min_support=self.min_support, bootstrap=self.bootstrap, max_examples=self.max_examples,
                         **({"max_texts": self.max_texts} if self.max_texts is not None else {}))
            check_shares(NAME, tolerance=self.tolerance, alpha=self.alpha, confidence=self.confidence,
                         group_tolerance=self.group_tolerance)
            load_axes(self.terms, self.axes, where=f"{NAME}.axes")

    config: Config

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._memo: tuple[tuple, Counterfactuals] | None = None

    def counterfactuals(self, data, seed: int) -> Counterfactuals:
        """The counterfactuals of ``data``: made once per dataset and seed, shared by every model."""
        key = (data.fingerprint, seed)
        if self._memo is None or self._memo[0] != key:
            axes = load_axes(self.config.terms, self.config.axes)
            self._memo = (key, generate(list(data.ids), list(data.texts), axes, max_texts=self.config.max_texts,
                                        seed=seed, text_pairs=data.text_pairs))
        return self._memo[1]

    def not_applicable(self, model) -> str | None:
        return positive_reason(NAME, self.config.positive_label, model)

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = self.config
        cf = self.counterfactuals(data, ctx.seed)
        if not len(cf):
            named = {a: c for a, c in cf.per_axis.items() if c["texts"]}
            reason = NO_MENTIONS.format(axes=", ".join(load_axes(cfg.terms, cfg.axes))) if not named else \
                NONE_MADE.format(texts=sum(c["texts"] for c in named.values()), axes=", ".join(named),
                                 undecided=sum(c["undecided"] for c in named.values()))
            return ProbeResult(status="not_applicable", reason=reason, details={"per_axis": cf.per_axis})
        labels = model.labels
        rows = sorted(set(cf.row))
        inputs = data.inputs
        originals = [inputs[i] for i in rows]
        swapped = cf.inputs
        bar = ctx.task(f"{NAME} · {model.id}", len(set(originals) | set(swapped)))
        proba = model.predict_proba(originals + swapped, progress=bar)  # one request: the cache batches it
        position = {r: j for j, r in enumerate(rows)}
        original = proba[[position[r] for r in cf.row]]
        counter = proba[len(originals):]
        if cfg.positive_label is not None:
            score_class = labels.index(cfg.positive_label)
        else:
            score_class = 1 if len(labels) == 2 else None
        setup = Setup(score_class, cfg.tolerance, cfg.alpha, cfg.min_support, cfg.bootstrap, cfg.confidence,
                      derive_seed(ctx.seed, NAME, "texts"))
        sc = score(cf, original, counter, setup)
        specs = Specs(self.metric_specs)
        o = sc.overall
        metrics = {"flip_rate": specs.metric("flip_rate", o["flip_rate"]["value"], o["flip_rate"]["ci"]),
                   "mean_abs_change": specs.metric("mean_abs_change", o["mean_abs_change"]["value"],
                                                   o["mean_abs_change"]["ci"]),
                   "max_abs_change": specs.metric("max_abs_change", o["max_abs_change"])}
        eligible = [p for p in sc.pairs if not p["small"]]
        worst = max(eligible, key=lambda p: (p["flip_rate"]["value"], p["mean_abs_change"]["value"]), default=None)
        metrics["worst_pair_flip_rate"] = specs.metric("worst_pair_flip_rate",
                                                       worst["flip_rate"]["value"] if worst else None)
        for a in sc.axes:
            for key in ("flip_rate", "mean_abs_change"):
                metrics[f"{key}/{a['axis']}"] = specs.metric(f"{key}/{a['axis']}", a[key]["value"], a[key]["ci"])
            metrics[f"max_abs_change/{a['axis']}"] = specs.metric(f"max_abs_change/{a['axis']}", a["max_abs_change"])
        for p in sc.pairs:
            name = f"{p['axis']}/{p['source']}->{p['target']}"
            metrics[f"pair_flip_rate/{name}"] = specs.metric(f"pair_flip_rate/{name}", p["flip_rate"]["value"],
                                                             p["flip_rate"]["ci"])
            metrics[f"pair_mean_abs_change/{name}"] = specs.metric(
                f"pair_mean_abs_change/{name}", p["mean_abs_change"]["value"], p["mean_abs_change"]["ci"])
        flipped = original.argmax(1) != counter.argmax(1)
        by_group = breakdown(counterfactual_groups(len(data), cf.row, cf.axis, cf.source, flipped),
                             {"inferred": True, "note": BY_SOURCE},
                             Settings(NAME, "flip_rate", cfg.min_support, cfg.group_tolerance, cfg.confidence,
                                      ctx.seed, intervals=cfg.bootstrap > 0), {"flip_rate": False})
        metrics.update(by_group[0])
        details = {
            "labels": labels,
            "score_label": labels[score_class] if score_class is not None else None,
            "test": TEST,
            **({"sentence_pairs": PAIRS_NOTE} if data.is_pair else {}),
            "texts": len(data),
            "texts_swapped": len(rows),
            "counterfactuals": len(cf),
            "per_axis": cf.per_axis,
            "overall": o,
            "axes": sc.axes,
            "pairs": sorted(sc.pairs, key=lambda p: (-p["flip_rate"]["value"], -p["mean_abs_change"]["value"])),
            "worst_pair": {k: worst[k] for k in ("axis", "source", "target")} if worst else None,
            "tolerance": cfg.tolerance,
            "alpha": cfg.alpha,
            "min_support": cfg.min_support,
            "bootstrap": {"resamples": cfg.bootstrap, "confidence": cfg.confidence, "seed": ctx.seed,
                          "method": "percentile, clusters = original texts"},
            "by_group": by_group[1],
        }
        examples = pick_examples(cf, sc, data, labels, original, counter, cfg.max_examples)
        predictions = {  # one line per counterfactual, in the same order for every model
            "id": [data.ids[r] for r in cf.row], "axis": cf.axis, "source": cf.source, "target": cf.target,
            "predicted": [labels[j] for j in original.argmax(1)],
            "counterfactual_predicted": [labels[j] for j in counter.argmax(1)],
            "proba": original, "counterfactual_proba": counter}
        return ProbeResult(metrics=metrics, details=details, examples=examples, predictions=predictions)
