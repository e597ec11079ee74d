"""The sections of the governance record, in model-card order. Each reads only the results
document and the governance text (from the run's config or `audit record --config`)."""

from __future__ import annotations

from audit.reports.blocks import Block, Callout, Cell, Heading, KeyValues, Section, Table
from audit.core.document import as_dict, as_list, metric_names, model_ids, model_result, probes_of, status_of
from audit.reports.status import callout_kind, status_label
from audit.reports.sections.common import examples_table
from audit.reports.scorecard import headers, metric_row
from audit.reports.sections.run import dataset_pairs, gate_section, models_table

FAILURES_PER_MODEL = 5
FAMILY_SECTIONS = (  # (family, section id, title, what is missing when no probe ran)
    ("performance", "metrics", "Metrics", "performance"),
    ("robustness", "robustness", "Robustness", "robustness"),
    ("fairness", "fairness", "Fairness", "fairness"),
    ("explainability", "explanations", "Explanations", "explainability"),
)
SIGN_OFF_ROWS = 3  # blank rows when no reviewer is named


def texts(value) -> list[str]:
    """A config text or list of texts as a list of non-empty strings."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return [str(x).strip() for x in items if isinstance(x, str) and x.strip()]


def how_to_add(key: str) -> str:
    """Plain words (no Markdown: the HTML record shows text as written)."""
    return (f"add governance.{key} to the audit config (see docs/governance.md), or pass a file with a governance "
            "section to audit record --config FILE")


def not_stated(key: str) -> Callout:
    what = key.replace("_", " ").capitalize()
    return Callout("info", f"{what}: not stated", how_to_add(key)[:1].upper() + how_to_add(key)[1:] + ".")


def bullets(items: list[str], caption: str) -> Table:
    return Table([caption], [[Cell(t, css="text")] for t in items], css="compact")


def model_details(results: dict, gov: dict) -> Section:
    blocks: list = []
    stated = [(key, label, " ".join(texts(gov.get(key)))) for key, label in
              (("model_details", "Description"), ("owner", "Owner"), ("contact", "Contact"))]
    if any(v for _, _, v in stated):
        blocks.append(KeyValues([(label, v or f"Not stated: {how_to_add(key)}.") for key, label, v in stated],
                                caption="As stated by the model owner"))
    else:
        blocks.append(not_stated("model_details"))
    blocks.append(models_table(results))
    return Section(id="model-details", title="Model details", blocks=blocks,
                   description="What was audited: each model's kind, source, fingerprint and label set.")


def intended_use(gov: dict) -> Section:
    uses, out_of_scope = texts(gov.get("intended_use")), texts(gov.get("out_of_scope_uses"))
    blocks: list = [bullets(uses, "Intended use") if uses else not_stated("intended_use"),
                    bullets(out_of_scope, "Out-of-scope uses") if out_of_scope else not_stated("out_of_scope_uses")]
    return Section(id="intended-use", title="Intended use", blocks=blocks)


def evaluation_data(results: dict, gov: dict) -> Section:
    dataset = as_dict(results.get("dataset"))
    blocks: list = [KeyValues(dataset_pairs(dataset), caption="Dataset")]
    why = texts(gov.get("evaluation_data"))
    blocks += [bullets(why, "Why this data")] if why else [not_stated("evaluation_data")]
    return Section(id="evaluation-data", title="Evaluation data", blocks=blocks,
                   description="The fingerprint hashes ids, texts and labels in order: the same data gives the same hash.")


REPORT_UNKNOWN = "report.html, which audit writes beside the results.json this record was made from"


def full_detail(probes: list[dict], report: str | None) -> Callout:
    """Where each probe's full section is: report.html (a path relative to the record when known),
    named in plain words since the record cannot link into another file's sections reliably."""
    where = REPORT_UNKNOWN if report is None else ("report.html in this folder" if report == "report.html" else
                                                   f"{report} (relative to this record)")
    names = ", ".join(str(p.get("name")) for p in probes)
    return Callout("info", "Full detail", f"See {where}, section{'s' if len(probes) > 1 else ''} {names}. "
                                          "If it is missing, re-create it with the command audit report RESULTS.")


def family_section(results: dict, family: str, sid: str, title: str, word: str,
                   report: str | None = None) -> tuple[Section, bool]:
    """Headline metrics of every probe of ``family``, one row per metric, models side by side;
    ``report`` is report.html's path relative to the record, when known."""
    models = model_ids(results)
    probes = [p for p in probes_of(results) if p.get("family") == family]
    if not probes:
        return Section(id=sid, title=title, blocks=[Callout("not_applicable", f"No {word} probe was run",
                       "This property was not tested; see Known limitations.")]), False
    rows: list = []
    notes: list[Block] = []
    for probe in probes:
        name = str(probe.get("name"))
        rows += [metric_row(probe, m, f"{name}.{m}", models) for m in metric_names(probe, models, headline_only=True)]
        for model in models:
            status, reason = status_of(probe, model)
            if status != "ok":
                notes.append(Callout(callout_kind(status), f"{name} on {model}: {status_label(status)}",
                                     reason or "No reason recorded."))
    table = Table(headers("Metric", models), rows, css="scorecard", empty="These probes report no headline metric.",
                  caption="Headline metrics: value [confidence interval]. Verdicts marked paired compare the models "
                          "example by example (Newcombe interval and McNemar's test for accuracy, paired bootstrap for "
                          "losses); unpaired ones mark a model best only when its interval overlaps no other model's.")
    blocks: list[Block] = [table, *notes, full_detail(probes, report)]
    return Section(id=sid, title=title, subtitle=f"{family} probes", blocks=blocks), True


def gate_block(results: dict) -> Section:
    """The report's gate section (same verdict and status words), with the policy that was applied."""
    gate = results.get("gate")
    if not isinstance(gate, dict):
        return Section(id="gate", title="Gate decision", blocks=[Callout(
            "not_applicable", "No gate was applied",
            "The run was not checked against a release policy; the audit gate command adds this section.")])
    section = gate_section(gate)
    section.title = "Gate decision"
    policy = as_dict(gate.get("policy"))
    pairs = [(label, str(policy.get(key))) for key, label in (("name", "Policy"), ("path", "Policy file"),
                                                                ("sha256", "Policy SHA-256")) if policy.get(key)]
    if gate.get("evaluated_at"):
        pairs.append(("Evaluated", str(gate["evaluated_at"])))
    if pairs:
        section.blocks.insert(1, KeyValues(pairs, caption="Release policy"))
    return section


def example_failures(results: dict) -> Section:
    """The metrics probe's most confident mistakes, a few per model (texts escaped by the renderers)."""
    blocks: list = []
    probe = next((p for p in probes_of(results) if p.get("name") == "metrics"), None)
    for model in model_ids(results) if probe else []:
        examples = [e for e in as_list((model_result(probe, model) or {}).get("examples")) if isinstance(e, dict)]
        if examples:
            blocks += [Heading(f"Misclassified — {model}"),
                       examples_table(examples[:FAILURES_PER_MODEL],
                                      f"{min(len(examples), FAILURES_PER_MODEL)} of {len(examples)} recorded mistakes, "
                                      "most confident first")]
    if not blocks:
        blocks.append(Callout("info", "No example failures recorded",
                              "The metrics probe did not run or kept no misclassified examples."))
    return Section(id="failures", title="Example failures", blocks=blocks)


def limitations(gov: dict, derived: list[str]) -> Section:
    stated, ethics = texts(gov.get("limitations")), texts(gov.get("ethical_considerations"))
    blocks: list = [Heading("Stated by the model owner")]
    blocks += [bullets(stated, "Limitation")] if stated else [not_stated("limitations")]
    blocks += [Heading("Found in the results"), bullets(derived, "Limitation")]
    blocks.append(Heading("Ethical considerations"))
    blocks += [bullets(ethics, "Consideration")] if ethics else [not_stated("ethical_considerations")]
    return Section(id="limitations", title="Known limitations", blocks=blocks)


def sign_off(gov: dict) -> Section:
    rows = []
    reviewers = gov.get("reviewers")
    for r in list(reviewers) if isinstance(reviewers, (list, tuple)) else []:
        r = {"name": r} if isinstance(r, str) else as_dict(r)
        rows.append([str(r.get("name") or ""), str(r.get("role") or ""), "", "", ""])
    rows = rows or [[""] * 5 for _ in range(SIGN_OFF_ROWS)]
    table = Table(["Name", "Role", "Decision (approve / reject / approve with conditions)", "Date", "Signature"], rows,
                  css="gate-table")
    return Section(id="sign-off", title="Reviewer sign-off", blocks=[table],
                   description="To be completed by the reviewers; the decision refers to the gate decision and "
                               "limitations above.")
