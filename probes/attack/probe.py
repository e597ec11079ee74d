"""The `attack` probe: adversarial attacks from TextAttack recipes, on any model kind.

One seeded sample of the data is attacked by every recipe on every model; only examples the
model gets right are attacked (the rest are counted as skipped). TextAttack is imported only
here, when an attack runs. Queries go through the prediction cache and are batched across
examples attacked at the same time; each success is confirmed by re-predicting the adversarial
text. Per-example records go to the predictions sidecar; finished examples are checkpointed under
the run's work dir, so ``--resume`` picks an interrupted attack up where it stopped. On sentence
pairs the side named by ``perturb`` is attacked and the other is held fixed by a constraint;
records then carry both texts and both adversarial sides.
"""

from __future__ import annotations

from typing import ClassVar

from audit.core.errors import AuditError
from audit.core.install import install_extra
from audit.core.labels import align_labels
from audit.resources.recipes import RECIPES
from audit.core.seeding import rng_for
from audit.probes.attack import scoring
from audit.probes.attack.checkpoint import Checkpoint, unit_key
from audit.probes.attack.config import AttackConfig
from audit.probes.attack.prepare import resolve_resources, skip_reasons
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.fairness.by_group.breakdown import Settings, by_sensitive_groups
from audit.probes.fairness.by_group.inputs import attack_measures
from audit.probes.registry import register

EXAMPLE_KEYS = ("recipe", "id", "text", "adversarial", "label", "adversarial_label", "original_confidence",
                "adversarial_confidence", "queries", "words_changed", "perturbed_share")
SUCCESS_KEYS = ("recipe", "id", "label", "text", "adversarial")  # details["successes"]: what other probes read
RECORD_COLUMNS = ("recipe", "id", "label", "outcome", "reason", "text", "adversarial", "adversarial_label",
                  "original_confidence", "adversarial_confidence", "predicted", "queries", "words_changed", "words",
                  "perturbed_share", "seconds", "confirmed")
PAIR_KEYS = {"text": "text_pair", "adversarial": "adversarial_pair"}  # on sentence pairs, the second side's key


def with_pair(keys: tuple[str, ...], is_pair: bool) -> tuple[str, ...]:
    """``keys`` with the second side's key after each first-side key, on sentence pairs."""
    return tuple(x for k in keys for x in ((k, PAIR_KEYS[k]) if is_pair and k in PAIR_KEYS else (k,)))


@register
class AttackProbe(Probe):
    name = "attack"
    family = "robustness"
    version = "4"  # 2: a time-budget stop is inconclusive, not a failure; 3: exact (Clopper-Pearson) intervals; 4: by group
    description = ("Adversarial attacks (TextAttack recipes: DeepWordBug, Pruthi, PWWS, TextFooler, TextBugger, BAE, "
                   "BERT-Attack, A2T): success rate, accuracy under attack, queries, words perturbed.")
    metric_specs: ClassVar[tuple[MetricSpec, ...]] = (
        MetricSpec("max_success_rate", "Highest attack success rate over the recipes run (exact Clopper-Pearson CI).", False,
                   headline=True),
        MetricSpec("min_accuracy_under_attack", "Lowest accuracy under attack over the recipes run (exact Clopper-Pearson CI).",
                   True, headline=True),
        MetricSpec("max_robustness_gap", "Largest gap in attack success rate between the groups of any sensitive "
                   "attribute (interval joint over every attribute).", False, headline=True),
        MetricSpec("robustness_gap/{attribute}", "Highest minus lowest attack success rate between the groups of one "
                   "attribute with at least group_min_support attacked examples (simultaneous interval).", False),
        MetricSpec("group_success_rate/{attribute}/{group}", "Share of one group's attacked examples the attacks "
                   "flipped, pooled over the recipes.", False),
        MetricSpec("group_queries_per_success/{attribute}/{group}", "Mean model queries of one group's successful "
                   "attacks, pooled over the recipes.", None),
        MetricSpec("success_rate/{recipe}", "Share of attacked (correctly classified) examples whose prediction "
                   "the recipe flipped, each confirmed by re-predicting; inconclusive ones left out (exact Clopper-Pearson CI).",
                   False),
        MetricSpec("accuracy_under_attack/{recipe}", "Share of evaluated examples still classified correctly "
                   "after the attack; inconclusive ones left out (exact Clopper-Pearson CI).", True),
        MetricSpec("clean_accuracy/{recipe}", "Accuracy on the examples sampled for the recipe (exact Clopper-Pearson CI).", True),
        MetricSpec("avg_queries/{recipe}", "Mean model queries per attacked example.", None),
        MetricSpec("avg_perturbed_share/{recipe}", "Mean share of words changed in successful adversarial "
                   "examples.", None),
        MetricSpec("successes/{recipe}", "Successful (confirmed) attacks.", None),
        MetricSpec("failures/{recipe}", "Attacks that did not flip the prediction (query budget spent, search "
                   "exhausted, unconfirmed).", None),
        MetricSpec("inconclusive/{recipe}", "Examples stopped by the time budget (off by default) before the goal "
                   "or the query budget: neither success nor failure, left out of the rates.", None),
        MetricSpec("skipped/{recipe}", "Sampled examples not attacked (misclassified, empty or too long).", None),
    )
    Config = AttackConfig
    # TextAttack is the `attack` extra: without it this probe is skipped with that line, the others run.
    needs: ClassVar[dict[str, str]] = {"textattack": install_extra("attack")}
    handles_pairs = True  # pairs go to every recipe that handles them; the others are recorded as unavailable

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg: AttackConfig = self.config
        labels = model.labels
        gold = align_labels(data.labels, labels, model_id=model.id)
        ready, unavailable = resolve_resources(cfg.plans(), cfg.resources, model, pairs=data.is_pair)
        if not ready:
            raise AuditError(" ".join(unavailable.values()))
        from audit.resources.textattack_env import import_textattack

        import_textattack()
        from audit.probes.attack.engine import Job
        from audit.probes.attack.unit import run_recipe

        order = [int(i) for i in rng_for(ctx.seed, self.name, "sample").permutation(len(data))]
        sample = order[: max(plan.examples for plan, _ in ready)]
        inputs = data.inputs
        reasons = dict(zip(sample, skip_reasons(model, [inputs[i] for i in sample])))
        ok = [i for i in sample if reasons[i] is None]
        proba = dict(zip(ok, model.predict_proba([inputs[i] for i in ok]))) if ok else {}
        settings = {k: model.details.get(k) for k in ("max_length", "precision")}  # change outputs, so the key
        perturb = cfg.perturb if data.is_pair else None
        pairs = data.text_pairs
        example_keys, success_keys = with_pair(EXAMPLE_KEYS, data.is_pair), with_pair(SUCCESS_KEYS, data.is_pair)

        metrics, per_recipe, records_all, examples = {}, {}, [], []
        for plan, paths in ready:
            idx = sample[: plan.examples]
            records = [self._skipped(data, i, gold[i], reasons[i], proba, labels) for i in idx]
            jobs = [Job(i, data.ids[i], data.texts[i], int(gold[i]), None if pairs is None else pairs[i])
                    for i, r in zip(idx, records) if r is None]
            key = unit_key(model_fingerprint=model.fingerprint, model_settings=settings, recipe=plan.recipe.name,
                           query_budget=plan.query_budget, time_budget_s=plan.time_budget_s, seed=ctx.seed,
                           labels=labels, perturb=perturb, resources=dict(paths))
            checkpoint = Checkpoint(ctx.work_dir, model.id, plan.recipe.name, key, ctx.resume)
            advance = ctx.task(f"attack · {plan.recipe.name} · {model.id}", len(jobs))
            attacked, run_info = run_recipe(plan, paths, model, jobs, checkpoint=checkpoint, seed=ctx.seed,
                                            workers=cfg.workers, advance=advance, perturb=perturb)
            by_index = {job.index: r for job, r in zip(jobs, attacked)}
            records = [r if r is not None else by_index[i] for i, r in zip(idx, records)]
            for r in records:
                r["recipe"] = plan.recipe.name
            m, counts = scoring.recipe_metrics(plan.recipe.name, records, cfg.confidence)
            metrics.update(m)
            per_recipe[plan.recipe.name] = {**self._describe(plan, paths), **counts, **run_info}
            records_all += records
            examples += [{k: r.get(k) for k in example_keys} for r in records
                         if r["outcome"] == "success"][: cfg.max_examples]
        metrics.update(scoring.headline(metrics, [plan.recipe.name for plan, _ in ready]))
        successes = [{k: r.get(k) for k in success_keys} for r in records_all if r["outcome"] == "success"]
        if cfg.by_group:
            grouping = Settings(self.name, "success_rate", cfg.group_min_support, cfg.group_tolerance, cfg.confidence,
                                ctx.seed)
            group_metrics, by_group = by_sensitive_groups(data, attack_measures(list(data.ids), records_all, 1000),
                                                          grouping, {"success_rate": False, "queries_per_success": None})
            metrics.update(group_metrics)
        details = {"labels": labels, "sample_seed": ctx.seed, "recipes": per_recipe, "unavailable": unavailable,
                   "workers": cfg.workers, "successes": successes, **({"perturb": perturb} if perturb else {}),
                   **({"by_group": by_group} if cfg.by_group else {})}
        predictions = {col: [r.get(col) for r in records_all] for col in with_pair(RECORD_COLUMNS, data.is_pair)}
        # Some recipes could not run (a resource missing, a recipe that does not take pairs): partial, never "ok".
        reason = "; ".join(f"{name} skipped: {why}" for name, why in unavailable.items())
        return ProbeResult(status="partial" if unavailable else "ok", reason=reason, metrics=metrics, details=details,
                           examples=examples, predictions=predictions)

    @staticmethod
    def _skipped(data, i: int, gold: int, reason: str | None, proba: dict, labels: list[str]) -> dict | None:
        """The record of an example that is not attacked, or None when it will be."""
        base = {"id": data.ids[i], "text": data.texts[i], "label": labels[gold], "outcome": "skipped"}
        if data.text_pairs is not None:
            base["text_pair"] = data.text_pairs[i]
        if reason is not None:
            return {**base, "reason": reason}
        predicted = int(proba[i].argmax())
        if predicted != gold:
            return {**base, "reason": "misclassified", "predicted": labels[predicted],
                    "original_confidence": float(proba[i][gold])}
        return None

    @staticmethod
    def _describe(plan, paths: dict[str, str]) -> dict:
        info = RECIPES.get(plan.recipe.name)
        return {"textattack_recipe": info.textattack_name, "paper": info.paper, "offline_note": info.offline_note,
                "resources": dict(paths), "examples": plan.examples, "query_budget": plan.query_budget,
                "time_budget_s": plan.time_budget_s}
