"""The `slices` probe: weak slices of the data, where the model errs more than elsewhere, under false discovery
control.

Slice finders (Giskard's scan, the Responsible AI toolbox's error analysis) search many slices and report the worst
ones without counting how many they looked at, so on a model whose errors fall at random some slice always looks
weak. Here every slice and pair of slices is fixed from the data alone (:mod:`audit.probes.slices.define`), each
gets a one-sided Fisher exact test of a higher error rate inside it (:mod:`audit.probes.slices.testing`), and one
Benjamini-Hochberg procedure over all of them at ``q`` decides which are weak: among the reported slices at most
a share ``q`` is expected to be false (``bench/bench_slices_fdr.py``). The model is asked only for the
predictions the `metrics` probe made already (the prediction cache); the sidecar lists each example's slices so
two models are compared slice by slice after the run (:mod:`audit.predictions.paired_slices`).

``max_error_gap`` is the largest gap of a *weak* slice (0 when none is): the largest gap over all tested slices
is a maximum over hundreds of noisy estimates, large even when errors fall at random (the winner's curse). There
is no metric per slice: slice names depend on the data (``length:q4[24-44 words]``) and there may be hundreds, so
gates could not name them; ``details.slices`` holds the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audit.core.errors import AuditError
from audit.core.labels import align_labels
from audit.probes.base import Metric, MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.terms import load_axes
from audit.probes.registry import register
from audit.probes.slices.define import Settings, SliceSet, define
from audit.probes.slices.testing import TEST, score, weak
from audit.stats import NEWCOMBE

NAME = "slices"
NO_SLICES = ("No slice of the data holds at least {min_size} examples with {min_size} outside it ({n} examples); "
             "lower slices.min_size or audit more data.")
BAD = "slices.{key} must be {what}, got {value}."


@register
class SlicesProbe(Probe):
    name = NAME
    family = "performance"
    version = "1"
    handles_pairs = True  # an example is in a text slice when either text of its pair is
    description = ("Weak slices: where the error rate is higher than elsewhere (length, negation, questions, caps, "
                   "digits, links, emoji, non-ASCII, identity terms, names, data columns, and pairs of these), by "
                   "one-sided Fisher exact tests under Benjamini-Hochberg false discovery control.")
    metric_specs = (
        MetricSpec("weak_slices", "Slices and pairs of slices whose error rate is higher than the rest's "
                                  "(Benjamini-Hochberg adjusted p <= q).", False, headline=True),
        MetricSpec("max_error_gap", "Largest excess error rate of a weak slice over the rest, with its Newcombe "
                                    "interval; 0 when no slice is weak.", False, headline=True),
        MetricSpec("slices_tested", "Slices and pairs of slices tested (the Benjamini-Hochberg family).", None),
    )

    @dataclass(frozen=True)
    class Config:
        min_size: int = 30  # a slice is tested when it holds at least this many examples and leaves as many outside
        q: float = 0.05  # Benjamini-Hochberg false discovery rate over every slice and pair of slices tested
        max_pairs: int = 1000  # pairs of slices tested at most, the largest first (chosen from the data, not errors); 0: none
        length_bins: int = 4  # word-count quantile bins for the length slices (4: quartiles); 0: no length slices
        non_ascii: float = 0.1  # the non_ascii slice: texts with more than this share of non-ASCII characters
        axes: tuple[str, ...] = ()  # identity-term axes sliced (probes/fairness/data); empty: all
        terms: str | None = None  # extra term lists: a CSV file or a folder of them (as counterfactual.terms)
        max_values: int = 50  # a data column (sensitive or data.extra_cols) with more distinct values is not sliced
        confidence: float = 0.95  # level of the Newcombe interval of each slice's difference
        examples: int = 3  # misclassified examples kept per weak slice, most confident first
        max_examples: int = 30  # examples kept in all, from the weak slices with the largest gaps first

        def __post_init__(self) -> None:
            if self.min_size < 1:
                raise AuditError(BAD.format(key="min_size", what=">= 1", value=self.min_size))
            if not 0 < self.q < 1:
                raise AuditError(BAD.format(key="q", what="between 0 and 1", value=self.q))
            if self.length_bins == 1 or self.length_bins < 0:
                raise AuditError(BAD.format(key="length_bins", what="0 (no length slices) or >= 2",
                                            value=self.length_bins))
            if not 0 <= self.non_ascii < 1:
                raise AuditError(BAD.format(key="non_ascii", what="a share from 0 up to 1", value=self.non_ascii))
            if not 0 < self.confidence < 1:
                raise AuditError(BAD.format(key="confidence", what="between 0 and 1", value=self.confidence))
            load_axes(self.terms, self.axes, where=f"{NAME}.axes")

    config: Config

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._memo: tuple[str, SliceSet] | None = None

    def slices(self, data) -> SliceSet:
        """The data's slices: made once per dataset and shared by every model (they depend on the data only)."""
        if self._memo is None or self._memo[0] != data.fingerprint:
            cfg = self.config
            columns = {**data.attributes, **{k: v for k, v in data.extras.items() if k not in data.attributes}}
            settings = Settings(cfg.min_size, cfg.max_pairs, cfg.length_bins, cfg.non_ascii, cfg.max_values)
            self._memo = (data.fingerprint, define(list(data.texts), data.text_pairs, load_axes(cfg.terms, cfg.axes),
                                                   columns, settings))
        return self._memo[1]

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg = self.config
        sl = self.slices(data)
        if not sl.tested:
            return ProbeResult(status="not_applicable", reason=NO_SLICES.format(min_size=cfg.min_size, n=len(data)),
                               details={"definitions": sl.summary})
        labels = model.labels
        y = align_labels(data.labels, labels, model_id=model.id)
        proba = model.predict_proba(data.inputs, progress=ctx.task(f"{NAME} · {model.id}", len(data)))
        predicted = proba.argmax(axis=1)
        errors = predicted != y
        table = score(errors, sl.masks, cfg.confidence)
        adjusted, is_weak = weak(table, cfg.q)
        rows = [_row(s, table, adjusted, is_weak, i) for i, s in enumerate(sl.tested)]
        worst = sorted(np.flatnonzero(is_weak), key=lambda i: (-table["diff"][i], i))
        gap = Metric(0.0, None, False) if not worst else \
            Metric(float(table["diff"][worst[0]]), (float(table["lower"][worst[0]]), float(table["upper"][worst[0]])),
                   False)
        metrics = {"weak_slices": Metric(len(worst), None, False), "max_error_gap": gap,  # counts as ints: "1", not "1.000"
                   "slices_tested": Metric(len(rows), None, None)}
        details = {
            "labels": labels, "n": len(data), "errors": int(errors.sum()), "error_rate": float(errors.mean()),
            "test": TEST, "interval": NEWCOMBE, "confidence": cfg.confidence, "q": cfg.q, "min_size": cfg.min_size,
            "tested": len(rows), "weak": [rows[i]["slice"] for i in worst],
            "slices": rows, "definitions": sl.summary,
        }
        predictions = {"id": list(data.ids), "label": [labels[i] for i in y],
                       "predicted": [labels[i] for i in predicted], "proba": proba, "slices": sl.members}
        return ProbeResult(metrics=metrics, details=details, predictions=predictions,
                           examples=_examples(data, sl, worst, errors, proba, y, predicted, labels, cfg))


def _row(s, table: dict, adjusted: np.ndarray, is_weak: np.ndarray, i: int) -> dict:
    return {"slice": s.name, "kind": "pair" if len(s.parts) > 1 else "single", "parts": list(s.parts),
            "feature": s.feature, "description": s.description, "n": int(table["n"][i]),
            "errors": int(table["errors"][i]), "error_rate": float(table["error_rate"][i]),
            "error_rate_rest": float(table["error_rate_rest"][i]), "diff": float(table["diff"][i]),
            "ci": [float(table["lower"][i]), float(table["upper"][i])], "p_value": float(table["p_value"][i]),
            "p_adjusted": float(adjusted[i]), "weak": bool(is_weak[i])}


def _examples(data, sl: SliceSet, worst: list, errors, proba, y, predicted, labels, cfg) -> list[dict]:
    """Misclassified examples of each weak slice (largest gap first), most confident mistakes first."""
    out: list[dict] = []
    confidence = proba.max(axis=1)
    for i in worst:
        wrong = np.flatnonzero(sl.tested[i].mask & errors)
        for j in wrong[np.argsort(-confidence[wrong], kind="stable")][: cfg.examples]:
            if len(out) >= cfg.max_examples:
                return out
            out.append({"slice": sl.tested[i].name, "id": data.ids[j], "text": data.texts[j],
                        **({"text_pair": data.text_pairs[j]} if data.text_pairs is not None else {}),
                        "label": labels[y[j]], "predicted": labels[predicted[j]], "confidence": float(confidence[j])})
    return out
