"""The five explanation methods, each turning (texts, target classes) into one score per word.

Attention and gradient methods need abilities only Hugging Face models have
(:mod:`audit.models.base` protocols); :func:`unavailable` says why a model lacks one, and the
probe records that reason instead of failing. On a sentence pair their token scores go to the
words of the text each token comes from (the separator is no word). Occlusion needs only
predictions, so it runs on every model kind (on a pair a word is erased from its own text and the
pair re-predicted); all its erased texts go to the prediction cache in one request.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from audit.models.base import HasAttentionRows, HasInputGradients, HasIntegratedGradients
from audit.probes.explain.word_spans import aggregate, erase, words_of

NEEDS = {
    "attention": (HasAttentionRows, "attention maps"),
    "rollout": (HasAttentionRows, "attention maps"),
    "grad_x_input": (HasInputGradients, "input gradients"),
    "integrated_gradients": (HasIntegratedGradients, "input gradients"),
}
NO_OFFSETS = ("its tokenizer gives no character offsets (not a fast tokenizer), so sub-word scores cannot be "
              "mapped to words; save the model with a fast (tokenizer.json) tokenizer")


class Skip(Exception):
    """A method that cannot run on this model; the message is the reason recorded in details."""


def _skip_unavailable(call, *args, **kwargs):
    """``call(*args, **kwargs)``; an error that says the model cannot give the method's input (an
    ``unavailable`` attribute: e.g. an encoder-decoder refusing ``inputs_embeds``) becomes a Skip."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001  (only those marked unavailable; the rest propagate)
        if getattr(exc, "unavailable", False):
            raise Skip(str(exc).rstrip(".")) from None
        raise


NO_SEQUENCE_IDS = ("its token rows carry no sequence_ids, so the tokens of a sentence pair cannot be told apart by "
                   "text; an adapter explaining pairs must return them (occlusion explains pairs)")


def unavailable(model, method: str) -> str | None:
    """Why ``method`` cannot run on ``model``, or None when it can."""
    if method not in NEEDS:
        return None
    protocol, what = NEEDS[method]
    if isinstance(model.classifier, protocol):
        return None
    return f"needs {what}, which a {model.kind} model does not expose (Hugging Face models only)"


def word_scores(row: dict, x, token_scores) -> np.ndarray:
    """Per-word sums of ``token_scores`` for input ``x``: a text, or a (text, text_pair) whose words
    are numbered first text then second (``words_of``). A pair's tokens go to their own text by
    ``sequence_ids``; special tokens, the separator among them, belong to no word."""
    if row.get("offsets") is None:
        raise Skip(NO_OFFSETS)
    if not isinstance(x, tuple):
        return aggregate(token_scores, row["offsets"], row["special"], x)
    seq = row.get("sequence_ids")
    if seq is None:
        raise Skip(NO_SEQUENCE_IDS)
    return np.concatenate([aggregate(token_scores, row["offsets"], [sp or s != side for sp, s in zip(row["special"], seq)], text)
                           for side, text in enumerate(x)])


def _words_of(rows: list[dict], texts: list, scores: Callable[[dict], np.ndarray]) -> list[np.ndarray]:
    return [word_scores(row, text, scores(row)) for row, text in zip(rows, texts)]


def attention_scores(model, texts: list[str], kind: str, batch_size: int, cache: dict | None = None) -> list[np.ndarray]:
    """Raw last-layer attention or rollout from the pooled token, summed per word.

    One forward pass serves both methods: ``cache`` (one dict per probe run) keeps the reduced
    rows per text list, so attention and rollout of the same texts share them.
    """
    from audit.core.errors import AuditError

    key = ("attention_rows", id(model), tuple(texts))
    rows = (cache or {}).get(key)
    if rows is None:
        try:
            rows = model.classifier.attention_rows(texts, batch_size=batch_size)
        except AuditError as exc:  # e.g. an attention implementation that returns no maps
            raise Skip(str(exc).rstrip(".")) from None
        if cache is not None:
            cache[key] = rows
    field = "last_layer_row" if kind == "attention" else "rollout_row"
    return _words_of(rows, texts, lambda r: r[field])


def grad_x_input(model, texts: list[str], targets: list[int], score: str, batch_size: int) -> list[np.ndarray]:
    """Gradient of the target's score times the input embedding, summed over the hidden size."""
    rows = _skip_unavailable(model.classifier.input_gradients, texts, targets, score=score, batch_size=batch_size)
    return _words_of(rows, texts, lambda r: (r["gradients"] * r["embeddings"]).sum(axis=-1))


# A text whose attributions miss completeness by more than this (relative to |f(x) - f(baseline)|,
# plus an absolute floor) is recomputed with 4x the steps, up to IG_MAX_STEPS: a saturated
# softmax can change sharply along the path, and a coarse trapezoid misses it.
IG_TOLERANCE = (0.05, 0.005)
IG_MAX_STEPS = 512


def _ig_gap(row: dict) -> float:
    return abs(float(np.sum(row["attributions"])) - (row["score"] - row["baseline_score"]))


def _ig_converged(row: dict) -> bool:
    rel, floor = IG_TOLERANCE
    return _ig_gap(row) <= rel * abs(row["score"] - row["baseline_score"]) + floor


def integrated_gradients(model, texts: list[str], targets: list[int], score: str, steps: int,
                         rows_per_pass: int) -> tuple[list[np.ndarray], dict]:
    """Integrated gradients per word, and how closely completeness held (sum vs score difference).

    Texts that miss the completeness tolerance are refined with 4x the steps (up to
    IG_MAX_STEPS); the steps each text needed are counted in the returned notes. A pass holds at
    most ``rows_per_pass`` rows whatever the steps (the adapter splits a path over passes). A
    refinement that fails keeps the text's coarser result (counted in ``refine_failed``) rather
    than dropping IG for every text.
    """
    ig = model.classifier.integrated_gradients
    rows = _skip_unavailable(ig, texts, targets, steps=steps, score=score, rows_per_pass=rows_per_pass)
    used = [steps] * len(rows)
    failed: set[int] = set()
    current = steps
    while current < IG_MAX_STEPS:
        todo = [i for i, r in enumerate(rows) if not _ig_converged(r) and i not in failed]
        if not todo:
            break
        current = min(current * 4, IG_MAX_STEPS)
        try:
            redo = ig([texts[i] for i in todo], [targets[i] for i in todo], steps=current, score=score,
                      rows_per_pass=rows_per_pass)
        except Exception:  # noqa: BLE001  (retry one text at a time, so one bad text costs only itself)
            redo = []
            for i in todo:
                try:
                    redo += ig([texts[i]], [targets[i]], steps=current, score=score, rows_per_pass=rows_per_pass)
                except Exception:  # noqa: BLE001
                    redo.append(None)
        for i, row in zip(todo, redo):
            if row is None:
                failed.add(i)
            else:
                rows[i], used[i] = row, current
    words = _words_of(rows, texts, lambda r: r["attributions"])
    gaps = [_ig_gap(r) for r in rows]
    deltas = [abs(r["score"] - r["baseline_score"]) for r in rows]
    info = {"steps": steps, "rule": "trapezoid", "baseline": "[PAD] embeddings, special tokens kept",
            "refined": {str(k): used.count(k) for k in sorted(set(used)) if k != steps},
            "unconverged": sum(not _ig_converged(r) for r in rows), "refine_failed": len(failed),
            "completeness_gap_max": max(gaps, default=None), "completeness_gap_mean": float(np.mean(gaps)) if gaps else None,
            "score_difference_mean": float(np.mean(deltas)) if deltas else None}
    return words, info


def occlusion(model, texts: list, targets: list[int], progress=None) -> list[np.ndarray]:
    """Leave-one-out: p(target | text) - p(target | text without word i), for every word i.
    On a (text, text_pair) input the word is erased from its own side and the pair re-predicted."""
    words = [words_of(t) for t in texts]
    variants = [erase(t, np.array([i])) for t, w in zip(texts, words) for i in range(len(w))]
    proba = model.predict_proba(list(texts) + variants, progress=progress)
    base, rest = proba[: len(texts)], proba[len(texts):]
    out, at = [], 0
    for j, (w, t) in enumerate(zip(words, targets)):
        out.append(base[j, t] - rest[at : at + len(w), t])
        at += len(w)
    return out


def run_method(method: str, model, texts: list[str], targets: list[int], cfg, progress=None,
               cache: dict | None = None) -> tuple[list[np.ndarray], dict]:
    """Word attributions of ``method`` for each text (towards its target class), and method notes.
    ``cache``: one dict per probe run, shared by attention and rollout (one forward pass)."""
    if not texts:
        return [], {}
    if method in ("attention", "rollout"):
        return attention_scores(model, texts, method, cfg.batch_size, cache), {}
    if method == "grad_x_input":
        return grad_x_input(model, texts, targets, cfg.score, cfg.batch_size), {"score": cfg.score}
    if method == "integrated_gradients":
        # passes sized for the configured steps, never growing with refinement's 4x steps
        rows = max(cfg.batch_size, cfg.ig_steps + 1)
        words, info = integrated_gradients(model, texts, targets, cfg.score, cfg.ig_steps, rows)
        return words, {**info, "score": cfg.score}
    if method == "occlusion":
        return occlusion(model, texts, targets, progress), {"erasure": "word removed"}
    raise ValueError(method)
