"""`audit train --label-names`: names for integer labels, so the saved model says 'negative', not '0'.

Hub datasets often store classes as integers; a model trained on them reports 0/1 and a suite
written in words (the templates probe) does not apply to it. The names are given for the
integer labels in ascending numeric order (0, 1, 2 ...), the model is trained on the names, and
its class order is that numeric order: class i of the saved model is the i-th integer label, so
`audit run` on the same integer-labelled data lines the gold labels up by position, correctly.
Labels that are not integers already name their classes: renaming them is --label-map's job.
"""

from __future__ import annotations

import dataclasses
import re

from audit.core.dataset import Dataset
from audit.core.errors import AuditError

NOT_INTEGERS = ("--label-names names integer labels, but the labels of {source} are not all integers (found: "
                "{labels}); they already name the classes, so leave --label-names out, or rename them with "
                "--label-map RAW=NAME.")
WRONG_COUNT = ("--label-names gives {n} name(s) ({names}) but {source} has {k} label(s) ({labels}); give one name "
               "per label, in ascending order of the integer labels.")
EMPTY_NAME = ("--label-names has an empty name in {given!r}; give one name per label, separated by commas, e.g. "
              "--label-names negative,positive.")
DUPLICATE_NAME = "--label-names gives the name {name!r} twice; give each label its own name."
WITH_LABEL_MAP = "Give --label-names or --label-map, not both: each renames the labels; use one of them."
UNNAMED = ("The labels are integers ({labels}), so the model will report them as numbers; name them with "
           "--label-names NAME,NAME,... (in ascending order) to have reports and suites use the names.")
INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_label_names(given: str) -> list[str]:
    """``"negative, positive"`` -> ``["negative", "positive"]``; empty or repeated names are errors."""
    names = [part.strip() for part in given.split(",")]
    if not all(names):
        raise AuditError(EMPTY_NAME.format(given=given))
    for name in names:
        if names.count(name) > 1:
            raise AuditError(DUPLICATE_NAME.format(name=name))
    return names


def name_labels(data: Dataset, names: list[str]) -> tuple[Dataset, list[str]]:
    """``data`` with each integer label replaced by its name, and the names in class order.

    The label map applied is kept on the dataset (raw label -> name), as --label-map does."""
    raw = sorted(set(data.labels), key=lambda y: (int(y), y) if INTEGER.fullmatch(y) else (0, y))
    shown = ", ".join(repr(y) for y in raw[:8]) + (f" and {len(raw) - 8} more" if len(raw) > 8 else "")
    if not all(INTEGER.fullmatch(y) for y in raw):
        raise AuditError(NOT_INTEGERS.format(source=f"'{data.source}'", labels=shown))
    if len(names) != len(raw):
        raise AuditError(WRONG_COUNT.format(n=len(names), names=", ".join(names), source=f"'{data.source}'",
                                            k=len(raw), labels=shown))
    mapping = dict(zip(raw, names))
    return dataclasses.replace(data, labels=[mapping[y] for y in data.labels], label_map=mapping), names
