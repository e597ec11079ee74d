"""One finding as a rule proposes it (:class:`Draft`), and the item it becomes once the false discovery rate
is controlled over the whole audit (:func:`settle`).

A rule knows what it measured and, for a rule that rests on a test, its p-value; whether a tested draft is
a finding is decided only after Benjamini-Hochberg has seen every test of the audit. Drafts that rest on an
interval alone, or could not be tested, arrive with their status decided.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from audit.core.document import as_dict, as_list
from audit.core.fmt import is_number

FINDING, PASSED, NOT_TESTED = "finding", "passed", "not_tested"
SEVERITIES = ("high", "medium", "low")


def anchor(probe: str) -> str:
    """The report's anchor of a probe's section (``probe-noise``): the same slug the report uses."""
    return "probe-" + (re.sub(r"[^a-z0-9]+", "-", str(probe).lower()).strip("-") or "probe")


def severity(effect: float, high: float, medium: float) -> str:
    return "high" if effect >= high else "medium" if effect >= medium else "low"


def two_sided(p_one_sided: float) -> float:
    """The p-value items carry for a bound: twice the one-sided tail (at most 1), so that at q = 0.05 a single
    test and the probe's 95% interval agree on whether the value lies past the bound."""
    return min(1.0, 2.0 * float(p_one_sided))


def number(x: Any) -> float | None:
    return float(x) if is_number(x) and math.isfinite(float(x)) else None


def interval(metric: Any) -> list[float] | None:
    ci = as_dict(metric).get("ci")
    if isinstance(ci, list) and len(ci) == 2 and all(number(v) is not None for v in ci):
        return [float(ci[0]), float(ci[1])]
    return None


def points(x: float) -> str:
    """A difference of shares in percentage points, one decimal: 0.1234 -> '12.3'."""
    return f"{100 * x:.1f}"


def points_ci(ci: list[float] | None) -> str:
    return f" [{points(ci[0])}, {points(ci[1])}]" if ci else ""


def plain(x: float) -> str:
    return f"{x:.3f}"


def plain_ci(ci: list[float] | None) -> str:
    return f" [{plain(ci[0])}, {plain(ci[1])}]" if ci else ""


def fmt_p(p: float) -> str:
    return "0" if p == 0 else f"{p:.2g}" if p >= 0.001 else f"{p:.1e}"


@dataclass
class Draft:
    """What a rule measured. ``status`` None: a tested draft whose status Benjamini-Hochberg decides (a finding
    when kept and ``holds``); ``title_passed`` / ``title_kept`` replace ``title`` when it is not kept / kept
    without holding."""

    rule: str
    probe: str
    metric: str
    model: str
    title: str
    value: float | None = None
    ci: list[float] | None = None
    threshold: float | None = None
    p_value: float | None = None
    status: str | None = None
    severity: str | None = None  # the severity if it is a finding
    reason: str = ""  # why, for a decided status
    baseline: str | None = None
    effect: float = 0.0  # for ordering findings of one severity, largest first
    holds: bool = True  # tested drafts: the rule's condition beyond the test (direction, size)
    reason_kept: str = ""  # kept by BH but not holding
    title_passed: str | None = None
    title_kept: str | None = None
    copy: int = 1  # the second, third ... draft of one id (a probe listed twice) reads '#2', '#3' ...

    @property
    def id(self) -> str:
        return (f"{self.probe}.{self.metric}:{self.model}" + (f":{self.baseline}" if self.baseline else "")
                + (f"#{self.copy}" if self.copy > 1 else ""))


def not_tested(rule: str, probe: str, metric: str, model: str, reason: str, *, baseline: str | None = None,
               value: float | None = None) -> Draft:
    what = f"{metric} of {model}" + (f" against {baseline}" if baseline else "")
    return Draft(rule=rule, probe=probe, metric=metric, model=model, baseline=baseline, value=value,
                 title=f"Not tested: {what}", status=NOT_TESTED, reason=reason)


WITH_VALUES = ("ok", "partial")  # unit statuses whose metrics stand for what ran ("partial": part of the work)


def unit_problem(unit: Any) -> str | None:
    """Why a probe's result for a model cannot be judged (it failed, does not apply, or computed no value); None
    when it has values to judge."""
    unit = as_dict(unit)
    status = unit.get("status")
    if status in WITH_VALUES:
        return None
    why = str(unit.get("reason") or "no reason recorded")
    if status == "not_applicable":
        return f"not applicable: {why}"
    return f"no values: {why}" if status == "no_values" else f"the probe failed: {why}"


def settle(draft: Draft, adjusted: float | None, q: float) -> dict[str, Any]:
    """The item of ``draft`` once its BH-adjusted p-value (None: not tested) is known."""
    status, reason, title, sev = draft.status, draft.reason, draft.title, draft.severity
    if status is None:  # rests on a test
        assert adjusted is not None and draft.p_value is not None
        test = f"p = {fmt_p(draft.p_value)}, BH-adjusted {fmt_p(adjusted)}"
        if adjusted <= q and draft.holds:
            status, reason = FINDING, f"{test} <= q = {q:g}"
        elif adjusted <= q:
            status, reason, title = PASSED, f"{draft.reason_kept} ({test})", draft.title_kept or title
        else:
            status, reason, title = PASSED, f"{reason}{'; ' if reason else ''}{test} > q = {q:g}", \
                draft.title_passed or title
    return {
        "id": draft.id,
        "rule": draft.rule,
        "probe": draft.probe,
        "metric": draft.metric,
        "model": draft.model,
        "baseline": draft.baseline,
        "status": status,
        "severity": sev if status == FINDING else None,
        "title": title,
        "value": draft.value,
        "ci": draft.ci,
        "threshold": draft.threshold,
        "p_value": draft.p_value,
        "p_adjusted": adjusted,
        "tested": draft.p_value is not None,
        "evidence": anchor(draft.probe),
        "reason": reason,
    }


def ordered(items: list[dict[str, Any]], effects: dict[str, float]) -> list[dict[str, Any]]:
    """Findings by severity (high, medium, low), then by effect, largest first; then passed; then not tested.
    Within passed and not tested the rules' own order (probe, model) is kept."""
    def key(pos_item):
        pos, item = pos_item
        if item["status"] == FINDING:
            return (0, SEVERITIES.index(item["severity"]), -effects.get(item["id"], 0.0), pos)
        return (1 if item["status"] == PASSED else 2, 0, 0.0, pos)

    return [item for _, item in sorted(enumerate(items), key=key)]


def probes_named(doc: dict, name: str) -> list[dict]:
    return [p for p in as_list(doc.get("probes")) if isinstance(p, dict) and p.get("name") == name]


def confidence_of(probe: dict, default: float = 0.95) -> float:
    c = number(as_dict(probe.get("config")).get("confidence"))
    return c if c is not None and 0.0 < c < 1.0 else default
