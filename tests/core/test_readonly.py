"""Probes see earlier results through a live, read-only view: reads pass through (nested too),
every kind of change raises, and the store's own writes show up in the view at once."""

from __future__ import annotations

import json

import pytest

from audit.core.readonly import READ_ONLY, read_only
from audit.core.results import ResultsStore


@pytest.fixture
def doc():
    return {"probes": [{"name": "attack", "results": {"m": {"details": {"successes": [{"id": "x"}]}}}}], "run": {}}


def test_reads_pass_through_nested(doc):
    view = read_only(doc)
    assert view["probes"][0]["results"]["m"]["details"]["successes"][0]["id"] == "x"
    assert [p["name"] for p in view["probes"]] == ["attack"]
    assert view.get("missing") is None and "run" in view and len(view) == 2
    assert json.loads(json.dumps(dict(view["run"]))) == {}


@pytest.mark.parametrize(
    "change",
    [
        lambda v: v.__setitem__("probes", []),
        lambda v: v.__delitem__("run"),
        lambda v: v.update(x=1),
        lambda v: v.pop("run"),
        lambda v: v.setdefault("x", 1),
        lambda v: v.clear(),
        lambda v: v["probes"].append({}),
        lambda v: v["probes"].__setitem__(0, {}),
        lambda v: v["probes"][0]["results"]["m"]["details"]["successes"].extend([{}]),
        lambda v: v["probes"][0]["results"].__setitem__("n", {}),
        lambda v: v["probes"][0:1].append({}),
        lambda v: v["probes"].sort(),
    ],
)
def test_every_change_raises_and_nothing_changes(doc, change):
    before = json.dumps(doc, sort_keys=True)
    with pytest.raises(TypeError, match="read-only"):
        change(read_only(doc))
    assert json.dumps(doc, sort_keys=True) == before
    assert "results store" in READ_ONLY


def test_the_view_is_live(tmp_path, doc):
    store = ResultsStore(tmp_path, doc)
    view = store.view()
    store.set_dataset({"size": 3})
    assert view["dataset"]["size"] == 3


def test_set_models_drops_results_of_changed_and_removed_models(tmp_path):
    doc = {"models": [], "probes": [{"name": "p", "results": {"a": {}, "b": {}, "gone": {}}}]}
    store = ResultsStore(tmp_path, doc)
    store.set_models([{"id": "a"}, {"id": "b"}], changed={"b"})
    assert list(doc["probes"][0]["results"]) == ["a"] and [m["id"] for m in doc["models"]] == ["a", "b"]


def test_set_paired_adds_and_removes_blocks(tmp_path):
    doc = {"probes": [{"name": "p", "results": {}, "paired": {"old": 1}}, {"name": "q", "results": {}}]}
    store = ResultsStore(tmp_path, doc)
    store.set_paired({"p": None, "q": {"comparisons": []}})
    assert "paired" not in doc["probes"][0] and doc["probes"][1]["paired"] == {"comparisons": []}
