"""Relative checks: is the candidate not worse than the baseline by more than ``max_drop``?

The *drop* is how much worse the candidate is, in the metric's units and oriented by its
direction (baseline - candidate for accuracy, candidate - baseline for a loss). Metrics with
per-example data (the ``metrics`` probe's sidecars) get a paired interval at ``confidence`` over
the examples both models saw: Newcombe's hybrid score interval for accuracy (a percentile
bootstrap is too lenient when few examples differ), a paired bootstrap for Brier and log loss.
The check passes when the interval's upper end is at most ``max_drop`` (non-inferiority as in
CONSORT: a two-sided 95% interval, i.e. a one-sided test at 2.5%). McNemar's p for "error rates
differ" is reported beside accuracy. For these metrics a missing sidecar makes the check "not
evaluated" unless the check says ``allow_unpaired: true``; other metrics have no per-example
data, so their point values are compared and the message says so.
"""

from __future__ import annotations

from pathlib import Path

from audit.gate.checks import base_row, fmt, fmt_against, unevaluated
from audit.gate.metric_lookup import Missing, metric_record, probe_entry
from audit.gate.policy import Check
from audit.predictions.paired_verdicts import per_example_loss
from audit.predictions.sidecars import load_sidecar, paired_correctness
from audit.stats import mcnemar, paired_bootstrap, paired_proportion_interval

PER_EXAMPLE = {("metrics", "accuracy"), ("metrics", "brier"), ("metrics", "log_loss")}
FIX = ("archive the predictions/ folder beside results.json (as `audit run` writes it), or set "
       "allow_unpaired: true on the check to compare point values")


class Unpaired(Exception):
    """Per-example data a paired test needs is missing; the message says which."""


def _model_labels(doc: dict, model: str) -> list[str]:
    for m in doc.get("models") or []:
        if isinstance(m, dict) and m.get("id") == model:
            return [str(x) for x in m.get("labels") or []]
    return []


def _rows(doc: dict, folder: Path, probe: str, model: str) -> dict[str, dict]:
    unit = ((probe_entry(doc, probe) or {}).get("results") or {}).get(model) or {}
    rel = unit.get("predictions_file")
    if not rel:
        raise Unpaired(f"the results record no predictions file for '{model}'")
    rows = load_sidecar(folder, unit)
    if rows is None:
        raise Unpaired(f"the predictions file {Path(folder) / rel} for '{model}' is missing")
    if not rows:
        raise Unpaired(f"the predictions file {Path(folder) / rel} for '{model}' is empty")
    return rows


def paired_drop(check: Check, name: str, cand: tuple[dict, Path, str], base: tuple[dict, Path, str], *,
                resamples: int, seed: int) -> dict:
    """Drop, its CI and (accuracy) McNemar from sidecars; Unpaired when per-example data is missing."""
    sides = [_rows(doc, folder, check.probe, model) for doc, folder, model in (cand, base)]
    ids, correct_c, correct_b = paired_correctness(*sides)
    if len(ids) < 2:
        raise Unpaired(f"the predictions of '{cand[2]}' and '{base[2]}' share {len(ids)} example ids "
                       "(were they audited on the same data?)")
    if name == "accuracy":  # drop = baseline accuracy - candidate accuracy
        iv = paired_proportion_interval(correct_b, correct_c, confidence=check.confidence)
        test = mcnemar(correct_c, correct_b)
        return {"method": iv["method"], "n": len(ids), "drop": iv["diff"], "drop_ci": iv["ci"], "mcnemar": test,
                "p_value": test["p_value"]}
    loss_c = per_example_loss(sides[0], ids, name, _model_labels(cand[0], cand[2]))
    loss_b = per_example_loss(sides[1], ids, name, _model_labels(base[0], base[2]))
    if loss_c is None or loss_b is None:
        raise Unpaired(f"the predictions files hold no usable probabilities for {check.probe}.{name}")
    boot = paired_bootstrap(loss_c, loss_b, resamples=resamples, confidence=check.confidence, seed=seed)
    return {"method": boot["method"], "n": len(ids), "drop": boot["diff"], "drop_ci": boot["ci"],
            "resamples": resamples, "seed": seed}


METHOD_WORDS = {"newcombe-hybrid-score": "Newcombe paired score interval", "paired-bootstrap": "paired bootstrap"}


def evaluate_relative(check: Check, name: str, cand: tuple[dict, Path, str], base: tuple[dict, Path, str], *,
                      resamples: int, seed: int, base_results: str | None = None) -> dict:
    """The gate-block row for candidate ``cand`` = (doc, results dir, model) vs ``base``; ``base_results`` is
    the resolved path of a saved baseline (None: the same run)."""
    metric = f"{check.probe}.{name}"
    model, base_model = cand[2], base[2]
    row = base_row(check, model, metric)
    row.update(operator="<=", threshold=check.max_drop, max_drop=check.max_drop, confidence=check.confidence,
               baseline={"model": base_model, "results": base_results, "run_id": (base[0].get("run") or {}).get("id")})
    try:
        c_rec = metric_record(cand[0], check.probe, name, model)
        b_rec = metric_record(base[0], check.probe, name, base_model)
    except Missing as exc:
        return unevaluated(row, check, str(exc))
    hib = c_rec.get("higher_is_better")
    hib = check.higher_is_better if not isinstance(hib, bool) else hib
    row.update(candidate_value=c_rec["value"], baseline_value=b_rec["value"])
    why = "no paired per-example predictions for this metric"
    paired = None
    if (check.probe, name) in PER_EXAMPLE:
        try:
            paired = paired_drop(check, name, cand, base, resamples=resamples, seed=seed)
        except Unpaired as exc:
            if not check.allow_unpaired:
                return unevaluated(row, check, f"{exc}; a paired test of {metric} needs both models' predictions: "
                                               f"{FIX}")
            why = f"allow_unpaired: {exc}"
    pct = f"{check.confidence:.0%}"
    if paired is not None and paired["drop_ci"] is not None:
        value = paired["drop_ci"][1]
        ok = value <= check.max_drop
        row.update(paired)
        p_text = f"; McNemar p={fmt(paired['p_value'])}" if "p_value" in paired else ""
        shown, limit = fmt_against(value, check.max_drop)
        message = (f"drop vs {base_model}: {fmt(paired['drop'])} ({pct} CI {fmt(paired['drop_ci'][0])} to {shown}, "
                   f"{METHOD_WORDS.get(paired['method'], paired['method'])} over {paired['n']} examples); "
                   f"upper bound {shown} {'meets' if ok else 'fails'} <= max_drop {limit}{p_text}")
    else:
        value = (b_rec["value"] - c_rec["value"]) if hib else (c_rec["value"] - b_rec["value"])
        ok = value <= check.max_drop
        row.update(method="point", drop=value, drop_ci=None)
        shown, limit = fmt_against(value, check.max_drop)
        message = (f"drop vs {base_model}: {shown} ({fmt(c_rec['value'])} vs {fmt(b_rec['value'])}) "
                   f"{'meets' if ok else 'fails'} <= max_drop {limit}; {why}, so point values were compared "
                   "without a confidence interval")
    row.update(value=float(value), passed=bool(ok), status="pass" if ok else "fail", message=message)
    return row
