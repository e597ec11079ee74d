"""One recipe on one model: checkpointed, concurrent, every success confirmed by the model.

Imports textattack (through the engine), so the probe imports it only when an attack runs.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable

import numpy as np

from audit.probes.attack.batcher import QueryBatcher
from audit.probes.attack.checkpoint import Checkpoint, example_key
from audit.probes.attack.config import Plan
from audit.probes.attack.engine import Budget, Job, attack_all
from audit.probes.attack.kit import Kit


def load_factory(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def run_recipe(plan: Plan, paths: dict[str, str], model, jobs: list[Job], *, checkpoint: Checkpoint,
               seed: int, workers: int, advance: Callable[[int], Any],
               perturb: str | None = None) -> tuple[list[dict], dict[str, Any]]:
    """Records for ``jobs``, in order (finished ones read from the checkpoint), and how the run went.
    ``perturb``: for sentence pairs, the side the attack may change."""
    labels = model.labels
    keys = {job.index: example_key(job.id, job.text, labels[job.label], job.text_pair) for job in jobs}
    records = {job.index: checkpoint.get(keys[job.index]) for job in jobs}
    todo = [job for job in jobs if records[job.index] is None]
    resumed = len(jobs) - len(todo)
    advance(resumed)
    fns = {"model": model.predict_proba}
    if "sentence_encoder" in paths:
        from audit.probes.attack.assets import encoder

        fns["encoder"] = encoder(paths["sentence_encoder"])
    if plan.recipe.white_box:
        fns["gradients"] = lambda texts: _gradients(model, texts)
        fns["tokens"] = lambda texts: _tokens(model, texts)
    batcher = QueryBatcher(fns)
    kit = Kit(paths=dict(paths), encode=batcher.caller("encoder") if "encoder" in fns else None)

    def finished(job: Job, record: dict) -> None:
        checkpoint.add(keys[job.index], record)
        records[job.index] = record
        advance(1)

    t0 = time.perf_counter()
    if todo:
        attack_all(todo, factory=load_factory(plan.recipe.factory), kit=kit, batcher=batcher, model=model,
                   labels=labels, budget=Budget(plan.query_budget, plan.time_budget_s),
                   seed_parts=(seed, "attack", plan.recipe.name), workers=workers, on_record=finished,
                   gradients=batcher.caller("gradients") if "gradients" in fns else None,
                   tokens=batcher.caller("tokens") if "tokens" in fns else None, perturb=perturb)
    out = [records[job.index] for job in jobs]
    unconfirmed = confirm(out, model)
    return out, {"seconds": round(time.perf_counter() - t0, 3), "resumed": resumed, "attacked_now": len(todo),
                 "unconfirmed": unconfirmed, "batching": batcher.stats.as_dict()}


def _gradients(model, texts: list[str]) -> np.ndarray:
    """Input gradients of each text's predicted class (on the batcher's thread: no concurrent torch)."""
    target = [int(i) for i in model.predict_proba(texts).argmax(axis=1)]
    rows = np.empty(len(texts), dtype=object)
    rows[:] = model.classifier.input_gradients(list(texts), target)
    return rows


def _tokens(model, texts: list[str]) -> np.ndarray:
    """The model's tokens of each text, as its tokenizer sees them (on the batcher's thread)."""
    clf = model.classifier
    ids = clf.tokenizer(list(texts), truncation=True, max_length=clf.max_length)["input_ids"]
    rows = np.empty(len(texts), dtype=object)
    for i, row in enumerate(ids):  # element by element: equal-length lists would broadcast into 2-D
        rows[i] = clf.tokenizer.convert_ids_to_tokens(row)
    return rows


def adversarial_input(record: dict) -> str | tuple[str, str]:
    """The adversarial example as the model takes it: the text, or the (text, text_pair) tuple."""
    if "adversarial_pair" in record:
        return record["adversarial"], record["adversarial_pair"]
    return record["adversarial"]


def confirm(records: list[dict], model) -> int:
    """Re-predict every adversarial text (or pair) that "succeeded"; one that keeps the gold label is
    a failure.

    TextAttack decides success on what it sent the model; this checks the text we record (and
    report) against the model itself, so a mismatch between the two can never count as a success.
    """
    wins = [r for r in records if r["outcome"] == "success"]
    if not wins:
        return 0
    for r in wins:  # NonEmptyText should prevent it
        given = adversarial_input(r)
        if not all(part.strip() for part in ((given,) if isinstance(given, str) else given)):
            r.update(outcome="failed", reason="empty_adversarial", confirmed=False)
    wins = [r for r in wins if r["outcome"] == "success"]
    if not wins:
        return 0
    proba = model.predict_proba([adversarial_input(r) for r in wins])
    labels = model.labels
    flipped = 0
    for r, row in zip(wins, proba):
        predicted = int(np.argmax(row))
        r["confirmed"] = labels[predicted] != r["label"]
        if not r["confirmed"]:
            r.update(outcome="failed", reason="unconfirmed", adversarial_label=labels[predicted],
                     adversarial_confidence=float(row[predicted]))
            flipped += 1
        else:
            r.update(adversarial_label=labels[predicted], adversarial_confidence=float(row[predicted]))
    return flipped
