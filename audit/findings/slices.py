"""The ``weak_slice`` rule: every slice the slices probe tested is one tested item, so the audit-wide
Benjamini-Hochberg procedure sees every test; a slice is a finding when that procedure keeps it and the probe's own
(over its slices alone) found it weak too: both are thresholds on the same p-values, so the stricter one decides,
and the verdict never names a slice the probe's ``weak_slices`` does not count (the audit-wide threshold can be
looser when other tests are strong); with ``paired``, every slice
of the probe's paired block too (the first model of a pair erring more than the other there).

A slice's p-value is the probe's one-sided Fisher exact test of a higher error rate inside it (H0: no higher than
the rest's); the hypothesis is directional, so unlike a bound's it is not doubled. A paired slice's is McNemar's
two-sided test, a finding only when the first model is the worse one (as ``paired_difference``).
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.findings.bounds import units
from audit.findings.items import (
    Draft, interval, not_tested, number, points, points_ci, probes_named, severity, unit_problem,
)
from audit.findings.settings import WeakSlice

PROBE, RULE = "slices", "weak_slice"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _gap(diff: float, ci: list[float] | None) -> str:
    return f"{'+' if diff > 0 else ''}{points(diff)} points{points_ci(ci)}"


def _slice(model: str, row: dict, s: WeakSlice) -> Draft:
    name, metric = str(row.get("slice")), f"error_gap/{row.get('slice')}"
    diff, p = number(row.get("diff")), number(row.get("p_value"))
    rate, rest = number(row.get("error_rate")), number(row.get("error_rate_rest"))
    if diff is None or p is None or rate is None or rest is None or not 0.0 <= p <= 1.0:
        return not_tested(RULE, PROBE, metric, model, "the probe records no error rates or p-value for this slice")
    ci = interval(row)
    what = f"{_pct(rate)} errors in {name} ({row.get('n')} examples) against {_pct(rest)} elsewhere"
    weak = row.get("weak")  # the probe's own Benjamini-Hochberg over its slices (absent in older results)
    holds = diff > 0 and weak is not False
    kept = ("the slice does not err more" if diff <= 0 else
            "beyond chance among the audit's tests, but not among the probe's own slices (its Benjamini-Hochberg)")
    return Draft(rule=RULE, probe=PROBE, metric=metric, model=model, value=diff, ci=ci, p_value=p, holds=holds,
                 severity=severity(diff, s.high, s.medium), effect=diff,
                 title=f"Weak slice: {what}, {_gap(diff, ci)}", title_passed=f"Slice {name}: {what}",
                 reason="no higher error rate shown", reason_kept=kept)


def _paired(a: str, b: str, row: dict, s: WeakSlice) -> Draft:
    name, metric = str(row.get("slice")), f"error_gap/{row.get('slice')}"
    diff, p = number(row.get("diff")), number(row.get("p_value"))
    ea, eb = number(row.get("error_a")), number(row.get("error_b"))
    if diff is None or p is None or ea is None or eb is None or not 0.0 <= p <= 1.0:
        return not_tested(RULE, PROBE, metric, a, "the paired block records no difference or test for this slice",
                          baseline=b)
    ci = interval(row)
    what = f"on {name} ({row.get('n')} examples): {_pct(ea)} errors against {_pct(eb)}, {_gap(diff, ci)}"
    worse = row.get("a_worse")  # the paired block's own Benjamini-Hochberg over the slices (absent in older results)
    return Draft(rule=RULE, probe=PROBE, metric=metric, model=a, baseline=b, value=diff, ci=ci, p_value=p,
                 holds=diff > 0 and worse is not False, severity=severity(abs(diff), s.high, s.medium), effect=abs(diff),
                 title=f"{a} errs more than {b} {what}", title_kept=f"{a} errs less than {b} {what}",
                 title_passed=f"{a} and {b} are not distinguishable {what}", reason="not distinguishable",
                 reason_kept=f"{a} errs less than {b}")


def weak_slice(doc: dict, s: WeakSlice) -> list[Draft]:
    """One tested item per slice and model, and (``paired``) per slice and pair of models."""
    out = []
    for _probe, model, unit in units(doc, PROBE):
        problem = unit_problem(unit)
        rows = [r for r in as_list(as_dict(unit.get("details")).get("slices")) if isinstance(r, dict) and r.get("slice")]
        if problem is not None or not rows:
            out.append(not_tested(RULE, PROBE, "weak_slices", model, problem or "the probe records no tested slice"))
            continue
        out += [_slice(model, r, s) for r in rows]
    if not s.paired:
        return out
    for probe in probes_named(doc, PROBE):
        block = as_dict(as_dict(probe.get("paired")).get("slices"))
        for pair in map(as_dict, as_list(block.get("pairs"))):
            a, b = pair.get("a"), pair.get("b")
            if a and b:
                out += [_paired(str(a), str(b), r, s) for r in as_list(pair.get("rows")) if isinstance(r, dict)]
        for skipped in map(as_dict, as_list(block.get("skipped"))):
            if skipped.get("a") and skipped.get("b"):
                out.append(not_tested(RULE, PROBE, "weak_slices", str(skipped["a"]),
                                      str(skipped.get("reason") or "the pair could not be compared"),
                                      baseline=str(skipped["b"])))
    return out
