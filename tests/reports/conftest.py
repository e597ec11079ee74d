"""Fixtures for the report tests: the hand-written sample results (tests/reports/sample_results.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

SAMPLE = Path(__file__).with_name("sample_results.json")


@pytest.fixture(scope="session")
def _sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample(_sample) -> dict:
    """A fresh copy per test, so a test may edit it."""
    return copy.deepcopy(_sample)
