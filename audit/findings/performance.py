"""Rules on the task metrics and explanations: paired model comparisons (``paired_difference``), calibration
(``calibration``) and explanations that do not beat random words (``explain_faithfulness``)."""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.findings.bounds import measured, missing, tested_bound, units
from audit.findings.items import (
    FINDING, PASSED, Draft, confidence_of, interval, not_tested, number, plain, plain_ci, points, points_ci,
    severity, unit_problem,
)
from audit.findings.settings import Calibration, ExplainFaithfulness, PairedDifference

LABELS = {"accuracy": "accuracy", "brier": "Brier score", "log_loss": "log loss"}
TESTS = {"accuracy": ("mcnemar", "McNemar"), "brier": ("sign_flip", "sign-flip"), "log_loss": ("sign_flip", "sign-flip")}


def _amount(metric: str, diff: float, ci: list[float] | None, signed: bool = False) -> str:
    """The size of a difference in the metric's units: accuracy in points, losses as they are; unsigned (with
    the interval turned round for a negative difference) unless ``signed``."""
    if not signed and diff < 0:
        diff, ci = -diff, ([-ci[1], -ci[0]] if ci else None)
    if metric == "accuracy":
        return f"{'+' if signed and diff > 0 else ''}{points(diff)} points{points_ci(ci)}"
    return f"{'+' if signed and diff > 0 else ''}{plain(diff)}{plain_ci(ci)}"


def _baseline_value(probe: dict, model: str, metric: str) -> float | None:
    unit = as_dict(as_dict(probe.get("results")).get(model))
    return number(as_dict(as_dict(unit.get("metrics")).get(metric)).get("value"))


def _comparison(probe: dict, c: dict, s: PairedDifference) -> Draft:
    name, metric, a, b = str(probe.get("name")), str(c.get("metric")), str(c.get("a")), str(c.get("b"))
    diff, ci = number(c.get("diff")), interval(c)
    key, test_name = TESTS[metric]
    p = number(as_dict(c.get(key)).get("p_value"))
    if diff is None or p is None or not 0.0 <= p <= 1.0:
        why = "no difference recorded" if diff is None else f"no {test_name} test recorded (results written before it)"
        return not_tested("paired_difference", name, metric, a, why, baseline=b, value=diff)
    label = LABELS[metric]
    worse = diff < 0 if metric == "accuracy" else diff > 0
    if metric == "accuracy":
        effect = abs(diff)
        sev = severity(effect, s.high, s.medium)
    else:
        base = _baseline_value(probe, b, metric)
        effect = abs(diff) / base if base else float("inf")
        sev = severity(effect, s.loss_high, s.loss_medium)
    amount = _amount(metric, diff, ci)
    worse_title = f"{a} is worse than {b} on {label} by {amount}"
    better_title = f"{a} is better than {b} on {label} by {amount}"
    same_title = f"{a} and {b} are not distinguishable on {label}: difference {_amount(metric, diff, ci, signed=True)}"
    return Draft(rule="paired_difference", probe=name, metric=metric, model=a, baseline=b, value=diff, ci=ci,
                 p_value=p, holds=worse, severity=sev, effect=effect, title=worse_title if worse else better_title,
                 title_passed=same_title, title_kept=better_title, reason="not distinguishable",
                 reason_kept=f"{a} is better than {b}")


def paired_difference(doc: dict, s: PairedDifference) -> list[Draft]:
    """Every paired comparison of a probe's ``paired`` block, tested by its McNemar or sign-flip p-value: a
    finding when kept by BH and the first model (a) is the worse one."""
    out = []
    for probe in as_list(doc.get("probes")):
        block = as_dict(as_dict(probe).get("paired"))
        for c in as_list(block.get("comparisons")):
            if isinstance(c, dict) and c.get("metric") in TESTS and c.get("a") and c.get("b"):
                out.append(_comparison(probe, c, s))
        for skipped in as_list(block.get("skipped")):
            skipped = as_dict(skipped)
            if skipped.get("a") and skipped.get("b"):
                out.append(not_tested("paired_difference", str(probe.get("name")), "accuracy", str(skipped["a"]),
                                      str(skipped.get("reason") or "the pair could not be compared"),
                                      baseline=str(skipped["b"])))
    return out


def calibration(doc: dict, s: Calibration) -> list[Draft]:
    """The metrics probe's expected calibration error against the tolerance, tested from its interval."""
    out, found = measured(doc, "calibration", "metrics", "ece")
    for probe, model, _unit, m in found:
        title = f"Calibration error (ECE) is {plain(float(m['value']))}{plain_ci(interval(m))}"
        out.append(tested_bound("calibration", "metrics", "ece", model, m, tolerance=s.tolerance,
                                confidence=confidence_of(probe), high=s.high, medium=s.medium, title=title))
    return out


def explain_faithfulness(doc: dict, s: ExplainFaithfulness) -> list[Draft]:
    """Each explanation method's faithfulness (its words matter more than random ones when > 0): a finding when
    its interval does not lie above the tolerance, as the probe's own ranking says "beats random"."""
    out = []
    for _probe, model, unit in units(doc, "explain"):
        problem = unit_problem(unit)
        if problem is not None:
            out.append(not_tested("explain_faithfulness", "explain", "faithfulness", model, problem))
            continue
        methods = as_dict(as_dict(unit.get("details")).get("methods"))
        metrics = as_dict(unit.get("metrics"))
        names = [k.split("/", 1)[1] for k in metrics if k.startswith("faithfulness/")]
        names += [m for m, info in methods.items() if m not in names and as_dict(info).get("status") not in ("ok", "skipped")]
        for method in names:
            metric = f"faithfulness/{method}"
            info = as_dict(methods.get(method))
            if metric not in metrics and info.get("status") not in (None, "ok"):
                out.append(not_tested("explain_faithfulness", "explain", metric, model,
                                      f"the method did not run: {info.get('reason') or info.get('status')}"))
                continue
            skip = missing("explain_faithfulness", "explain", metric, model, unit)
            if skip is not None:
                out.append(skip)
                continue
            m = metrics[metric]
            value, ci = float(m["value"]), interval(m)
            assert ci is not None
            what = f"faithfulness {plain(value)}{plain_ci(ci)}"
            if ci[0] > s.tolerance:
                out.append(Draft(rule="explain_faithfulness", probe="explain", metric=metric, model=model,
                                 title=f"Explanations by {method} beat random words: {what}", value=value, ci=ci,
                                 threshold=s.tolerance, status=PASSED,
                                 reason=f"the interval lies above {s.tolerance:g} (no test)"))
                continue
            none_better = ci[1] <= s.tolerance
            title = (f"Explanations by {method} are no more faithful than random words: {what}" if none_better
                     else f"Explanations by {method} are not shown to beat random words: {what}")
            out.append(Draft(rule="explain_faithfulness", probe="explain", metric=metric, model=model, title=title,
                             value=value, ci=ci, threshold=s.tolerance, status=FINDING,
                             severity="medium" if none_better else "low", effect=s.tolerance - value,
                             reason=f"the interval reaches down to {ci[0]:.3g}, not above {s.tolerance:g} (no test)"))
    return out
