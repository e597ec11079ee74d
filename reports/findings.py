"""The verdict's findings: results.json's top-level ``findings`` block as a ranked list per model.

The block (written by ``audit run``; absent in older results files) lists items already ordered:
findings by severity, then what passed, then what was not tested. Each item names its rule, probe,
metric and model, a one-sentence title, the value with its interval, the threshold and the
Benjamini-Hochberg-adjusted p, and the id of the probe section holding the evidence. The report
computes nothing here: it reads the block, groups it by model and keeps its order.
"""

from __future__ import annotations

from audit.core.document import as_dict, as_list
from audit.core.fmt import fmt_metric, is_number
from audit.reports.blocks import FindingItem, Findings, ModelFindings

SEVERITIES = ("high", "medium", "low")
NO_BLOCK = ("No findings computed: this results file has no findings block (it was written before audit "
            "ranked findings). The paired comparison and the scorecard below still apply.")
METHODS = {"benjamini-hochberg": "Benjamini-Hochberg"}
GROUP_FROM = 12  # passed items of one family listed by name up to this many; more are one counted entry


def findings_of(results: dict) -> dict | None:
    """The findings block, or None when the results hold none (or hold something else under that key)."""
    block = results.get("findings")
    return block if isinstance(block, dict) and isinstance(block.get("items"), list) else None


def items_of(block: dict | None) -> list[dict]:
    return [i for i in as_list((block or {}).get("items")) if isinstance(i, dict)]


def fmt_p(p) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def item_name(item: dict) -> str:
    """``probe.metric`` (``· vs baseline`` for a comparison with another model)."""
    probe, metric = str(item.get("probe") or ""), str(item.get("metric") or item.get("rule") or "?")
    name = metric if not probe or metric.startswith(f"{probe}.") else f"{probe}.{metric}"
    return f"{name} vs {item['baseline']}" if item.get("baseline") else name


def item_stats(item: dict) -> str:
    """``0.31 [0.25, 0.37] · threshold 0.05 · adjusted p 0.004``: what the item shows, where it has it."""
    parts = []
    if is_number(item.get("value")):
        ci = item.get("ci")
        parts.append(fmt_metric({"value": item["value"], "ci": ci if isinstance(ci, list) and len(ci) == 2 else None}))
    if is_number(item.get("threshold")):
        parts.append(f"threshold {item['threshold']:g}")
    if is_number(item.get("p_adjusted")):
        parts.append(f"adjusted p {fmt_p(item['p_adjusted'])}")
    elif is_number(item.get("p_value")):
        parts.append(f"p {fmt_p(item['p_value'])}")
    return " · ".join(parts)


def evidence_of(item: dict, anchors: set[str], probe_anchor: dict[str, str]) -> tuple[str, str]:
    """(section id, label) of the item's evidence when that section is in this report, else ("", "")."""
    probe = str(item.get("probe") or "")
    for target in (str(item.get("evidence") or ""), probe_anchor.get(probe, "")):
        if target and target in anchors:
            return target, probe or target
    return "", ""


def passed_names(items: list[dict]) -> tuple[list[tuple[str, str]], int | None]:
    """(name, hover text) of each passed item, in order, and how many items they stand for (None: one each).
    A family of more than GROUP_FROM passed items (one rule, probe, metric before its '/', and baseline: the
    hundreds of slices the slices probe tests) is one entry, where its first item was, counting them."""
    family: dict[tuple, list[dict]] = {}
    for i in items:
        metric = str(i.get("metric") or "")
        if "/" in metric:
            family.setdefault((i.get("rule"), i.get("probe"), metric.split("/", 1)[0], i.get("baseline")), []).append(i)
    big = {key: members for key, members in family.items() if len(members) > GROUP_FROM}
    out, shown = [], set()
    for i in items:
        metric = str(i.get("metric") or "")
        key = (i.get("rule"), i.get("probe"), metric.split("/", 1)[0], i.get("baseline"))
        if "/" not in metric or key not in big:
            out.append((item_name(i), str(i.get("title") or "")))
        elif key not in shown:
            shown.add(key)
            rule, probe, stem, baseline = key
            name = f"{probe}.{stem}/* × {len(big[key])}" + (f" vs {baseline}" if baseline else "")
            out.append((name, f"{len(big[key])} items of rule {rule} passed; the {probe} section shows each"))
    return out, (len(items) if big else None)


def finding_item(item: dict, anchors: set[str], probe_anchor: dict[str, str]) -> FindingItem:
    target, label = evidence_of(item, anchors, probe_anchor)
    severity = str(item.get("severity") or "")
    note = " · ".join(str(x) for x in (item.get("rule"), item.get("reason")) if x)
    title = str(item.get("title") or item_name(item))
    return FindingItem(severity=severity if severity in SEVERITIES else "", title=title, stats=item_stats(item),
                       target=target, target_label=label, note=note)


def build_findings(results: dict, models: list[str], anchors: set[str], probe_anchor: dict[str, str]) -> Findings:
    """Per model (in the report's model order, then any other model named): its findings in the block's
    order, what passed and what was not tested; ``empty`` says so when the results hold no block."""
    block = findings_of(results)
    if block is None:
        return Findings(groups=[], empty=NO_BLOCK)
    items = items_of(block)
    order = list(models) + [m for m in dict.fromkeys(str(i.get("model")) for i in items) if m not in models]
    groups = []
    for model in order:
        mine = [i for i in items if str(i.get("model")) == model]
        if not mine and model not in models:
            continue
        passed = passed_names([i for i in mine if i.get("status") == "passed"])
        groups.append(ModelFindings(
            model=model,
            findings=[finding_item(i, anchors, probe_anchor) for i in mine if i.get("status") == "finding"],
            passed=passed[0], passed_count=passed[1],
            not_tested=[(item_name(i), str(i.get("reason") or "no reason recorded")) for i in mine
                        if i.get("status") == "not_tested"],
        ))
    return Findings(groups=groups, rule=rule_text(block))


def rule_text(block: dict) -> str:
    """The multiple-testing rule as one sentence, with how many hypotheses were tested and rejected."""
    fdr = as_dict(block.get("fdr"))
    if not fdr:
        return ""
    method = str(fdr.get("method") or "multiple-testing correction")
    method = METHODS.get(method, method)
    q = f" at q = {fdr['q']:g}" if is_number(fdr.get("q")) else ""
    counts = ""
    if isinstance(fdr.get("tested"), int) and isinstance(fdr.get("rejected"), int):
        counts = f": {fdr['rejected']} of {fdr['tested']} tested hypotheses rejected"
    rule = str(fdr.get("rule") or "").strip()
    return f"{rule} ({method}{q}{counts}.)" if rule else f"{method}{q}{counts}."


def finding_sections(results: dict, probe_anchor: dict[str, str]) -> set[str] | None:
    """Section ids of probes with at least one finding (their sections open by default); None when the
    results hold no findings block (then every section opens)."""
    block = findings_of(results)
    if block is None:
        return None
    out: set[str] = set()
    for item in items_of(block):
        if item.get("status") == "finding":
            out.update(x for x in (str(item.get("evidence") or ""), probe_anchor.get(str(item.get("probe")), "")) if x)
    return out


def finding_counts(results: dict) -> dict[str, int]:
    """Findings per probe name."""
    counts: dict[str, int] = {}
    for item in items_of(findings_of(results)):
        if item.get("status") == "finding":
            counts[str(item.get("probe"))] = counts.get(str(item.get("probe")), 0) + 1
    return counts
