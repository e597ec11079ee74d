"""The `explain` probe: word attributions by five methods, scored for faithfulness and stability.

Per model: explain a seeded random sample (the same for every model), the most confident
misclassified examples and the attack probe's adversarial examples; score each method by
erasure (ERASER comprehensiveness / sufficiency, AOPC) against a seeded random baseline and by
rank stability under character noise; rank the methods; and show the tokens each class leans on
across a data sample, identity terms flagged. Methods a model cannot support are recorded as
skipped with the reason. torch is reached only through the Hugging Face adapter.
On sentence pairs the words of both texts are scored (numbered first text, then second), and
every erasure acts within one text; token scores of the attention and gradient methods go to
the words of the text each token comes from, never to the separator.
"""

from __future__ import annotations

import time

import numpy as np

from audit.core.labels import align_labels
from audit.models.base import HasTruncation
from audit.probes.base import MetricSpec, Probe, ProbeContext, ProbeResult
from audit.probes.explain import scoring, stability
from audit.probes.explain.config import SIGNED, ExplainConfig
from audit.probes.explain.faithfulness import score_all
from audit.probes.explain.global_view import global_tokens, identity_lexicon
from audit.probes.explain.methods import Skip, run_method, unavailable
from audit.probes.explain.selection import Item, seeded_sample, select
from audit.probes.explain.word_spans import first_count, split_words, visible_prefix, words_of
from audit.probes.registry import register


ALL_ZERO = ("every attribution is 0 for every text (e.g. the pooled token attends only to special tokens), so the "
            "method ranks no word; left out of the ranking")
GLOBAL_RULE = ("auto: the cheapest method (measured seconds per example) among signed methods that beat random, else "
               "among methods that beat random, else among signed methods that ran, else among those that ran")


def pick_global(methods: dict, ranking: list[dict]) -> str | None:
    """The method of the global view under GLOBAL_RULE: trustworthy first, then cheap."""
    ok = [m for m, v in methods.items() if v["status"] == "ok"]
    beats = {r["method"] for r in ranking if r["beats_random"]}
    for tier in ([m for m in ok if m in SIGNED and m in beats], [m for m in ok if m in beats],
                 [m for m in ok if m in SIGNED], ok):
        if tier:
            return min(tier, key=lambda m: methods[m]["seconds_per_example"])
    return None


def _visible(text: str, limit: int | None, fallback: bool) -> list[str]:
    words = visible_prefix(text, limit)
    return words or (split_words(text)[:1] if fallback else [])  # a first word longer than max_length


def explained_texts(model, texts: list) -> tuple[list, list[bool]]:
    """The texts (or (text, text_pair) tuples) as explained and scored: the words the model sees
    whole (a text truncated at ``max_length`` is cut to its visible words, so no method credits or
    erases unseen words; on a pair each text is cut to its own visible words), re-joined by single
    spaces, the format of every erased text, so p(x) and p(x without words) compare like with
    like. Also, per input, whether it was cut."""
    clf = model.classifier
    limits = clf.visible_characters(texts) if isinstance(clf, HasTruncation) else [None] * len(texts)
    out: list = []
    cut = []
    for text, limit in zip(texts, limits):
        if isinstance(text, tuple):  # per side: None (seen whole) or where its last kept token ends
            side_limits = limit if isinstance(limit, tuple) else (None, None)
            kept = tuple(_visible(side, lim, fallback=False) for side, lim in zip(text, side_limits))
            if not any(kept):
                kept = (split_words(text[0])[:1], [])
            out.append((" ".join(kept[0]), " ".join(kept[1])))
            cut.append(sum(map(len, kept)) < len(words_of(text)))
            continue
        words = _visible(text, limit, fallback=True)
        out.append(" ".join(words))
        cut.append(len(words) < len(split_words(text)))
    return out, cut


@register
class ExplainProbe(Probe):
    name = "explain"
    family = "explainability"
    version = "2"  # 2: decoder pooling, truncation-aware words, tie-breaking; results of version 1 are recomputed
    handles_pairs = True  # every method scores the words of both texts; erasures act within each text
    after = ("attack",)  # explains the attack probe's adversarial texts when it runs in the same audit
    description = ("Attention, rollout, gradient x input, integrated gradients and occlusion attributions, scored for "
                   "faithfulness (ERASER comprehensiveness / sufficiency, AOPC) against a random baseline and for "
                   "stability under noise; global tokens per class with identity terms flagged.")
    metric_specs = (
        MetricSpec("faithfulness/{method}", "Net AOPC (comprehensiveness - sufficiency) minus the random baseline's; "
                   "> 0: the method's top words matter more than random ones.", True, headline=True),
        MetricSpec("aopc_comprehensiveness/{method}", "Mean drop in the explained class's probability when the "
                   "method's top-k% words are removed, averaged over k.", True),
        MetricSpec("aopc_sufficiency/{method}", "Mean drop in the explained class's probability when only the "
                   "top-k% words are kept, averaged over k.", False),
        MetricSpec("stability/{method}", "Mean Spearman correlation between a text's word attributions and those "
                   "of its noisy copies.", True),
    )
    Config = ExplainConfig

    def not_applicable(self, model) -> str | None:
        """The joined reasons when no configured method can run on ``model``; else None (the
        methods it lacks are recorded as skipped in details)."""
        reasons = [(m, unavailable(model, m)) for m in self.config.methods]
        if all(r for _, r in reasons):
            return "No configured explanation method applies: " + "; ".join(f"{m} {r}" for m, r in reasons) + "."
        return None

    def run(self, model, data, ctx: ProbeContext) -> ProbeResult:
        cfg: ExplainConfig = self.config
        labels = model.labels
        gold = align_labels(data.labels, labels, model_id=model.id)
        proba = model.predict_proba(data.inputs)
        items = select(data, gold, proba, labels, cfg, ctx.seed, ctx.results, model.id)
        if not items:
            return ProbeResult(status="not_applicable", reason="No example to explain: raise explain.random, "
                               "explain.misclassified or explain.attacked.", details={"labels": labels})
        texts, truncated = explained_texts(model, [it.input for it in items])
        # seeds of the random baseline, ties and noise: an attacked text is not its id's clean text
        ids = [it.id if it.why != "attacked" else f"{it.id}|attacked|{it.recipe}" for it in items]
        p_items = model.predict_proba(texts)
        targets = [int(t) for t in p_items.argmax(axis=1)]

        cache: dict = {}  # attention rows shared by attention and rollout within this run
        methods, attributions, notes = self._explain_all(model, texts, targets, ctx, cache)
        if not attributions:  # every method skipped: nothing about this model to explain
            reason = "; ".join(f"{m}: {v['reason']}" for m, v in methods.items())
            return ProbeResult(status="not_applicable", reason=f"No explanation method applies ({reason}).",
                               details={"labels": labels, "methods": methods})
        curves = score_all(model, texts, ids, targets, attributions, cfg.k, ctx.seed, cfg.random_baselines)
        metrics, faithful, ranking = scoring.faithfulness(curves, cfg.k, cfg, ctx.seed)
        noise = f"{cfg.stability_noise}@{cfg.stability_severity}"
        rho = self._stability(model, texts, ids, targets, attributions, ctx, cache)
        m_stab, d_stab = scoring.stability(rho, noise, cfg, ctx.seed)
        metrics.update(m_stab)
        global_method, tokens = self._global(model, data, proba, methods, ranking, ctx, cache)
        details = {
            "labels": labels,
            "methods": methods,
            "k": list(cfg.k),
            "faithfulness": faithful,
            "ranking": ranking,
            "ranking_rule": scoring.RANKING_RULE,
            "stability": d_stab,
            "global_tokens": tokens,
            "global_method": global_method,
            "global_rule": GLOBAL_RULE if cfg.global_method == "auto" else "set in the config (explain.global_method)",
            "selection": {why: sum(it.why == why for it in items) for why in ("misclassified", "attacked", "random")},
            "truncated": sum(truncated),  # texts cut to the words the model saw (max_length)
            "method_notes": notes,
            "score": cfg.score,  # what gradient methods explain
            "word_aggregation": "sum of sub-word scores per whitespace-separated word; special tokens left out",
            "random_baselines": cfg.random_baselines,
            "seed": ctx.seed,
        }
        examples = [self._record(it, texts[j], truncated[j], labels, p_items[j], targets[j], j, attributions)
                    for j, it in enumerate(items)]
        return ProbeResult(metrics=metrics, details=details, examples=examples)

    def _explain_all(self, model, texts, targets, ctx, cache):
        """Run every configured method; a method that cannot or fails to run is recorded, not raised.
        A method whose attributions are all 0 for every text cannot rank words: an error, not ranked."""
        cfg = self.config
        methods, attributions, notes = {}, {}, {}
        for method in cfg.methods:
            reason = unavailable(model, method)
            if reason:
                methods[method] = {"status": "skipped", "reason": reason, "seconds_per_example": None}
                continue
            advance = ctx.task(f"explain · {method} · {model.id}", len(texts))
            t0 = time.perf_counter()
            try:
                scores, note = run_method(method, model, texts, targets, cfg, cache=cache)
            except Skip as exc:
                methods[method] = {"status": "skipped", "reason": str(exc), "seconds_per_example": None}
                continue
            except Exception as exc:  # a model's failure in one method must not hide the others
                methods[method] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}", "seconds_per_example": None}
                continue
            if all(not np.any(a) for a in scores):
                methods[method] = {"status": "error", "reason": ALL_ZERO, "seconds_per_example": None}
                continue
            attributions[method], notes[method] = scores, note
            advance(len(texts))
            seconds = (time.perf_counter() - t0) / len(texts)
            methods[method] = {"status": "ok", "reason": None, "seconds_per_example": round(seconds, 6)}
        if not attributions and any(v["status"] == "error" for v in methods.values()):
            problems = "; ".join(f"{m}: {v['reason']}" for m, v in methods.items())
            raise RuntimeError(f"No explanation method ran ({problems}).")
        return methods, attributions, notes

    def _stability(self, model, texts, ids, targets, attributions, ctx, cache) -> dict[str, np.ndarray]:
        cfg = self.config
        copies = stability.noisy_copies(texts, ids, cfg.stability_noise, cfg.stability_severity,
                                        cfg.stability_versions, ctx.seed)
        copy_texts, copy_targets = [t for _, t in copies], [targets[i] for i, _ in copies]
        out = {}
        for method, original in attributions.items():
            try:
                scores, _ = run_method(method, model, copy_texts, copy_targets, cfg, cache=cache)
            except Exception:  # noqa: BLE001  (it ran on the originals; a failure here leaves stability out)
                continue
            out[method] = stability.per_example(original, copies, scores)
        return out

    def _global(self, model, data, proba, methods, ranking, ctx, cache):
        cfg = self.config
        method = cfg.global_method if cfg.global_method != "auto" else pick_global(methods, ranking)
        sample = seeded_sample(data, ctx.seed, "global", cfg.global_examples)
        if method is None or methods.get(method, {}).get("status") != "ok" or not sample:
            return None, {}
        texts, _ = explained_texts(model, [data.inputs[i] for i in sample])
        targets = [int(proba[i].argmax()) for i in sample]
        try:
            scores, _ = run_method(method, model, texts, targets, cfg, cache=cache)
        except Exception:  # noqa: BLE001  (it ran on the explained examples; without a view the rest stands)
            return None, {}
        tokens = global_tokens([words_of(t) for t in texts], scores, targets, model.labels, top=cfg.top_tokens,
                               min_count=cfg.min_token_count, lexicon=identity_lexicon())
        return method, tokens

    @staticmethod
    def _record(it: Item, explained, truncated: bool, labels, p, target: int, j: int, attributions) -> dict:
        """One explained example; on a pair, ``words`` / ``attributions`` are the first text's and
        ``words_pair`` / ``attributions_pair`` the second's."""
        record = {"id": it.id, "text": it.text, "label": labels[it.label], "predicted": labels[target],
                  "confidence": float(p[target]), "target": labels[target], "why": it.why}
        if it.text_pair is not None:
            record["text_pair"] = it.text_pair
        if it.why == "attacked":
            record["original"] = it.original
            if it.text_pair is not None:
                record["original_pair"] = it.original_pair
            record["recipe"] = it.recipe
        if truncated:
            record["truncated"] = True  # ``words`` are the words the model saw
        n = first_count(explained)
        words = words_of(explained)
        record["words"] = words[:n]
        record["attributions"] = {m: [float(v) for v in a[j][:n]] for m, a in attributions.items()}
        if isinstance(explained, tuple):
            record["words_pair"] = words[n:]
            record["attributions_pair"] = {m: [float(v) for v in a[j][n:]] for m, a in attributions.items()}
        return record
