"""The audit config: YAML file + command-line overrides -> one resolved, validated object.

Unknown keys are rejected with their names and the allowed ones; malformed YAML names the
file and line. The resolved config is stored verbatim in results.json.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.core.bounds import SEED_MAX
from audit.core.errors import AuditError
from audit.core.typed_config import build_config
from audit.findings.settings import FindingsConfig, parse_findings

TOP_LEVEL_KEYS = ("seed", "out", "device", "data", "models", "probes", "governance", "plugins", "findings")
DEVICES = ("auto", "cpu", "cuda", "mps")
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
PLUGIN_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class ModelConfig:
    spec: str  # local dir, hub id, .skops/.joblib file, or package.module:function
    name: str | None = None  # display name; derived from the spec when absent
    labels: tuple[str, ...] | None = None  # override (HF) or declare (callables) the label order
    max_length: int = 128  # truncation for transformers
    batch_size: int = 32
    precision: str = "auto"  # auto | fp32 | bf16 | fp16 (GPU only)
    trust_remote_code: bool = False  # run a hub model's own code (transformers trust_remote_code)
    trust_model: bool = False  # allow pickle/joblib files and non-sklearn types in skops files
    kind: str | None = None  # the adapter by name (huggingface, sklearn, callable, a plug-in's); None: by the spec
    # An in-memory model (the Python API: a transformers model and tokenizer, a pipeline, an estimator,
    # a callable); ``spec`` then only describes it. Never read from YAML, never written to results.json.
    obj: Any = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The settings as results.json records them (an in-memory object is described by ``spec``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "obj"}

    def __post_init__(self) -> None:
        if self.name is not None and not MODEL_NAME.fullmatch(self.name):
            bad = "".join(sorted({c for c in self.name if not re.fullmatch(r"[A-Za-z0-9_.-]", c)}))
            why = f" ({bad!r} not allowed)" if bad else " (it must start with a letter or digit and be at most 64 long)"
            raise AuditError(
                f"Model name {self.name!r} may use only letters, digits, '.', '_' and '-'{why}; it names files, so rename it."
            )
        if self.max_length < 1 or self.batch_size < 1:
            raise AuditError(f"Model '{self.spec}': max_length and batch_size must be >= 1.")
        if self.precision not in ("auto", "fp32", "bf16", "fp16"):
            raise AuditError(f"Model '{self.spec}': precision must be auto, fp32, bf16 or fp16, not '{self.precision}'.")


@dataclass(frozen=True)
class Reviewer:
    name: str = ""  # left blank in the sign-off table when only the role is known
    role: str = ""


@dataclass(frozen=True)
class GovernanceConfig:
    """Model-card text for the governance record (`audit record`); every key is optional."""

    model_details: str = ""  # what the model is: architecture, training data, version
    owner: str = ""  # team or person accountable for the model
    contact: str = ""  # where questions about the model go
    intended_use: str = ""  # the uses the model was built and audited for
    out_of_scope_uses: tuple[str, ...] = ()  # uses it must not be put to
    evaluation_data: str = ""  # why this dataset stands for the intended use
    limitations: tuple[str, ...] = ()  # known limitations (derived ones are added to the record)
    ethical_considerations: tuple[str, ...] = ()
    reviewers: tuple[Reviewer, ...] = ()  # pre-filled rows of the sign-off table


GOVERNANCE_LISTS = ("out_of_scope_uses", "limitations", "ethical_considerations")


def parse_governance(raw: Any, where: str) -> GovernanceConfig | None:
    """The ``governance`` mapping, validated: unknown keys name the allowed ones; a text may be a list."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise AuditError(f"'governance' in {where} must be a mapping (intended_use: ..., reviewers: [...]), not {raw!r}.")
    raw = dict(raw)
    for key in GOVERNANCE_LISTS:
        if isinstance(raw.get(key), str):
            raw[key] = [raw[key]]
    reviewers = raw.get("reviewers")
    if reviewers is not None:
        if not isinstance(reviewers, list):
            raise AuditError(f"governance.reviewers in {where} must be a list of {{name, role}} entries, not {reviewers!r}.")
        raw["reviewers"] = [
            r if isinstance(r, Reviewer) else build_config(
                Reviewer, {"name": r} if isinstance(r, str) else r, f"governance.reviewers #{i + 1} in {where}")
            for i, r in enumerate(reviewers)
        ]
    cfg = build_config(GovernanceConfig, raw, f"governance in {where}")
    for key in GOVERNANCE_LISTS:
        if any(not isinstance(x, str) for x in getattr(cfg, key)):
            raise AuditError(f"governance.{key} in {where} must be a text or a list of texts.")
    return cfg


@dataclass(frozen=True)
class AuditConfig:
    data: dict[str, Any]  # the raw data mapping; validated by audit.data_loader.DataConfig
    models: tuple[ModelConfig, ...]
    probes: dict[str, dict[str, Any]] | None = None  # None: every registered probe, defaults
    seed: int = 0
    out: str = "audit-out"
    device: str = "auto"
    governance: GovernanceConfig | None = None  # model-card text for the governance record
    plugins: tuple[str, ...] = ()  # modules imported before probes and models resolve (they register plug-ins)
    findings: FindingsConfig = field(default_factory=FindingsConfig)  # the findings rules (docs/findings.md)
    source_file: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The config as results.json records it: in-memory models and data frames are described, not copied."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "source_file"}
        d["data"] = {k: v for k, v in self.data.items() if k != "frame"}
        d["models"] = [m.as_dict() for m in self.models]
        d["governance"] = dataclasses.asdict(self.governance) if self.governance is not None else None
        d["probes"] = {k: dict(v) for k, v in self.probes.items()} if self.probes is not None else None
        d["findings"] = self.findings.as_dict()
        return d


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Parse a YAML mapping; errors name the file and line."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise AuditError(f"Config file not found: {p}. Check the path, or write a starter one with `audit init`.")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AuditError(f"Config file {p} is not UTF-8 text; save it as UTF-8.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark is not None else str(p)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AuditError(f"Malformed YAML at {where}: {problem}. Fix the syntax there.") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise AuditError(f"Config file {p} must hold a mapping (key: value lines), not a {type(raw).__name__}.")
    return raw


def parse_model_arg(arg: str) -> dict[str, Any]:
    """``name=SPEC`` or ``SPEC`` from the command line."""
    m = re.match(r"^([^=]+)=(.+)$", arg)  # any name before '=': a bad one is named by ModelConfig, not "not found"
    if m and not os.path.exists(arg):
        return {"name": m.group(1), "spec": m.group(2)}
    return {"spec": arg}


def _probe_settings(raw: Any, file: Any) -> dict[str, dict[str, Any]]:
    """``probes`` as a list of names or a mapping of name -> settings (null for defaults)."""
    if isinstance(raw, list) and all(isinstance(name, str) for name in raw):
        raw = {name: {} for name in raw}
    if not isinstance(raw, dict) or not all(v is None or isinstance(v, dict) for v in raw.values()):
        raise AuditError(f"'probes' in {file} must map each probe name to its settings (or null), e.g. metrics: {{bootstrap: 1000}}.")
    if not raw:
        raise AuditError(f"'probes' in {file} is empty; list at least one probe (see `audit probes`) or remove the key to run them all.")
    return {str(k): dict(v or {}) for k, v in raw.items()}


def _plugins(raw: Any, file: Any) -> tuple[str, ...]:
    """``plugins``: importable module names; imported by the runner, as the user chose (like module:function)."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(m, str) and PLUGIN_MODULE.fullmatch(m) for m in raw):
        raise AuditError(f"'plugins' in {file} must be a list of importable module names (e.g. [my_audit_plugin]), not {raw!r}.")
    return tuple(dict.fromkeys(raw))


def _model_config(raw: Any, where: str) -> ModelConfig:
    if isinstance(raw, ModelConfig):  # built by the Python API (it may hold an in-memory model)
        return raw
    if isinstance(raw, dict) and "obj" in raw:
        raise AuditError(f"{where}: 'obj' is not a config key; in-memory models are given to audit.run(models=...).")
    if isinstance(raw, str):
        raw = parse_model_arg(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("spec"), str) or not raw["spec"]:
        raise AuditError(f"{where} needs a 'spec' (a model directory, hub id, .skops file or module:function).")
    raw = dict(raw)
    if raw.get("labels") is not None:
        if not isinstance(raw["labels"], list) or not raw["labels"]:
            raise AuditError(f"{where}: 'labels' must be a non-empty list of label names.")
        raw["labels"] = tuple(str(x) for x in raw["labels"])
    return build_config(ModelConfig, raw, where)


def resolve_config(
    file: str | Path | dict[str, Any] | None = None,
    *,
    models: Sequence[str | ModelConfig] | None = None,
    labels: list[str] | None = None,
    data: dict[str, Any] | None = None,
    probes: list[str] | None = None,
    seed: int | None = None,
    out: str | None = None,
    device: str | None = None,
    trust_model: bool = False,
    trust_remote_code: bool = False,
) -> AuditConfig:
    """Merge a config file (optional; the Python API may pass the mapping itself) with command-line
    values; the command line wins."""
    source_file = str(file) if file and not isinstance(file, dict) else None
    if isinstance(file, dict):
        raw, file = dict(file), "the config mapping"  # named so in error messages
    else:
        raw = read_yaml(file) if file else {}
    unknown = sorted(set(raw) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise AuditError(
            f"Unknown config key(s) {', '.join(repr(k) for k in unknown)} in {file}. "
            f"Allowed: {', '.join(TOP_LEVEL_KEYS)}."
        )
    if not isinstance(raw.get("data") or {}, dict):
        raise AuditError(f"'data' in {file} must be a mapping (source: ..., text_col: ...), not {raw['data']!r}.")
    data_raw = dict(raw.get("data") or {})
    data_raw.update({k: v for k, v in (data or {}).items() if v is not None})
    if not data_raw.get("source"):
        raise AuditError("No dataset given. Pass --data FILE (CSV, TSV, JSONL, Parquet or a hub dataset name) or set data.source in the config.")

    if not isinstance(raw.get("models") or [], list):
        raise AuditError(f"'models' in {file} must be a list of model specs or mappings, not {raw['models']!r}.")
    model_entries: list[Any] = list(models) if models else list(raw.get("models") or [])
    if not model_entries:
        raise AuditError("No model given. Pass --model SPEC (repeatable) or list them under 'models' in the config.")
    model_cfgs = []
    for i, entry in enumerate(model_entries):
        mc = _model_config(entry, f"model #{i + 1}")
        if labels and models and mc.labels is None:  # --labels: the command line's models (a callable declares them)
            mc = dataclasses.replace(mc, labels=tuple(labels))
        if trust_model or trust_remote_code:
            mc = dataclasses.replace(
                mc, trust_model=mc.trust_model or trust_model, trust_remote_code=mc.trust_remote_code or trust_remote_code
            )
        model_cfgs.append(mc)

    probe_cfg = raw.get("probes")
    if probe_cfg is not None:
        probe_cfg = _probe_settings(probe_cfg, file)
    if probes:
        probe_cfg = {name: (probe_cfg or {}).get(name, {}) for name in probes}

    seed_value = seed if seed is not None else raw.get("seed", 0)
    if isinstance(seed_value, bool) or not isinstance(seed_value, int) or not 0 <= seed_value <= SEED_MAX:
        raise AuditError(f"seed must be a whole number from 0 to {SEED_MAX} (64 bits), not {seed_value!r}; pass "
                         "--seed (or seed:) in that range.")
    device_value = device or raw.get("device", "auto")
    if device_value not in DEVICES:
        raise AuditError(f"device must be one of {', '.join(DEVICES)}, not {device_value!r}.")
    return AuditConfig(
        data=data_raw,
        models=tuple(model_cfgs),
        probes=probe_cfg,
        seed=seed_value,
        out=str(out or raw.get("out") or "audit-out"),
        device=device_value,
        governance=parse_governance(raw.get("governance"), str(file)),
        plugins=_plugins(raw.get("plugins"), file),
        findings=parse_findings(raw.get("findings"), str(file)),
        source_file=source_file,
    )
