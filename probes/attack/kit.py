"""What a recipe factory gets besides the goal function: resolved resources and shared helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Kit:
    paths: dict[str, str] = field(default_factory=dict)  # resource name -> resolved path (or hub id)
    encode: Callable[[list[str]], object] | None = None  # batched sentence encoder (through the batcher)
