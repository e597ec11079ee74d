"""Config files and flags resolve to one validated config; bad ones fail with one clear line."""

from __future__ import annotations

import pytest

from audit.config import parse_model_arg, resolve_config
from audit.core.errors import AuditError
from audit.runner import build_probes


def write(tmp_path, text):
    p = tmp_path / "audit.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_file_and_flags_merge(tmp_path):
    p = write(tmp_path, "seed: 3\ndata: {source: a.csv, text_col: t}\nmodels: [m1.skops, {name: b, spec: m2.skops}]\n"
                        "probes: {metrics: {bootstrap: 10}}\n")
    cfg = resolve_config(p)
    assert cfg.seed == 3 and cfg.data == {"source": "a.csv", "text_col": "t"}
    assert [m.spec for m in cfg.models] == ["m1.skops", "m2.skops"] and cfg.models[1].name == "b"
    cfg = resolve_config(p, models=["x=m3.skops"], seed=9, data={"source": "b.csv", "label_col": None})
    assert cfg.seed == 9 and cfg.data["source"] == "b.csv" and cfg.data["text_col"] == "t"
    assert [(m.name, m.spec) for m in cfg.models] == [("x", "m3.skops")]
    assert build_probes(cfg)[0].config.bootstrap == 10


def test_unknown_top_level_key_names_allowed(tmp_path):
    p = write(tmp_path, "data: {source: a.csv}\nmodels: [m]\nprobs: {}\n")
    with pytest.raises(AuditError) as e:
        resolve_config(p)
    assert "'probs'" in str(e.value) and "probes" in str(e.value)


def test_unknown_probe_config_key(tmp_path):
    p = write(tmp_path, "data: {source: a.csv}\nmodels: [m]\nprobes: {metrics: {bootstraps: 5}}\n")
    with pytest.raises(AuditError) as e:
        build_probes(resolve_config(p))
    msg = str(e.value)
    assert "'bootstraps'" in msg and "Allowed: bins, bootstrap, confidence, max_examples" in msg


def test_unknown_probe_did_you_mean(tmp_path):
    p = write(tmp_path, "data: {source: a.csv}\nmodels: [m]\n")
    with pytest.raises(AuditError, match=r"Unknown probe 'metric'. Did you mean 'metrics'\?"):
        build_probes(resolve_config(p, probes=["metric"]))


def test_malformed_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, "data:\n  source: a.csv\nmodels: [m\n")
    with pytest.raises(AuditError) as e:
        resolve_config(p)
    assert f"{p}:" in str(e.value) and "\n" not in str(e.value)


def test_bad_values(tmp_path):
    p = write(tmp_path, "data: {source: a.csv}\nmodels: [m]\nprobes: {metrics: {confidence: 1.5}}\n")
    with pytest.raises(AuditError, match="between 0 and 1"):
        build_probes(resolve_config(p))
    p = write(tmp_path, "data: {source: a.csv}\nmodels: [m]\nprobes: {metrics: {bootstrap: many}}\n")
    with pytest.raises(AuditError, match="must be a number"):
        build_probes(resolve_config(p))
    with pytest.raises(AuditError, match="No model given"):
        resolve_config(None, data={"source": "a.csv"})
    with pytest.raises(AuditError, match="No dataset given"):
        resolve_config(None, models=["m"])


def test_model_arg_parsing(tmp_path, monkeypatch):
    assert parse_model_arg("prod=./models/x") == {"name": "prod", "spec": "./models/x"}
    assert parse_model_arg("pkg.mod:fn") == {"spec": "pkg.mod:fn"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a=b").mkdir()  # an existing path wins over the name=SPEC reading
    assert parse_model_arg("a=b") == {"spec": "a=b"}


@pytest.mark.parametrize(
    "text, needle",
    [
        ("data: test.csv\nmodels: [m]\n", "'data'"),
        ("data: {source: a.csv}\nmodels: 5\n", "'models'"),
        ("data: {source: a.csv}\nmodels: [{spec: 5}]\n", "'spec'"),
        ("data: {source: a.csv}\nmodels: [m]\nprobes: [[1]]\n", "'probes'"),
        ("data: {source: a.csv}\nmodels: [m]\nprobes: {metrics: 5}\n", "'probes'"),
        ("data: {source: a.csv}\nmodels: [m]\nprobes: {}\n", "empty"),
        ("data: {source: a.csv}\nmodels: [{spec: m, name: 'a/b'}]\n", "rename"),
        ("data: {source: a.csv}\nmodels: [{spec: m, max_length: long}]\n", "max_length"),
    ],
)
def test_wrong_types_are_one_line_errors(tmp_path, text, needle):
    with pytest.raises(AuditError) as e:
        build_probes(resolve_config(write(tmp_path, text)))
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_data_values_are_type_checked():
    from audit.data_loader import DataConfig
    from audit.core.typed_config import build_config

    with pytest.raises(AuditError, match="source"):
        build_config(DataConfig, {"source": 5}, "data")
    with pytest.raises(AuditError, match="label_map"):
        build_config(DataConfig, {"source": "a.csv", "label_map": ["a", "b"]}, "data")
    cfg = build_config(DataConfig, {"source": "a.csv", "sensitive": ["g"], "limit": 5}, "data")
    assert cfg.sensitive == ("g",) and cfg.limit == 5
