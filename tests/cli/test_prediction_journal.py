"""A run killed in the middle of a long probe loses at most one chunk of predictions: they are
journaled as they are made, and --resume reads them back (exactly: float64 through JSON), so the
resumed results equal an uninterrupted run's and finished chunks are not predicted again."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audit.cache import CachedModel, PredictionCache
from audit.models.base import LoadedModel

MODEL = """
import os
import numpy as np
calls = []
def counting(texts):
    calls.append(len(texts))
    limit = int(os.environ.get("KILL_AFTER_CALLS", "0"))
    if limit and len(calls) > limit:
        raise KeyboardInterrupt
    p = np.array([(sum(map(ord, t)) % 97) / 97 * 0.8 + 0.1 for t in texts])
    return np.stack([1 - p, p], axis=1)
counting.labels = ["negative", "positive"]
"""


class Exact:
    labels = ["a", "b", "c"]
    fingerprint = "sha256:exact"

    def predict_proba(self, xs):
        rng = np.random.default_rng(len(xs))
        p = rng.random((len(xs), 3)) + 1e-3
        return p / p.sum(axis=1, keepdims=True)


def test_journal_reads_back_exactly_for_texts_and_pairs(tmp_path):
    inputs = ["one", "two", ("a premise", "a hypothesis"), "ünïcode\n\x00 text"]
    first = PredictionCache(journal_dir=tmp_path, resume=False).wrap(LoadedModel("m", "s", "callable", Exact()), key="k")
    want = first.predict_proba(inputs)
    again = PredictionCache(journal_dir=tmp_path, resume=True)
    model = again.wrap(LoadedModel("m", "s", "callable", Exact()), key="k")
    assert again.resumed == len(inputs)
    assert np.array_equal(model.predict_proba(inputs), want) and model.stats.model_calls == 0
    fresh = PredictionCache(journal_dir=tmp_path, resume=False)  # a new run starts a new journal
    assert fresh.wrap(LoadedModel("m", "s", "callable", Exact()), key="k").predict_proba(["one"]).shape == (1, 3)
    assert fresh.resumed == 0


def test_a_line_cut_short_by_a_kill_is_ignored(tmp_path):
    cache = PredictionCache(journal_dir=tmp_path)
    cache.wrap(LoadedModel("m", "s", "callable", Exact()), key="k").predict_proba(["x", "y"])
    (path,) = tmp_path.glob("*.jsonl")
    path.write_text(path.read_text() + '{"x": "z", "p": [0.1, 0.', encoding="utf-8")
    again = PredictionCache(journal_dir=tmp_path, resume=True)
    again.wrap(LoadedModel("m", "s", "callable", Exact()), key="k")
    assert again.resumed == 2


@pytest.fixture()
def counting_model(tmp_path, monkeypatch):
    (tmp_path / "counting_model.py").write_text(MODEL, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(CachedModel, "chunk_size", 200)
    import importlib

    import counting_model

    importlib.reload(counting_model)
    return counting_model


def test_noise_interrupted_mid_unit_resumes_from_its_last_chunk(cli, tmp_path, monkeypatch, counting_model):
    args = ("--model", "counting_model:counting", "--data", "test.csv", "--probe", "noise")
    whole = cli("run", *args, "--out", str(tmp_path / "whole"), "-q")
    assert whole.exit_code == 0, whole.output
    total_calls = len(counting_model.calls)
    counting_model.calls.clear()
    monkeypatch.setenv("KILL_AFTER_CALLS", str(total_calls // 2))
    killed = cli("run", *args, "--out", str(tmp_path / "run"), "-q")
    assert killed.exit_code == 130, killed.output
    done_before = sum(counting_model.calls[:-1])  # the last call raised
    counting_model.calls.clear()
    monkeypatch.delenv("KILL_AFTER_CALLS")
    resumed = cli("run", *args, "--out", str(tmp_path / "run"), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert f"Resumed {done_before} prediction(s)" in resumed.output
    whole_doc = json.loads((tmp_path / "whole" / "results.json").read_text())
    run_doc = json.loads((tmp_path / "run" / "results.json").read_text())
    unit = lambda d: d["probes"][0]["results"]["counting"]  # noqa: E731
    assert unit(run_doc)["metrics"] == unit(whole_doc)["metrics"]
    assert unit(run_doc)["examples"] == unit(whole_doc)["examples"]
    texts_predicted = run_doc["run"]["cache"]["counting"]["texts_predicted"]
    assert texts_predicted == whole_doc["run"]["cache"]["counting"]["texts_predicted"] - done_before
