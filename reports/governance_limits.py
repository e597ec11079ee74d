"""Known limitations of an audit that the results themselves reveal, so a reviewer sees them
even when nobody wrote them down: failed or inapplicable probes, small samples, missing CIs,
no sensitive attribute, families that were not tested, an unfinished run."""

from __future__ import annotations

from reports.fmt import fmt_num
from reports.lookup import as_dict, as_list, metric_names, metrics_of, model_ids, probes_of, status_of

SMALL_SAMPLE = 200  # examples; below this a 95% CI on accuracy is wider than about ±0.07
FAMILIES = {"performance": "performance", "robustness": "robustness", "fairness": "fairness",
            "explainability": "explanation"}


def derived_limitations(results: dict) -> list[str]:
    models = model_ids(results)
    out: list[str] = []
    run, dataset = as_dict(results.get("run")), as_dict(results.get("dataset"))
    if not run.get("finished_at"):
        out.append("The run did not finish: some probes or models have no results.")
    size = dataset.get("size")
    if isinstance(size, int) and size < SMALL_SAMPLE:
        out.append(f"The evaluation set has only {fmt_num(size)} examples (fewer than {SMALL_SAMPLE}): "
                   "confidence intervals are wide and small differences are not detectable.")
    for probe in probes_of(results):
        name = str(probe.get("name"))
        for model in models:
            status, reason = status_of(probe, model)
            if status == "error":
                out.append(f"Probe '{name}' failed on model '{model}': {reason or 'no reason recorded'}")
            elif status == "not_applicable":
                out.append(f"Probe '{name}' was not applicable to model '{model}': {reason or 'no reason recorded'}")
            elif status == "missing":
                out.append(f"Probe '{name}' has no result for model '{model}' (the run was interrupted).")
        examples = as_dict(probe.get("config")).get("examples")
        if isinstance(examples, int) and examples < SMALL_SAMPLE:
            out.append(f"Probe '{name}' examined a sample of {examples} examples per model (config 'examples').")
        no_ci = sorted({n for m in models for n in metric_names(probe, [m], headline_only=True)
                        if (metrics_of(probe, m).get(n) or {}).get("value") is not None
                        and not (metrics_of(probe, m).get(n) or {}).get("ci")})
        if no_ci:
            out.append(f"Probe '{name}' reports {', '.join(no_ci)} without confidence intervals.")
    if not as_list(dataset.get("sensitive_attributes")):
        out.append("No sensitive-attribute column was given: group fairness could only use groups inferred from "
                   "identity terms in the texts, or was not measured.")
    ran = {str(p.get("family")) for p in probes_of(results)}
    for family, word in FAMILIES.items():
        if family not in ran:
            out.append(f"No {word} probe was run, so {word} properties of the model are untested.")
    return out
