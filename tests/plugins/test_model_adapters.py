"""Model adapters: the built-ins claim what the old if-chain did (same messages), a plug-in adapter
is asked first, ``kind:`` names one outright, and the device comes from the adapters' hooks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from audit.config import AuditConfig, ModelConfig, resolve_config
from audit.core.errors import AuditError
from audit.core.registry import Registry
from audit.models import adapters
from audit.models.loader import adapter_for, load_model, model_kind
from audit.runner import resolve_device


class EchoAdapter(adapters.ModelAdapter):
    """Claims ``echo:...``, which the built-in module:function reading would otherwise take."""

    kind = "echo"

    def __init__(self, device: str | None = None, returns: object = None) -> None:
        self.device, self.returns = device, returns

    def claims(self, spec: str) -> bool:
        return spec.startswith("echo:")

    def load(self, model_config, name, device):
        return self.returns

    def resolve_device(self, requested: str) -> str | None:
        return self.device


@pytest.fixture()
def with_adapter(monkeypatch):
    """Install a plug-in adapter in a fresh registry (the real one is left as it was)."""
    def install(adapter) -> None:
        fresh = Registry("model kind", "audit.test_no_models", (adapters.__name__,), name_of=lambda a: a.kind,
                         check=adapters._check)
        for builtin in adapters.BUILTIN_ORDER:
            fresh.register(builtin.kind, builtin, origin=adapters.__name__)
        fresh.register(adapter.kind, adapter, origin="echo-plugin")
        monkeypatch.setattr(adapters, "ADAPTERS", fresh)
    return install


def test_builtin_claims(tmp_path):
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "m.skops").write_bytes(b"")
    assert model_kind(str(tmp_path / "hf")) == "huggingface"
    assert model_kind(str(tmp_path / "m.skops")) == "sklearn"
    assert model_kind("pkg.module:predict") == "callable" and model_kind("rules.py:predict") == "callable"
    assert model_kind("org/name") == "huggingface"


@pytest.mark.parametrize("what, message", [
    ("empty", ("Model directory '{spec}' has no config.json, so it is not a Hugging Face model. Point --model at a "
               "directory saved with save_pretrained, a .skops file or module:function.")),
    ("m.onnx", ("Model file '{spec}' has an unsupported type '.onnx'. Use a .skops file (or .joblib/.pkl with "
                "--trust-model), a model directory, or module:function.")),
    ("nowhere", ("Model '{spec}' not found: no such file or directory, and it is not a hub id (org/name) or a "
                 "module:function. Check the path.")),
])
def test_unclaimed_specs_keep_their_messages(tmp_path, what, message):
    path = tmp_path / what
    if what == "empty":
        path.mkdir()
    elif what.endswith(".onnx"):
        path.write_bytes(b"onnx")
    with pytest.raises(AuditError) as err:
        model_kind(str(path))
    assert str(err.value) == message.format(spec=path)


def test_plugin_adapter_is_asked_before_the_builtins(with_adapter):
    assert model_kind("echo:hello") == "callable"  # module 'echo', function 'hello', without the plug-in
    with_adapter(EchoAdapter())
    assert model_kind("echo:hello") == "echo"
    assert model_kind("pkg.module:predict") == "callable"


def test_kind_names_the_adapter_outright(tmp_path):
    spec = str(tmp_path / "model.pkl")
    assert adapter_for(ModelConfig(spec=spec, kind="sklearn")).kind == "sklearn"  # no file needed to pick it
    with pytest.raises(AuditError) as err:
        adapter_for(ModelConfig(spec=spec, kind="skelarn"))
    assert str(err.value) == "Unknown model kind 'skelarn'. Did you mean 'sklearn'? Known: callable, huggingface, sklearn."
    cfg_file = tmp_path / "audit.yaml"
    cfg_file.write_text("data: {source: a.csv}\nmodels: [{spec: 'x:y', kind: echo}]\nplugins: my_plugin\n", encoding="utf-8")
    cfg = resolve_config(cfg_file)
    assert cfg.models[0].kind == "echo" and cfg.plugins == ("my_plugin",)
    assert cfg.as_dict()["plugins"] == ("my_plugin",)


@pytest.mark.parametrize("value", ["[1, 2]", "{a: b}", "['not a module']"])
def test_plugins_key_must_list_module_names(tmp_path, value):
    cfg_file = tmp_path / "audit.yaml"
    cfg_file.write_text(f"data: {{source: a.csv}}\nmodels: [m.skops]\nplugins: {value}\n", encoding="utf-8")
    with pytest.raises(AuditError, match=r"'plugins' in .* must be a list of importable module names"):
        resolve_config(cfg_file)


def test_device_comes_from_the_adapters(with_adapter):
    cpu_only = AuditConfig(data={}, models=(ModelConfig(spec="pkg.module:predict"),), device="cuda")
    with pytest.raises(AuditError, match="no model here runs on a GPU"):
        resolve_device(cpu_only)
    with_adapter(EchoAdapter(device="cuda:1"))
    both = AuditConfig(data={}, models=(ModelConfig(spec="pkg.module:predict"), ModelConfig(spec="echo:x")), device="cuda")
    assert resolve_device(both) == "cuda:1"


def test_an_adapter_must_return_a_loaded_model(with_adapter):
    with_adapter(EchoAdapter(returns="not a model"))
    with pytest.raises(AuditError) as err:
        load_model(ModelConfig(spec="echo:x"), name="e", device="cpu")
    assert str(err.value) == "Model adapter 'echo' returned str, not a LoadedModel, for 'echo:x'; fix the adapter's load()."


def test_adapter_without_a_kind_is_refused():
    with pytest.raises(AuditError, match="has no usable `kind`"):
        adapters.ADAPTERS.register("x", object())


def test_choosing_an_adapter_imports_no_torch():
    code = ("import sys\nfrom audit.models.loader import model_kind\n"
            "assert model_kind('org/name') == 'huggingface' and model_kind('m.mod:f') == 'callable'\n"
            "print('torch' in sys.modules, 'sklearn' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
