"""Attack many examples at once: worker threads, one TextAttack ``Attack`` each, shared batches.

Every worker builds its own ``Attack`` (TextAttack's goal function keeps per-example state) and
takes examples from a common queue; all model queries meet in one :class:`QueryBatcher`. Each
example draws randomness from its own seeded generator and is reported as soon as it finishes,
so a checkpoint can record it. Timings are recorded and decide nothing, except under a time
budget the user set: an example stopped by it is "inconclusive". A sentence pair is attacked as a
two-column example whose fixed side is held by a pre-transformation constraint
(:mod:`audit.probes.attack.pairs`). Imports textattack (its offline needs met first): attack runs only.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from audit.core.threads import start_and_join
from audit.resources.textattack_env import import_textattack
from audit.probes.attack.batcher import AttackCancelled, QueryBatcher
from audit.probes.attack.kit import Kit
from audit.probes.attack.pairs import attackable_words, example_input, hold_fixed, sides
from audit.probes.attack.rng import example_rng
from audit.probes.attack.wrapper import AuditModelWrapper, BudgetedUntargeted, TimeBudgetSpent

import_textattack()  # textattack's import-time needs (NLTK stopwords, no downloads) met first

from textattack.attack_results import SkippedAttackResult, SuccessfulAttackResult  # noqa: E402


@dataclass(frozen=True)
class Job:
    index: int  # row in the dataset (ids need not be unique)
    id: str
    text: str
    label: int  # gold label index in the model's label order
    text_pair: str | None = None  # the second text of a sentence pair


@dataclass(frozen=True)
class Budget:
    queries: int
    seconds: float | None = None  # None: no time budget


def attack_all(jobs: list[Job], *, factory: Callable, kit: Kit, batcher: QueryBatcher, model, labels: list[str],
               budget: Budget, seed_parts: tuple, workers: int, on_record: Callable[[Job, dict], None],
               gradients: Callable | None = None, tokens: Callable | None = None, perturb: str | None = None) -> None:
    """Attack ``jobs`` with ``workers`` threads; ``on_record(job, record)`` as each example finishes.
    ``perturb`` (sentence pairs only): the side the attack may change, "first", "second" or "both"."""
    queue = deque(jobs)
    lock = threading.Lock()
    errors: list[BaseException] = []
    wrapper = AuditModelWrapper(batcher.caller("model"), model, gradients, tokens)

    def work() -> None:
        try:
            goal = BudgetedUntargeted(wrapper, query_budget=budget.queries, time_budget_s=budget.seconds)
            attack = factory(goal, kit)
            if perturb is not None:
                hold_fixed(attack, perturb)
            while True:
                with lock:
                    if errors or not queue:
                        return
                    job = queue.popleft()
                t0 = time.perf_counter()
                try:
                    with example_rng(*seed_parts, job.id):
                        result = attack.attack(example_input(job.text, job.text_pair), job.label)
                    record = to_record(result, job, goal, labels, time.perf_counter() - t0, perturb)
                except TimeBudgetSpent:
                    record = inconclusive(job, goal, labels, time.perf_counter() - t0)
                with lock:
                    on_record(job, record)
        except AttackCancelled:
            return
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(exc)
            batcher.cancel()
        finally:
            batcher.leave()

    threads = [threading.Thread(target=work, name=f"attack-{i}", daemon=True) for i in range(min(workers, len(jobs)))]
    for _ in threads:
        batcher.join()

    def stop() -> None:  # Ctrl-C: stop the workers before leaving (their finished examples are kept)
        batcher.cancel()
        for t in threads:
            t.join(5)

    start_and_join(threads, stop)
    if errors:
        raise errors[0]


def _base(job: Job, goal, labels: list[str], original, seconds: float) -> dict:
    return {
        "id": job.id,
        "text": job.text,
        **({"text_pair": job.text_pair} if job.text_pair is not None else {}),
        "label": labels[job.label],
        "original_confidence": float(original.raw_output[job.label]),
        "queries": int(goal.num_queries),
        "seconds": round(seconds, 4),
    }


def inconclusive(job: Job, goal, labels: list[str], seconds: float) -> dict:
    """An example whose time budget ran out before the goal or the query budget was reached."""
    return {**_base(job, goal, labels, goal.initial, seconds), "outcome": "inconclusive", "reason": "time_budget"}


def to_record(result, job: Job, goal, labels: list[str], seconds: float, perturb: str | None = None) -> dict:
    """One example's outcome, in label names and plain numbers (JSON-ready). For a sentence pair,
    ``adversarial`` / ``adversarial_pair`` are the two sides as attacked, and ``words`` counts the
    words of the side(s) the attack could change."""
    original = result.original_result
    record = _base(job, goal, labels, original, seconds)
    if isinstance(result, SkippedAttackResult):
        return {**record, "outcome": "skipped", "reason": "misclassified",
                "predicted": labels[int(original.output)]}
    final = result.perturbed_result
    changed = original.attacked_text.all_words_diff(final.attacked_text)
    words = attackable_words(original.attacked_text, perturb if job.text_pair is not None else None)
    adversarial, adversarial_pair = sides(final.attacked_text)
    success = isinstance(result, SuccessfulAttackResult)
    stop = "goal" if success else "query_budget" if goal.num_queries >= goal.query_cap else "exhausted"
    return {
        **record,
        "outcome": "success" if success else "failed",
        "reason": stop,
        "adversarial": adversarial,
        **({"adversarial_pair": adversarial_pair} if job.text_pair is not None else {}),
        "adversarial_label": labels[int(final.output)],
        "adversarial_confidence": float(final.raw_output[int(final.output)]),
        "words_changed": len(changed),
        "words": words,
        "perturbed_share": len(changed) / max(1, words),
    }
