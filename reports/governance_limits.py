"""Known limitations of an audit that the results themselves reveal, so a reviewer sees them
even when nobody wrote them down: failed or inapplicable probes, small samples, missing CIs,
no sensitive attribute, a sensitive attribute whose every group disparity is undefined (groups
under min_support), an explanation probe that explained few texts or skipped methods, attack
examples a time budget left inconclusive, families that were not tested, an unfinished run."""

from __future__ import annotations

from audit.core.fmt import fmt_num
from audit.core.document import as_dict, as_list, metric_names, metrics_of, model_ids, probes_of, status_of
from audit.reports.status import HAS_VALUES

SMALL_SAMPLE = 200  # examples; below this a 95% CI on accuracy is wider than about ±0.07
FEW_EXPLAINED = 30  # explained texts; below this faithfulness and stability rest on a handful of examples
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
            elif status == "partial":
                out.append(f"Probe '{name}' ran only in part on model '{model}': {reason or 'no reason recorded'}")
            elif status == "no_values":
                out.append(f"Probe '{name}' computed no value on model '{model}': {reason or 'no reason recorded'}")
            elif status != "ok":
                out.append(f"Probe '{name}' on model '{model}' has status '{status}': {reason or 'no reason recorded'}")
        examples = as_dict(probe.get("config")).get("examples")
        if isinstance(examples, int) and examples < SMALL_SAMPLE:
            out.append(f"Probe '{name}' examined a sample of {examples} examples per model (config 'examples').")
        no_ci = sorted({n for m in models for n in metric_names(probe, [m], headline_only=True)
                        if (metrics_of(probe, m).get(n) or {}).get("value") is not None
                        and not (metrics_of(probe, m).get(n) or {}).get("ci")})
        if no_ci:
            out.append(f"Probe '{name}' reports {', '.join(no_ci)} without confidence intervals.")
        out += untested_attributes(probe, models) + explain_limits(probe, models) + attack_limits(probe, models)
    if not as_list(dataset.get("sensitive_attributes")):
        out.append("No sensitive-attribute column was given: group fairness could only use groups inferred from "
                   "identity terms in the texts, or was not measured.")
    ran = {str(p.get("family")) for p in probes_of(results)}
    for family, word in FAMILIES.items():
        if family not in ran:
            out.append(f"No {word} probe was run, so {word} properties of the model are untested.")
    return out


def _ok_details(probe: dict, models: list[str]) -> list[tuple[str, dict]]:
    return [(m, as_dict(as_dict(as_dict(probe.get("results")).get(m)).get("details"))) for m in models
            if status_of(probe, m)[0] in HAS_VALUES]


def _models_text(models: list[str], of: list[str]) -> str:
    if len(models) > 1 and sorted(models) == sorted(of):
        return "every model"
    return ("model " if len(models) == 1 else "models ") + ", ".join(f"'{m}'" for m in models)


def untested_attributes(probe: dict, models: list[str]) -> list[str]:
    """A sensitive attribute whose every disparity is null: its groups fell below min_support, so
    the probe measured nothing for it although the record lists it as audited."""
    name, found = str(probe.get("name")), {}  # attribute -> (models, groups text, min_support)
    for model, details in _ok_details(probe, models):
        for attr in as_list(details.get("attributes")):
            attr = as_dict(attr)
            disparities = as_dict(attr.get("disparities"))
            if not disparities or any(as_dict(d).get("value") is not None for d in disparities.values()):
                continue
            groups = [as_dict(g) for g in as_list(attr.get("groups"))]
            sizes = ", ".join(f"{g.get('group')} {fmt_num(g.get('support'))}" for g in groups if "support" in g)
            entry = found.setdefault(str(attr.get("name")), ([], sizes, details.get("min_support")))
            entry[0].append(model)
    out = []
    for attr, (who, sizes, support) in found.items():
        bar = f"min_support = {support} examples" if isinstance(support, int) else "the probe's min_support"
        out.append(f"Sensitive attribute '{attr}' was not tested by probe '{name}' for {_models_text(who, models)}: "
                   f"fewer than two of its groups reach {bar}" + (f" (group sizes: {sizes})" if sizes else "")
                   + f", so every {attr} disparity is undefined. Lower the probe's min_support (noisier estimates) "
                     "or audit more data per group.")
    return out


def explain_limits(probe: dict, models: list[str]) -> list[str]:
    """An explanation probe that explained few texts, and methods it skipped for a model (with why);
    one line per finding, naming every model it holds for."""
    name, found = str(probe.get("name")), {}  # finding text (with {who}) -> models
    for model, details in _ok_details(probe, models):
        methods = {str(k): as_dict(v) for k, v in as_dict(details.get("methods")).items()}
        if not methods:
            continue
        selection = [v for v in as_dict(details.get("selection")).values() if isinstance(v, int)]
        ns = [as_dict(f).get("n") for f in as_dict(details.get("faithfulness")).values()]
        explained = sum(selection) if selection else max((n for n in ns if isinstance(n, int)), default=None)
        if isinstance(explained, int) and explained < FEW_EXPLAINED:
            found.setdefault(f"Probe '{name}' explained only {explained} texts for {{who}} "
                             f"(fewer than {FEW_EXPLAINED}): its faithfulness and stability scores rest on a handful of examples; raise the probe's "
                             "misclassified / attacked / random counts.", []).append(model)
        skipped: dict[tuple[str, str], list[str]] = {}  # (verb, reason) -> methods
        for method, info in methods.items():
            status = info.get("status")
            if status not in (None, "ok"):
                verb = "skipped" if status == "skipped" else f"could not use ({status})"
                skipped.setdefault((verb, str(info.get("reason") or status)), []).append(method)
        for (verb, reason), names in skipped.items():
            found.setdefault(f"Probe '{name}' {verb} {', '.join(names)} for {{who}}: {reason.rstrip('.')}.",
                             []).append(model)
    return [text.replace("{who}", _models_text(who, models)) for text, who in found.items()]


def attack_limits(probe: dict, models: list[str]) -> list[str]:
    """Attack examples a time budget stopped: left out of the success rate, and chosen by machine load."""
    out = []
    for model, details in _ok_details(probe, models):
        for recipe, d in as_dict(details.get("recipes")).items():
            n = as_dict(d).get("inconclusive")
            if isinstance(n, int) and n > 0:
                out.append(f"Probe '{probe.get('name')}' left {n} examples of recipe '{recipe}' inconclusive for model "
                           f"'{model}': a time budget of {fmt_num(as_dict(d).get('time_budget_s'))} s stopped them, so "
                           "its success rate leaves them out and depends on how busy the machine was. Run without "
                           "time_budget_s.")
    return out
