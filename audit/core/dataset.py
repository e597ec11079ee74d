"""The in-memory dataset every probe sees, and its fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Dataset:
    """Texts with gold labels (as label names, strings) and optional sensitive attributes.

    Labels are kept as strings in the dataset's own vocabulary; each model's label order is
    aligned separately (see :mod:`audit.core.labels`), since two models may order classes differently.
    """

    ids: list[str]
    texts: list[str]
    labels: list[str]
    source: str
    split: str | None = None
    columns: dict[str, Any] = field(default_factory=dict)  # text, label, id, sensitive
    attributes: dict[str, list[str | None]] = field(default_factory=dict)  # sensitive columns
    label_map: dict[str, str] = field(default_factory=dict)  # raw dataset label -> model label name

    def __post_init__(self) -> None:
        n = len(self.texts)
        if len(self.ids) != n or len(self.labels) != n:
            raise ValueError("ids, texts and labels must have the same length")
        for name, values in self.attributes.items():
            if len(values) != n:
                raise ValueError(f"attribute {name!r} has {len(values)} values for {n} texts")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_names(self) -> list[str]:
        """Distinct gold labels in a stable order (sorted)."""
        return sorted(set(self.labels))

    @property
    def fingerprint(self) -> str:
        """sha256 over ids, texts and labels, in order."""
        h = hashlib.sha256()
        for i, t, y in zip(self.ids, self.texts, self.labels):
            for part in (i, t, y):
                b = part.encode("utf-8")
                h.update(len(b).to_bytes(8, "little"))
                h.update(b)
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
            label_map=dict(self.label_map),
        )

    def describe(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for y in self.labels:
            counts[y] = counts.get(y, 0) + 1
        return {
            "source": self.source,
            "split": self.split,
            "size": len(self),
            "fingerprint": self.fingerprint,
            "labels": self.label_names,
            "label_counts": dict(sorted(counts.items())),
            "columns": self.columns,
            "sensitive_attributes": sorted(self.attributes),
            "label_map": self.label_map,
        }
