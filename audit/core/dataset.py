"""The in-memory dataset every probe sees, and its fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from audit.core.textchars import has_controls


# What a model is given for one example: a text, or a sentence pair (text, text_pair).
ModelInput = str | tuple[str, str]


@dataclass
class Dataset:
    """Texts (or sentence pairs) with gold labels (as label names, strings), optional sensitive
    attributes and other columns kept on request (``extras``).

    Labels are kept as strings in the dataset's own vocabulary; each model's label order is
    aligned separately (see :mod:`audit.core.labels`), since two models may order classes differently.
    A pair task (paraphrase, inference) has ``text_pairs``: the second text of each example.
    """

    ids: list[str]
    texts: list[str]
    labels: list[str]
    source: str
    split: str | None = None
    columns: dict[str, Any] = field(default_factory=dict)  # text, text_pair, label, id, sensitive
    attributes: dict[str, list[str | None]] = field(default_factory=dict)  # sensitive columns
    extras: dict[str, list[str | None]] = field(default_factory=dict)  # other columns kept (data.extra_cols)
    label_map: dict[str, str] = field(default_factory=dict)  # raw dataset label -> model label name
    text_pairs: list[str] | None = None  # the second text of each example, for sentence-pair tasks
    dropped: dict[str, int] = field(default_factory=dict)  # rows left out on loading, by reason

    def __post_init__(self) -> None:
        n = len(self.texts)
        if len(self.ids) != n or len(self.labels) != n:
            raise ValueError("ids, texts and labels must have the same length")
        if self.text_pairs is not None and len(self.text_pairs) != n:
            raise ValueError(f"text_pairs has {len(self.text_pairs)} values for {n} texts")
        for name, values in {**self.attributes, **self.extras}.items():
            if len(values) != n:
                raise ValueError(f"column {name!r} has {len(values)} values for {n} texts")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def is_pair(self) -> bool:
        return self.text_pairs is not None

    @property
    def inputs(self) -> list[ModelInput]:
        """What the models are given: the texts, or (text, text_pair) tuples for a pair task."""
        if self.text_pairs is None:
            return list(self.texts)
        return list(zip(self.texts, self.text_pairs))

    @property
    def label_names(self) -> list[str]:
        """Distinct gold labels in a stable order (sorted)."""
        return sorted(set(self.labels))

    @property
    def fingerprint(self) -> str:
        """sha256 over ids, texts (and second texts of pairs) and labels, in order."""
        h = hashlib.sha256()
        pairs = self.text_pairs if self.text_pairs is not None else [None] * len(self)
        for i, t, p, y in zip(self.ids, self.texts, pairs, self.labels):
            for part in (i, t, y) if p is None else (i, t, p, y):
                b = part.encode("utf-8")
                h.update(len(b).to_bytes(8, "little"))
                h.update(b)
        if self.text_pairs is not None:
            h.update(b"pairs")  # a pair never hashes like the single texts it contains
        return "sha256:" + h.hexdigest()

    def subset(self, indices: list[int]) -> "Dataset":
        """A new Dataset with the rows at ``indices`` (order kept)."""
        return Dataset(
            ids=[self.ids[i] for i in indices],
            texts=[self.texts[i] for i in indices],
            labels=[self.labels[i] for i in indices],
            source=self.source,
            split=self.split,
            columns=dict(self.columns),
            attributes={k: [v[i] for i in indices] for k, v in self.attributes.items()},
            extras={k: [v[i] for i in indices] for k, v in self.extras.items()},
            label_map=dict(self.label_map),
            text_pairs=None if self.text_pairs is None else [self.text_pairs[i] for i in indices],
            dropped=dict(self.dropped),
        )

    def describe(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for y in self.labels:
            counts[y] = counts.get(y, 0) + 1
        described = {
            "source": self.source,
            "split": self.split,
            "size": len(self),
            "fingerprint": self.fingerprint,
            "labels": self.label_names,
            "label_counts": dict(sorted(counts.items())),
            "columns": self.columns,
            "sensitive_attributes": sorted(self.attributes),
            "label_map": self.label_map,
            "task": "pair" if self.is_pair else "text",
        }
        if self.dropped:
            described["dropped_rows"] = dict(self.dropped)
        controls = sum(has_controls(t) for t in self.texts + list(self.text_pairs or []))
        if controls:  # shown as visible symbols in the reports; counted so a reader knows they were there
            described["texts_with_control_characters"] = controls
        return described
