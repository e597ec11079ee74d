"""Match a suite's labels to a model's: ``label_map`` (suite label -> model label), then the same
name, then the same name ignoring case. A suite that does not fit a model is not applicable to
it, with the reason; a ``label_map`` that names labels the suite does not have is bad input."""

from __future__ import annotations

from audit.core.errors import AuditError
from audit.probes.fairness.templates.suite import Suite

MISMATCH = ("Suite '{suite}' labels {missing} are not labels of model '{model}' (its labels: {known}); map them "
            "with templates.label_map (suite label: model label), e.g. {{{example}: {target}}}.")
BAD_MAP_KEY = "templates.label_map maps {key!r}, which is not a label of suite '{suite}' (its labels: {labels})."
BAD_SCORE_LABEL = "templates.score_label {label!r} is not a label of suite '{suite}' (its labels: {labels})."


def check_map(suite: Suite, label_map: dict | None, score_label: str | None) -> None:
    labels = ", ".join(suite.labels)
    for key in label_map or {}:
        if str(key) not in suite.labels:
            raise AuditError(BAD_MAP_KEY.format(key=key, suite=suite.name, labels=labels))
    if score_label is not None and score_label not in suite.labels:
        raise AuditError(BAD_SCORE_LABEL.format(label=score_label, suite=suite.name, labels=labels))


def resolve(suite: Suite, label_map: dict | None, model) -> tuple[dict[str, int] | None, str | None]:
    """(suite label -> model label index, None), or (None, why the suite does not fit)."""
    mapping = {str(k): str(v) for k, v in (label_map or {}).items()}
    known = list(model.labels)
    folded: dict[str, list[int]] = {}
    for j, name in enumerate(known):
        folded.setdefault(name.lower(), []).append(j)
    index, missing = {}, []
    for label in suite.labels:
        target = mapping.get(label, label)
        if target in known:
            index[label] = known.index(target)
        elif len(folded.get(target.lower(), [])) == 1:
            index[label] = folded[target.lower()][0]
        else:
            missing.append(label)
    if missing:
        return None, MISMATCH.format(suite=suite.name, missing=", ".join(missing), model=model.id,
                                     known=", ".join(known), example=missing[0], target=_guess(suite, missing[0], known))
    return index, None


def _guess(suite: Suite, label: str, known: list[str]) -> str:
    """The model label at the suite label's position: an example for the message, not a rule."""
    position = suite.labels.index(label)
    return known[min(position, len(known) - 1)] if known else "NAME"


def score_class(suite: Suite, index: dict[str, int], score_label: str | None, n_labels: int) -> int | None:
    """The model class whose probability is compared across groups."""
    chosen = score_label or suite.score_label
    if chosen is not None:
        return index[chosen]
    return 1 if n_labels == 2 else None
