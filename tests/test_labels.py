"""Aligning gold labels with a model's label order."""

from __future__ import annotations

import numpy as np
import pytest

from audit.core.errors import AuditError
from audit.core.labels import align_labels


@pytest.mark.parametrize(
    "gold, model_labels, expected",
    [
        (["pos", "neg", "pos"], ["neg", "pos"], [1, 0, 1]),  # exact, model order wins
        (["POSITIVE", "negative"], ["negative", "positive"], [1, 0]),  # case-insensitive
        (["1", "0"], ["LABEL_0", "LABEL_1"], [1, 0]),  # integers by index
        (["0", "1", "1"], ["negative", "positive"], [0, 1, 1]),
        (["1"], ["LABEL_0", "LABEL_1", "LABEL_2"], [1]),  # a subset of generic labels
        (["1", "0"], ["0", "1"], [1, 0]),  # integer model labels match by name
        ([], ["a", "b"], []),
    ],
)
def test_alignment(gold, model_labels, expected):
    got = align_labels(gold, model_labels, model_id="m")
    np.testing.assert_array_equal(got, np.array(expected, dtype=np.int64))
    assert got.dtype == np.int64


def test_exact_name_beats_case_folding():
    assert align_labels(["Pos", "pos"], ["pos", "Pos"], model_id="m").tolist() == [1, 0]


def test_ambiguous_case_folding_is_unknown():
    with pytest.raises(AuditError, match="'POS'"):
        align_labels(["POS"], ["pos", "Pos"], model_id="m")


@pytest.mark.parametrize(
    "gold, model_labels",
    [
        (["0", "2"], ["negative", "positive"]),  # 2 is out of range
        (["hateful", "non-hateful"], ["LABEL_0", "LABEL_1"]),
        (["0", "1"], ["1", "2"]),  # integer model labels: position and name disagree
    ],
)
def test_unknown_labels_name_the_fix(gold, model_labels):
    with pytest.raises(AuditError) as info:
        align_labels(gold, model_labels, model_id="bert-x")
    msg = str(info.value)
    assert "\n" not in msg
    assert "model 'bert-x'" in msg
    assert ", ".join(repr(m) for m in model_labels) in msg
    assert "label_map" in msg and "--label-map" in msg


def test_error_lists_only_the_unknown_labels():
    with pytest.raises(AuditError) as info:
        align_labels(["negative", "meh", "positive"], ["negative", "positive"], model_id="m")
    assert "Labels 'meh' in the data" in str(info.value)
    assert "--label-map meh=negative" in str(info.value)


def test_position_refused_when_class_counts_differ():
    """0/1 data against a 3-class model must not silently read 1 as 'neutral'."""
    with pytest.raises(AuditError, match="label_map"):
        align_labels(["0", "1"], ["negative", "neutral", "positive"], model_id="m")


def test_rule_is_reported():
    from audit.core.labels import alignment

    assert alignment(["0", "1"], ["negative", "positive"], model_id="m") == ({"0": 0, "1": 1}, "position")
    assert alignment(["positive"], ["negative", "positive"], model_id="m") == ({"positive": 1}, "name")


def test_long_label_lists_are_cut():
    gold = [f"g{i}" for i in range(40)]
    with pytest.raises(AuditError) as e:
        align_labels(gold, ["a", "b"], model_id="m")
    assert "and 35 more" in str(e.value) and len(str(e.value)) < 400
