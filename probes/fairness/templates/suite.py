"""Template suites (YAML): labels, fillers and MFT / INV / DIR tests, checked when loaded.

``suite: sentiment`` or ``suite: toxicity`` picks a suite shipped in probes/fairness/data;
a path to a ``.yaml`` file loads the user's own (same format), a ``.csv`` file a table of
cases (:mod:`audit.probes.fairness.templates.suite_csv`). Every problem is a one-line AuditError naming the
file and the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from audit.core.errors import AuditError
from audit.probes.fairness.terms import DATA, Axis

BUILTIN = ("sentiment", "toxicity")
TYPES = ("MFT", "INV", "DIR")
DIRECTIONS = ("up", "down")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NAME = re.compile(r"([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?")

SUITE_MISSING = "Template suite '{suite}' not found: use sentiment, toxicity, or a path to a .yaml suite or .csv file."
SUITE_KIND = "Template suite '{path}' must be a .yaml/.yml suite or a .csv file of cases, not '{ext}'."
BAD_YAML = "Malformed template suite {where}: {problem}. Fix the YAML there."
BAD_SUITE = "Template suite {path}: {problem}"
UNKNOWN_PLACEHOLDER = ("Template suite {path}, test '{test}': template {template!r} uses unknown placeholder "
                       "'{{{name}}}'; define it under fillers, or use an identity slot such as {{religion.adjective}}.")
NO_IDENTITY = ("Template suite {path}, test '{test}': INV template {template!r} has no identity placeholder "
               "({{axis.slot}}), so there is nothing to vary.")


@dataclass(frozen=True)
class Test:
    name: str
    type: str  # MFT | INV | DIR
    description: str = ""
    label: str | None = None  # MFT: the expected label; DIR: the class whose probability moves
    direction: str | None = None  # DIR: up | down
    templates: tuple = ()  # str, or (base, perturbed) pairs for DIR


@dataclass(frozen=True)
class Suite:
    name: str
    source: str
    kind: str  # builtin | yaml | csv
    labels: tuple[str, ...]
    score_label: str | None  # the class whose probability is compared across groups
    description: str = ""
    fillers: dict = field(default_factory=dict)
    tests: tuple[Test, ...] = ()
    cases: object = None  # csv suites: the cases, already expanded


def suite_path(suite: str) -> Path:
    if suite in BUILTIN:
        return DATA / f"suite_{suite}.yaml"
    path = Path(suite).expanduser()
    if not path.is_file():
        raise AuditError(SUITE_MISSING.format(suite=suite))
    return path


def read_yaml_suite(path: Path) -> dict:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AuditError(BAD_SUITE.format(path=path, problem="not UTF-8 text; save it as UTF-8.")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise AuditError(BAD_YAML.format(where=where, problem=getattr(exc, "problem", None) or "invalid YAML")) from None
    if not isinstance(raw, dict):
        raise AuditError(BAD_SUITE.format(path=path, problem="must be a mapping with labels, fillers and tests."))
    return raw


def _strings(value, path, what) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, (str, int, float)) for v in value):
        raise AuditError(BAD_SUITE.format(path=path, problem=f"{what} must be a non-empty list of strings."))
    return tuple(str(v) for v in value)


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """(name, slot) of each ``{name}`` / ``{axis.slot}`` in order; ``("", None)`` marks a malformed one."""
    out = []
    for body in PLACEHOLDER.findall(template):
        m = NAME.fullmatch(body)
        out.append((m.group(1), m.group(2)) if m else (body, "?"))
    return out


def check_template(template: str, test: str, path, fillers: dict, axes: dict[str, Axis]) -> None:
    for name, slot in placeholders(template):
        ok = (slot is None and name in fillers) or (
            slot not in (None, "?") and name in axes and axes[name].slot(slot) is not None)
        if not ok:
            shown = name if slot is None else f"{name}.{slot}" if slot != "?" else name
            raise AuditError(UNKNOWN_PLACEHOLDER.format(path=path, test=test, template=template, name=shown))


def _test(raw, path, fillers, axes, labels) -> Test:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise AuditError(BAD_SUITE.format(path=path, problem="every test needs a 'name'."))
    name = raw["name"]
    where = f"test '{name}'"
    kind = str(raw.get("type", "")).upper()
    if kind not in TYPES:
        raise AuditError(BAD_SUITE.format(path=path, problem=f"{where} has type {raw.get('type')!r}; use MFT, INV or DIR."))
    label = raw.get("label")
    if kind in ("MFT", "DIR") and label not in labels:
        raise AuditError(BAD_SUITE.format(path=path, problem=f"{where} needs a 'label' among {', '.join(labels)}."))
    direction = raw.get("direction")
    if kind == "DIR" and direction not in DIRECTIONS:
        raise AuditError(BAD_SUITE.format(path=path, problem=f"{where} needs 'direction: up' or 'direction: down'."))
    templates = raw.get("templates")
    if not isinstance(templates, list) or not templates:
        raise AuditError(BAD_SUITE.format(path=path, problem=f"{where} needs a non-empty list of templates."))
    for t in templates:
        pair = isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t)
        if (kind == "DIR") != pair or (not pair and not isinstance(t, str)):
            shape = "[base, perturbed] pairs" if kind == "DIR" else "strings"
            raise AuditError(BAD_SUITE.format(path=path, problem=f"{where}: {kind} templates must be {shape}; got {t!r}."))
        for text in (t if pair else [t]):
            check_template(text, name, path, fillers, axes)
            if kind == "INV" and not any(slot for _, slot in placeholders(text)):
                raise AuditError(NO_IDENTITY.format(path=path, test=name, template=text))
    return Test(name, kind, str(raw.get("description") or ""), label, direction,
                tuple(tuple(t) if isinstance(t, list) else t for t in templates))


def load_yaml_suite(path: Path, axes: dict[str, Axis], kind: str) -> Suite:
    raw = read_yaml_suite(path)
    unknown = sorted(set(raw) - {"name", "description", "labels", "score_label", "fillers", "tests"})
    if unknown:
        raise AuditError(BAD_SUITE.format(path=path, problem=f"unknown key(s) {', '.join(unknown)}; allowed: name, "
                                                            "description, labels, score_label, fillers, tests."))
    labels = _strings(raw.get("labels"), path, "labels")
    score_label = raw.get("score_label")
    if score_label is not None and score_label not in labels:
        raise AuditError(BAD_SUITE.format(path=path, problem=f"score_label {score_label!r} is not among labels."))
    fillers_raw = raw.get("fillers") or {}
    if not isinstance(fillers_raw, dict):
        raise AuditError(BAD_SUITE.format(path=path, problem="fillers must map names to lists of values."))
    fillers = {str(k): _strings(v, path, f"filler '{k}'") for k, v in fillers_raw.items()}
    if not isinstance(raw.get("tests"), list) or not raw["tests"]:
        raise AuditError(BAD_SUITE.format(path=path, problem="needs a non-empty list of tests."))
    tests = tuple(_test(t, path, fillers, axes, labels) for t in raw["tests"])
    names = [t.name for t in tests]
    if len(set(names)) != len(names):
        raise AuditError(BAD_SUITE.format(path=path, problem="test names must be unique."))
    return Suite(str(raw.get("name") or path.stem), str(path), kind, labels, score_label,
                 str(raw.get("description") or ""), fillers, tests)
