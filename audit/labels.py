"""Align a dataset's gold labels with one model's label order.

Datasets and models name classes independently (``0/1`` vs ``LABEL_0/LABEL_1`` vs
``negative/positive``), and two models may order the same classes differently, so each
model is aligned separately and a mismatch stops the audit with the fix (a ``label_map``).
"""

from __future__ import annotations

import re

import numpy as np

from audit.errors import AuditError

UNKNOWN_LABELS = (
    "Labels {unknown} in the data are not labels of model '{model}' (its labels: {known}). "
    "Map them with a label_map in the data config, e.g. `--label-map {example}={target}`."
)


def align_labels(gold: list[str], model_labels: list[str], *, model_id: str) -> np.ndarray:
    """Index into ``model_labels`` of each gold label.

    Each distinct gold label is matched by exact name, then case-insensitively (when that is
    unambiguous). If some do not match but every gold label is an integer string below
    ``len(model_labels)``, gold ``"k"`` means the model's k-th label (a dataset's 0/1 against
    a model's ``LABEL_0``/``LABEL_1`` or ``negative``/``positive``); not when the model's own
    labels are integers, where position and name could disagree.
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
    if unknown:
        by_index = not any(re.fullmatch(r"[0-9]+", m) for m in model_labels)  # else ambiguous
        if by_index and all(re.fullmatch(r"[0-9]+", y) and int(y) < len(model_labels) for y in distinct):
            index = {y: int(y) for y in distinct}
        else:
            raise AuditError(
                UNKNOWN_LABELS.format(
                    unknown=", ".join(repr(y) for y in unknown),
                    model=model_id,
                    known=", ".join(repr(m) for m in model_labels),
                    example=unknown[0],
                    target=model_labels[0] if model_labels else "NAME",
                )
            )
    return np.array([index[y] for y in gold], dtype=np.int64)
