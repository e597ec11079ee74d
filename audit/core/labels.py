"""Align a dataset's gold labels with one model's label order.

Datasets and models name classes independently (``0/1`` vs ``LABEL_0/LABEL_1`` vs
``negative/positive``), and two models may order the same classes differently, so each
model is aligned separately and a mismatch stops the audit with the fix (a ``label_map``).
The runner aligns every model before any probe runs and records how in results.json.
"""

from __future__ import annotations

import re

import numpy as np

from audit.core.errors import AuditError

UNKNOWN_LABELS = (
    "Labels {unknown} in the data are not labels of model '{model}' (its labels: {known}). "
    "Map the dataset's labels with a label_map in the data config, e.g. `--label-map {example}={target}`."
)
SHOWN = 5  # labels named in an error message; the rest are counted
GENERIC = re.compile(r"LABEL_([0-9]+)")


def _names(labels: list[str]) -> str:
    shown = ", ".join(repr(y) for y in labels[:SHOWN])
    return shown + (f" and {len(labels) - SHOWN} more" if len(labels) > SHOWN else "")


def alignment(gold: list[str], model_labels: list[str], *, model_id: str) -> tuple[dict[str, int], str]:
    """``{gold label: model label index}`` and the rule used: ``"name"`` or ``"position"``.

    Each distinct gold label is matched by exact name, then case-insensitively (when that is
    unambiguous). Failing that, integer gold labels ``"k"`` mean the model's k-th label, but
    only when that cannot silently mislabel: the model's labels are the generic
    ``LABEL_0..LABEL_n``, or the data has exactly as many classes as the model; and never when
    the model's own labels are integers, where position and name could disagree.
    """
    distinct = sorted(set(gold))
    folded: dict[str, list[int]] = {}
    for j, name in enumerate(model_labels):
        folded.setdefault(name.lower(), []).append(j)
    index: dict[str, int] = {}
    for y in distinct:
        if y in model_labels:
            index[y] = model_labels.index(y)
        elif len(folded.get(y.lower(), [])) == 1:
            index[y] = folded[y.lower()][0]
    unknown = [y for y in distinct if y not in index]
    if not unknown:
        return index, "name"
    integer_gold = all(re.fullmatch(r"[0-9]+", y) and int(y) < len(model_labels) for y in distinct)
    integer_model = any(re.fullmatch(r"[0-9]+", m) for m in model_labels)
    generic = all(GENERIC.fullmatch(m) and int(GENERIC.fullmatch(m).group(1)) == j for j, m in enumerate(model_labels))
    if integer_gold and not integer_model and (generic or len(distinct) == len(model_labels)):
        return {y: int(y) for y in distinct}, "position"
    raise AuditError(
        UNKNOWN_LABELS.format(
            unknown=_names(unknown),
            model=model_id,
            known=_names(model_labels),
            example=unknown[0],
            target=model_labels[0] if model_labels else "NAME",
        )
    )


def align_labels(gold: list[str], model_labels: list[str], *, model_id: str) -> np.ndarray:
    """Index into ``model_labels`` of each gold label (see :func:`alignment`)."""
    index, _ = alignment(gold, model_labels, model_id=model_id)
    return np.array([index[y] for y in gold], dtype=np.int64)
