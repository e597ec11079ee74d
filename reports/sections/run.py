"""The sections around the probes: run summary, gate and provenance appendix."""

from __future__ import annotations

from audit.reports.blocks import Block, Callout, Cell, Code, Heading, KeyValues, Section, Table
from audit.core.fmt import DASH, fmt_duration, fmt_exact, fmt_num, fmt_value, pretty_json, short_hash
from audit.core.document import as_dict, as_list, model_ids, probes_of, status_of
from audit.reports.status import status_css, status_label
from audit.core.gate_text import GATE_STATUS, VERDICT_PHRASES, gate_condition, gate_sorted, gate_status, gate_value



def _text(x) -> str:
    return DASH if x is None or x == "" else str(x)


def pair_columns(columns: dict) -> str:
    """A sentence pair's two texts as example tables name them, and the data columns they come from."""
    return (f"sentence pairs: text = column '{_text(columns.get('text'))}' (the first text), text_pair = column "
            f"'{_text(columns.get('text_pair'))}' (the second text)")


def dataset_pairs(dataset: dict) -> list[tuple[str, str]]:
    counts = as_dict(dataset.get("label_counts"))
    labels = as_list(dataset.get("labels")) or list(counts)
    label_text = ", ".join(f"{lab} ({fmt_num(counts[lab])})" if lab in counts else str(lab) for lab in labels)
    label_map = as_dict(dataset.get("label_map"))
    pairs = [
        ("Dataset", _text(dataset.get("source"))),
        ("Split", _text(dataset.get("split"))),
        ("Size", fmt_num(dataset.get("size"))),
        ("Fingerprint", short_hash(dataset.get("fingerprint"))),
        ("Labels (count)", label_text or DASH),
    ]
    if label_map:
        pairs.append(("Label map", ", ".join(f"{k} → {v}" for k, v in label_map.items())))
    if dataset.get("task") == "pair":
        pairs.append(("Texts", pair_columns(as_dict(dataset.get("columns")))))
    dropped = as_dict(dataset.get("dropped_rows"))
    if dropped:
        pairs.append(("Rows left out", ", ".join(f"{fmt_num(n)} ({str(why).replace('_', ' ')})" for why, n in dropped.items())))
    if dataset.get("texts_with_control_characters"):
        pairs.append(("Control characters", f"{fmt_num(dataset['texts_with_control_characters'])} text(s) hold control "
                      "characters (NUL ...), shown here as visible symbols such as ␀"))
    sensitive = as_list(dataset.get("sensitive_attributes"))
    pairs.append(("Sensitive attributes", ", ".join(map(str, sensitive)) or "none"))
    return pairs


def models_table(results: dict) -> Table:
    rows = []
    for m in as_list(results.get("models")):
        m = as_dict(m)
        details = as_dict(m.get("details"))
        rows.append([
            Cell(_text(m.get("id")), css="model"),
            _text(m.get("kind")),
            Cell(_text(m.get("source")), css="path"),
            Cell(short_hash(m.get("fingerprint")), css="hash", title=str(m.get("fingerprint") or "")),
            ", ".join(map(str, as_list(m.get("labels")))) or DASH,
            Cell(", ".join(f"{k}={fmt_value(v)}" for k, v in details.items()) or DASH, css="small"),
        ])
    return Table(["Model", "Kind", "Source", "Fingerprint", "Labels", "Settings"], rows, title="Models",
                 empty="No models recorded.")


def probes_table(results: dict, models: list[str]) -> Table:
    rows = []
    for probe in probes_of(results):
        counts: dict[str, int] = {}
        for m in models:
            status = status_of(probe, m)[0]
            counts[status] = counts.get(status, 0) + 1
        summary = ", ".join(f"{n} {status_label(s)}" for s, n in counts.items())
        worst = next((s for s in ("error", "partial", "no_values", "not_applicable", "missing") if s in counts),
                     next((s for s in counts if s != "ok"), "ok"))
        reasons = "; ".join(f"{m}: {status_of(probe, m)[1]}" for m in models
                            if status_of(probe, m)[0] != "ok" and status_of(probe, m)[1])
        rows.append([Cell(_text(probe.get("name")), css="probe"), _text(probe.get("family")),
                     Cell(summary or DASH, css=status_css(worst), title=reasons),
                     Cell(_text(probe.get("description")), css="small")])
    return Table(["Probe", "Family", "Models", "What it measures"], rows, title="Probes",
                 empty="No probes recorded.")


def summary_section(results: dict) -> Section:
    run, dataset = as_dict(results.get("run")), as_dict(results.get("dataset"))
    durations = as_dict(run.get("durations"))
    run_pairs = [
        ("Run id", _text(run.get("id"))),
        ("Started", _text(run.get("started_at"))),
        ("Finished", _text(run.get("finished_at")) if run.get("finished_at") else "not finished"),
        ("Total time", fmt_duration(durations.get("total_s"))),
        ("Seed", fmt_num(run.get("seed"))),
        ("Device", _text(run.get("device"))),
    ]
    models = model_ids(results)
    blocks: list[Block] = [KeyValues(run_pairs, caption="Run"), KeyValues(dataset_pairs(dataset), caption="Data"),
                           models_table(results), probes_table(results, models)]
    return Section(id="summary", title="Run summary", blocks=blocks)


def gate_verdict(gate: dict, checks: list[dict]) -> Callout:
    """"Gate passed / failed" with every count that matters: a skipped check is not a pass, and a
    check that could not be evaluated is not a failed comparison (though it fails the gate)."""
    recorded = as_dict(gate.get("counts"))
    counts = {s: recorded[s] if isinstance(recorded.get(s), int) else sum(1 for c in checks if gate_status(c) == s)
              for s in GATE_STATUS}
    total, passed = sum(counts.values()), bool(gate.get("passed"))
    kind, title = ("pass", "Gate passed") if passed else ("fail", "Gate failed")
    if not total:
        return Callout(kind, title, "The gate has no checks.")
    if passed and counts["pass"] == total:
        return Callout(kind, title, f"All {total} checks passed.")
    parts = []
    for status, phrase in VERDICT_PHRASES:
        if status == "skip" and passed:
            phrase += " (not evaluated; the policy lets them be skipped)"
        if counts[status]:
            parts.append(f"{counts[status]} {phrase}" if parts else f"{counts[status]} of {total} checks {phrase}")
    text = "; ".join(parts) + "."
    if gate.get("message"):  # why the gate decided as it did when the rows alone don't say (e.g. all skipped)
        text += f" {str(gate['message'])[:1].upper()}{str(gate['message'])[1:]}."
    return Callout(kind, title, text)


def gate_table(checks: list[dict], table_css: str = "gate-table", empty: str = "The gate has no checks.") -> Table:
    """One row per check, failed first: result, metric, model, condition, value, note."""
    rows = []
    for c in gate_sorted(checks):
        word, css = GATE_STATUS[gate_status(c)]
        baseline = as_dict(c.get("baseline")).get("model")
        model = f"{_text(c.get('model'))} vs {baseline}" if baseline else _text(c.get("model"))
        rows.append([
            Cell(word, css=css),
            Cell(_text(c.get("metric")), css="metric-name"),
            Cell(model, css="model"),
            Cell(gate_condition(c), css="num"),
            Cell(gate_value(c), css="num"),
            Cell(_text(c.get("message") or c.get("reason")), css="small"),
        ])
    return Table(["Result", "Metric", "Model", "Condition", "Value", "Note"], rows, css=table_css, empty=empty)


def gate_section(gate: dict) -> Section:
    checks = [as_dict(c) for c in as_list(gate.get("checks"))]
    return Section(id="gate", title="Gate", blocks=[gate_verdict(gate, checks), gate_table(checks)])


def cache_table(run: dict) -> Table:
    rows = []
    for model, stats in as_dict(run.get("cache")).items():
        s = as_dict(stats)
        requested, hits = s.get("texts_requested"), s.get("cache_hits")
        rate = f"{100 * hits / requested:.0f}%" if isinstance(hits, (int, float)) and requested else DASH
        rows.append([Cell(str(model), css="model")] + [Cell(fmt_num(s.get(k)), css="num") for k in
                    ("model_calls", "texts_predicted", "texts_requested", "cache_hits")] + [Cell(rate, css="num")])
    return Table(["Model", "Model calls", "Texts predicted", "Texts requested", "Cache hits", "Hit rate"], rows,
                 title="Prediction cache (model calls per model)", empty="No cache statistics recorded.")


def provenance_section(results: dict) -> Section:
    run, dataset = as_dict(results.get("run")), as_dict(results.get("dataset"))
    versions = as_dict(run.get("versions"))
    hashes = [("dataset", _text(dataset.get("fingerprint")))] + [
        (f"model {as_dict(m).get('id')}", _text(as_dict(m).get("fingerprint"))) for m in as_list(results.get("models"))]
    env = [("Results schema", _text(results.get("schema"))), ("Platform", _text(run.get("platform"))),
           ("Device", _text(run.get("device"))), ("Seed", fmt_num(run.get("seed")))]
    env += [(f"Time: {str(k).removesuffix('_s').replace('_', ' ')}", fmt_duration(v))
            for k, v in as_dict(run.get("durations")).items()]
    columns = as_dict(dataset.get("columns"))
    if columns:
        env.append(("Dataset columns", ", ".join(f"{k}={fmt_value(v)}" for k, v in columns.items())))
    blocks: list[Block] = [
        KeyValues([(k, fmt_exact(v)) for k, v in versions.items()] or [("versions", DASH)], caption="Versions"),
        KeyValues(hashes, caption="Fingerprints"),
        KeyValues(env, caption="Environment"),
        cache_table(run),
        Heading("Command line"),
        Code(_text(run.get("command")), language="sh"),
        Heading("Resolved configuration"),
        Code(pretty_json(run.get("config") or {}), language="json"),
    ]
    return Section(id="provenance", title="Provenance", subtitle="appendix", blocks=blocks,
                   description="What was run, on which data, with which versions and hashes.")
