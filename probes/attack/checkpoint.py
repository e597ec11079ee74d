"""Per-example checkpoints, so an interrupted attack resumes where it stopped.

The runner saves results after each probe x model only, and one attack unit can take many
minutes, so each finished example is appended (one JSON line, flushed) to a file named by a hash
of everything that decides its outcome: model fingerprint and output settings, recipe, budgets,
seed, the side of a sentence pair attacked (``perturb``) and the example itself (both texts of a
pair). With ``--resume`` those examples are read back instead of attacked; a changed setting starts
another file, so results made under other settings are never mixed in.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from audit.core.errors import AuditError

VERSION = 2  # bump when a recipe or the record layout changes outcomes (2: time budget -> "inconclusive")


def unit_key(*, model_fingerprint: str, model_settings: dict, recipe: str, query_budget: int,
             time_budget_s: float | None, seed: int, labels: list[str], perturb: str | None = None,
             resources: dict | None = None) -> str:
    """``perturb``: the side of sentence pairs attacked (None for single texts, whose keys it leaves as they were);
    ``resources``: what the recipe's swaps come from (word vectors: plain GloVe or a counter-fitted build), so
    results made with other vectors are never resumed into these."""
    parts = [VERSION, model_fingerprint, model_settings, recipe, query_budget, time_budget_s, seed, labels]
    extra = ([perturb] if perturb is not None else []) + ([resources] if resources else [])
    blob = json.dumps(parts + extra, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


def example_key(example_id: str, text: str, label: str, text_pair: str | None = None) -> str:
    parts = [example_id, text, label] + ([text_pair] if text_pair is not None else [])
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:16]


class Checkpoint:
    """An append-only JSONL file of finished examples for one (model, recipe, settings) unit."""

    def __init__(self, directory: Path | None, model_id: str, recipe: str, key: str, resume: bool) -> None:
        self.path = None
        self.done: dict[str, dict[str, Any]] = {}
        if directory is None:
            return
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{model_id}--{recipe}")
        self.path = Path(directory) / "attack" / f"{safe}--{key}.jsonl"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if resume and self.path.is_file():
                self.done = self._read()
            else:
                self.path.write_text("", encoding="utf-8")
        except OSError as exc:
            raise AuditError(f"Cannot write attack checkpoints in {self.path.parent}: {exc.strerror}; pass another "
                             "--out.") from None

    def _read(self) -> dict[str, dict[str, Any]]:
        done = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by the interruption
                continue
            if isinstance(row, dict) and "key" in row and isinstance(row.get("record"), dict):
                done[row["key"]] = row["record"]
        return done

    def get(self, key: str) -> dict[str, Any] | None:
        return self.done.get(key)

    def add(self, key: str, record: dict[str, Any]) -> None:
        self.done[key] = record
        if self.path is None:
            return
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": key, "record": record}, ensure_ascii=False) + "\n")
            fh.flush()
