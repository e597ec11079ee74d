"""Limitations the record derives from probe details: a sensitive attribute whose every disparity
is undefined (its groups fell below min_support), and an explanation probe that explained few
texts or skipped methods for a model, attack examples a time budget left inconclusive. Field shapes
are those of the group-fairness, explain and attack probes' details."""

from __future__ import annotations

from audit.reports.governance import build_governance
from audit.reports.governance_limits import derived_limitations
from audit.reports.markdown import render as render_md

MODELS = ["distilbert-sst2", "tfidf-logreg"]
DISPARITIES = ("demographic_parity_difference", "equalized_odds_difference", "accuracy_difference")


def attribute(name: str, sizes: dict[str, int], min_support: int = 30) -> dict:
    measured = sum(n >= min_support for n in sizes.values()) >= 2
    return {"name": name, "source": "column", "n": sum(sizes.values()),
            "groups": [{"group": g, "support": n, "small": n < min_support} for g, n in sizes.items()],
            "excluded_groups": [g for g, n in sizes.items() if n < min_support],
            "disparities": {d: {"value": 0.05 if measured else None, "ci": None, "flagged": False}
                            for d in DISPARITIES}}


def fairness_probe(models=MODELS) -> dict:
    details = {"min_support": 30, "attributes": [attribute("gender", {"female": 58, "male": 62}),
                                                 attribute("religion", {"christian": 26, "hindu": 32, "jewish": 22})]}
    return {"name": "group-fairness", "family": "fairness", "config": {"min_support": 30}, "metric_specs": [],
            "results": {m: {"status": "ok", "metrics": {}, "details": details} for m in models}}


def explain_probe(selection: dict[str, int]) -> dict:
    skipped = "needs attention maps, which a sklearn model does not expose (Hugging Face models only)"
    sklearn = {"attention": {"status": "skipped", "reason": skipped}, "occlusion": {"status": "ok", "reason": None}}
    hf = {"attention": {"status": "ok", "reason": None}, "occlusion": {"status": "ok", "reason": None},
          "integrated_gradients": {"status": "error", "reason": "all attributions were zero"}}
    return {"name": "explain", "family": "explainability", "config": {}, "metric_specs": [], "results": {
        "distilbert-sst2": {"status": "ok", "metrics": {}, "details": {"methods": hf, "selection": selection}},
        "tfidf-logreg": {"status": "ok", "metrics": {}, "details": {"methods": sklearn, "selection": selection}}}}


def test_attribute_with_every_disparity_undefined_is_a_limitation(sample):
    sample["dataset"]["sensitive_attributes"] = ["gender", "religion"]
    sample["probes"].append(fairness_probe())
    found = [x for x in derived_limitations(sample) if "Sensitive attribute" in x]
    assert found == ["Sensitive attribute 'religion' was not tested by probe 'group-fairness' for every model: fewer "
                     "than two of its groups reach min_support = 30 examples (group sizes: christian 26, hindu 32, "
                     "jewish 22), so every religion disparity is undefined. Lower the probe's min_support (noisier "
                     "estimates) or audit more data per group."]
    md = render_md(build_governance(sample))
    part = md[md.index("## Known limitations"):md.index("## Reviewer sign-off")]
    assert "Sensitive attribute 'religion' was not tested" in part and "'gender'" not in part


def test_untested_attribute_names_the_models_it_holds_for(sample):
    probe = fairness_probe()
    probe["results"]["distilbert-sst2"] = {"status": "error", "reason": "boom", "metrics": {}}
    sample["probes"].append(probe)
    found = [x for x in derived_limitations(sample) if "Sensitive attribute" in x]
    assert len(found) == 1 and "for model 'tfidf-logreg':" in found[0]


def test_few_explained_texts_and_skipped_methods_are_limitations(sample):
    sample["probes"].append(explain_probe({"misclassified": 2, "attacked": 0, "random": 4}))
    found = [x for x in derived_limitations(sample) if x.startswith("Probe 'explain'")]
    assert found == [
        "Probe 'explain' explained only 6 texts for every model (fewer than 30): its faithfulness and stability scores "
        "rest on a handful of examples; raise the probe's misclassified / attacked / random counts.",
        "Probe 'explain' could not use (error) integrated_gradients for model 'distilbert-sst2': all attributions "
        "were zero.",
        "Probe 'explain' skipped attention for model 'tfidf-logreg': needs attention maps, which a sklearn model does "
        "not expose (Hugging Face models only).",
    ]


def test_enough_explained_texts_and_all_methods_run_add_nothing(sample):
    probe = explain_probe({"misclassified": 10, "attacked": 10, "random": 20})
    for model in probe["results"].values():
        model["details"]["methods"] = {m: {"status": "ok"} for m in model["details"]["methods"]}
    sample["probes"].append(probe)
    assert not [x for x in derived_limitations(sample) if x.startswith("Probe 'explain'")]


def test_inconclusive_attack_examples_are_a_limitation(sample):
    recipes = {"textfooler": {"inconclusive": 2, "time_budget_s": 30.0}, "pwws": {"inconclusive": 0}}
    sample["probes"].append({"name": "attack", "family": "robustness", "config": {}, "metric_specs": [], "results": {
        "tfidf-logreg": {"status": "ok", "metrics": {}, "details": {"recipes": recipes}}}})
    found = [x for x in derived_limitations(sample) if x.startswith("Probe 'attack' left")]
    assert found == ["Probe 'attack' left 2 examples of recipe 'textfooler' inconclusive for model 'tfidf-logreg': a "
                     "time budget of 30 s stopped them, so its success rate leaves them out and depends on how busy "
                     "the machine was. Run without time_budget_s."]
