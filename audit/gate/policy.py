"""Parse and validate a gate policy (YAML) into frozen checks, with file:line in every error.

Validation happens before anything runs (``audit run --gate`` checks the policy before any
model loads), so a typo in a metric name or operator costs seconds, not an audit.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.core.bounds import LIMITS
from audit.core.errors import AuditError
from audit.gate.metric_lookup import known_names, known_specs, split_metric, unknown_metric

OPERATORS = (">=", ">", "<=", "<", "==", "!=")
USES = ("value", "ci_lower", "ci_upper")
ON_MISSING = ("error", "skip")
POLICY_KEYS = ("name", "description", "checks", "resamples", "seed")
CHECK_KEYS = ("metric", "operator", "threshold", "use", "model", "models", "baseline", "max_drop", "confidence",
              "on_missing", "name", "allow_unpaired")
RELATIVE_ONLY = ("baseline", "max_drop", "confidence", "allow_unpaired")
ABSOLUTE_ONLY = ("operator", "threshold", "use")


@dataclass(frozen=True)
class Baseline:
    model: str
    results: str | None = None  # a saved results.json (or its directory); None: the same run


@dataclass(frozen=True)
class Check:
    index: int  # 1-based position in the policy
    line: int | None  # where it starts in the policy file
    metric: str  # probe.metric as written
    probe: str
    name: str  # the metric part
    higher_is_better: bool | None
    models: tuple[str, ...] | None  # None: every model in the results
    operator: str | None = None
    threshold: float | None = None
    use: str = "value"
    baseline: Baseline | None = None
    max_drop: float | None = None
    confidence: float = 0.95
    on_missing: str = "error"
    label: str | None = None  # the check's own `name`, for JUnit and summaries
    allow_unpaired: bool = False  # relative: compare point values when a paired metric has no sidecars

    @property
    def kind(self) -> str:
        return "relative" if self.baseline is not None else "absolute"


@dataclass(frozen=True)
class Policy:
    path: str
    name: str
    description: str
    checks: tuple[Check, ...]
    sha256: str
    resamples: int = 10000
    seed: int = 0


def _lines(text: str) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Line numbers (1-based) of the top-level keys and of each check and its keys."""
    import yaml

    top: dict[str, int] = {}
    checks: list[dict[str, int]] = []
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return top, checks
    for key, value in root.value:
        top[str(key.value)] = key.start_mark.line + 1
        if key.value == "checks" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                where = {"": item.start_mark.line + 1}
                if isinstance(item, yaml.MappingNode):
                    where.update({str(k.value): k.start_mark.line + 1 for k, _ in item.value})
                checks.append(where)
    return top, checks


UNQUOTED_OP = re.compile(r"^\s*(?:-\s+)?operator:\s*([>!]=?)\s*(?:#.*)?$")


def _unquoted_operator(p: Path, text: str) -> None:
    """``operator: >=`` unquoted is a YAML block scalar (or a tag), not text: say how to write it."""
    for n, line in enumerate(text.splitlines(), start=1):
        m = UNQUOTED_OP.match(line)
        if m:
            raise AuditError(f"{p}:{n}: write the operator in quotes, operator: '{m.group(1)}' "
                             "(unquoted, YAML reads > and ! as syntax).")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def load_policy(path: str | Path, specs: dict[str, list[dict]] | None = None) -> Policy:
    """Read and validate a policy; ``specs`` (probe -> metric specs) default to the registry's."""
    from audit.config import read_yaml

    p = Path(path)
    if not p.is_file():
        raise AuditError(f"Gate policy not found: {p}. Check the path, or start from configs/ci-gate.yaml.")
    try:
        _unquoted_operator(p, p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        pass  # read_yaml says so, in its words
    raw = read_yaml(p)  # file:line on syntax errors
    return parse_policy(raw, p.read_text(encoding="utf-8"), str(p), p.stem, specs)


def policy_from_mapping(mapping: dict[str, Any], specs: dict[str, list[dict]] | None = None) -> Policy:
    """A policy given as a Python mapping (``AuditResult.gate``); errors name the check, as for a file."""
    import yaml

    if not isinstance(mapping, dict):
        raise AuditError(f"A gate policy must be a mapping with a 'checks' list (or a YAML file path), not "
                         f"{type(mapping).__name__}.")
    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
    return parse_policy(yaml.safe_load(text), text, "<policy>", "policy", specs)


def parse_policy(raw: dict[str, Any], text: str, where: str, default_name: str,
                 specs: dict[str, list[dict]] | None = None) -> Policy:
    """Validate a parsed policy; ``text`` gives the line numbers errors cite as ``where:line``."""
    top, check_lines = _lines(text)
    specs = specs if specs is not None else known_specs(None)

    def fail(line: int | None, message: str) -> AuditError:
        return AuditError(f"{where}:{line or 1}: {message}")

    unknown = [k for k in raw if k not in POLICY_KEYS]
    if unknown:
        raise fail(top.get(str(unknown[0])), f"unknown policy key '{unknown[0]}'; allowed: {', '.join(POLICY_KEYS)}.")
    checks_raw = raw.get("checks")
    if not isinstance(checks_raw, list) or not checks_raw:
        raise fail(top.get("checks"), "the policy needs a non-empty 'checks' list, e.g. "
                   "checks: [{metric: metrics.accuracy, operator: '>=', threshold: 0.9}].")
    resamples, seed = raw.get("resamples", 10000), raw.get("seed", 0)
    low, high = LIMITS["resamples"]
    if not isinstance(resamples, int) or isinstance(resamples, bool) or not low <= resamples <= high:
        raise fail(top.get("resamples"), f"'resamples' must be a whole number from {low:,} to {high:,}, not {resamples!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise fail(top.get("seed"), f"'seed' must be a non-negative whole number, not {seed!r}.")
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise fail(top.get(key), f"'{key}' must be text, not {raw[key]!r}.")

    checks = []
    for i, item in enumerate(checks_raw, start=1):
        lines = check_lines[i - 1] if i - 1 < len(check_lines) else {}
        checks.append(_check(item, i, lines, specs, fail))
    return Policy(path=where, name=raw.get("name") or default_name, description=raw.get("description") or "",
                  checks=tuple(checks), sha256="sha256:" + hashlib.sha256(text.encode()).hexdigest(),
                  resamples=resamples, seed=seed)


def _check(item, i, lines, specs, fail) -> Check:
    """One validated check; ``fail(line, message)`` builds the error."""
    at = lambda key: lines.get(key, lines.get(""))  # noqa: E731
    if not isinstance(item, dict):
        raise fail(at(""), f"check #{i} must be a mapping with 'metric' and a condition, not {item!r}.")
    unknown = [k for k in item if k not in CHECK_KEYS]
    if unknown:
        raise fail(at(str(unknown[0])), f"check #{i}: unknown key '{unknown[0]}'; allowed: {', '.join(CHECK_KEYS)}.")
    metric = item.get("metric")
    if not isinstance(metric, str) or not metric:
        raise fail(at(""), f"check #{i} needs 'metric: probe.metric' (see `audit probes`).")
    found = split_metric(metric, specs)
    if found is None:
        raise fail(at("metric"), f"check #{i}: " + unknown_metric(metric, known_names(specs)))
    probe, spec = found
    hib = spec.get("higher_is_better")

    if "model" in item and "models" in item:
        raise fail(at("models"), f"check #{i}: give 'model' or 'models', not both.")
    models = item.get("models", item.get("model", "all"))
    if models == "all":
        models = None
    elif isinstance(models, str) and models:
        models = (models,)
    elif isinstance(models, list) and models and all(isinstance(m, str) and m for m in models):
        models = tuple(models)
    else:
        raise fail(at("models" if "models" in item else "model"),
                   f"check #{i}: 'model(s)' must be a model id, a list of ids or 'all', not {models!r}.")

    on_missing = item.get("on_missing", "error")
    if on_missing not in ON_MISSING:
        raise fail(at("on_missing"), f"check #{i}: on_missing must be one of {', '.join(ON_MISSING)}, not {on_missing!r}.")
    label = item.get("name")
    if label is not None and not isinstance(label, str):
        raise fail(at("name"), f"check #{i}: 'name' must be text, not {label!r}.")
    common = dict(index=i, line=at(""), metric=metric, probe=probe, name=metric[len(probe) + 1:],
                  higher_is_better=hib, models=models, on_missing=on_missing, label=label)

    if "baseline" in item or "max_drop" in item:
        return _relative(item, i, at, fail, common, hib)
    for key in RELATIVE_ONLY:
        if key in item:
            raise fail(at(key), f"check #{i}: '{key}' belongs to relative checks; add 'baseline' and 'max_drop' too.")
    op = item.get("operator")
    if op is None:
        raise fail(at(""), f"check #{i} ({metric}) needs an 'operator' ({' '.join(OPERATORS)}) and a 'threshold'.")
    if op not in OPERATORS:
        raise fail(at("operator"), f"check #{i}: operator {op!r} is not one of {' '.join(OPERATORS)}; "
                   "quote it in YAML, e.g. operator: '>='.")
    if "threshold" not in item:
        raise fail(at(""), f"check #{i} ({metric}) needs a 'threshold' (a number) for operator '{op}'.")
    if not _number(item["threshold"]):
        raise fail(at("threshold"), f"check #{i}: threshold must be a number, not {item['threshold']!r}.")
    use = item.get("use", "value")
    if use not in USES:
        raise fail(at("use"), f"check #{i}: use must be one of {', '.join(USES)}, not {use!r}.")
    return Check(**common, operator=op, threshold=float(item["threshold"]), use=use)


def _relative(item, i, at, fail, common, hib) -> Check:
    for key in ABSOLUTE_ONLY:
        if key in item:
            raise fail(at(key), f"check #{i}: '{key}' is for absolute checks; a relative check states "
                       "'baseline' and 'max_drop' only.")
    base = item.get("baseline")
    if isinstance(base, str) and base:
        base = {"model": base}
    if not isinstance(base, dict) or not isinstance(base.get("model"), str) or set(base) - {"model", "results"} \
            or not isinstance(base.get("results", ""), str):
        raise fail(at("baseline"), f"check #{i}: baseline must be a model id or {{model: id, results: path}}, "
                   f"not {base!r}.")
    if "max_drop" not in item or not _number(item["max_drop"]) or item["max_drop"] < 0:
        raise fail(at("max_drop" if "max_drop" in item else ""), f"check #{i}: a relative check needs "
                   f"'max_drop', a number >= 0 (e.g. 0.01 for one accuracy point), not {item.get('max_drop')!r}.")
    conf = item.get("confidence", 0.95)
    if not _number(conf) or not 0.5 <= conf < 1:
        raise fail(at("confidence"), f"check #{i}: confidence must be between 0.5 and 1 (e.g. 0.95), not {conf!r}.")
    if hib is None:
        raise fail(at("metric"), f"check #{i}: {common['metric']} has no better direction, so 'not worse' means "
                   "nothing; use an absolute check.")
    unpaired = item.get("allow_unpaired", False)
    if not isinstance(unpaired, bool):
        raise fail(at("allow_unpaired"), f"check #{i}: allow_unpaired must be true or false, not {unpaired!r}.")
    return Check(**common, baseline=Baseline(model=base["model"], results=base.get("results") or None),
                 max_drop=float(item["max_drop"]), confidence=float(conf), allow_unpaired=unpaired)
