"""A label mismatch with a local Hugging Face model is found from its config.json, before any
weights load (it used to take the 40-50 s of loading a real model to find out)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from tiny_bert import build_tiny_bert

from audit.cli import main
from audit.models.hf_source import labels_before_loading


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("precheck_bert"))


def test_labels_are_read_from_config_json_alone(bert, tmp_path):
    assert labels_before_loading(str(bert)) == ["negative", "positive"]
    assert labels_before_loading(str(bert), ["bad", "good"]) == ["bad", "good"]
    assert labels_before_loading(str(tmp_path)) is None  # no config.json: told at loading
    assert labels_before_loading("someone/hub-model") is None


def test_a_mismatch_stops_before_the_weights_load(bert, tmp_path, monkeypatch):
    import audit.models.huggingface as hf

    def must_not_load(*args, **kwargs):
        raise AssertionError("weights were loaded before the label check")

    monkeypatch.setattr(hf, "load_hf_model", must_not_load)
    (tmp_path / "d.csv").write_text("text,label\nbuy now,spam\nhello friend,ham\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", "--model", str(bert), "--data", str(tmp_path / "d.csv"),
                                    "--out", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 2, res.output
    assert "spam" in res.output and "Traceback" not in res.output and "weights were loaded" not in res.output
