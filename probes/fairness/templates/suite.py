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

BUILTIN = ("sentiment", "toxicity", "inference")
PAIR_DEFAULT = "inference"  # the suite used on sentence-pair data when none is chosen
TYPES = ("MFT", "INV", "DIR")
DIRECTIONS = ("up", "down")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NAME = re.compile(r"([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?")

SUITE_MISSING = "Template suite '{suite}' not found: use sentiment, toxicity, inference, or a path to a .yaml suite or .csv file."
SUITE_KIND = "Template suite '{path}' must be a .yaml/.yml suite or a .csv file of cases, not '{ext}'."
BAD_YAML = "Malformed template suite {where}: {problem}. Fix the YAML there."
BAD_SUITE = "Template suite {path}: {problem}"
UNKNOWN_PLACEHOLDER = ("Template suite {path}, test '{test}': template {template!r} uses unknown placeholder "
                       "'{{{name}}}'; define it under fillers, or use an identity slot such as {{religion.adjective}}.")
MIXED_PAIRS = ("Template suite {path}, test '{test}': template {template!r} has no template_pair but others in this "
               "suite have one; give every template a template_pair (a pair suite) or none.")
BAD_PAIR = ("Template suite {path}, test '{test}': a pair template must be a mapping with exactly the strings "
            "template and template_pair (perturbed and perturbed_pair belong to DIR tests); got {template!r}.")
BAD_PAIR_DIR = ("Template suite {path}, test '{test}': a DIR template in a pair suite must be a mapping with the strings "
                "template and template_pair (the base) and perturbed and/or perturbed_pair (the changed texts; one "
                "left out stays as its base); got {template!r}.")
NO_CHANGE = ("Template suite {path}, test '{test}': DIR template {template!r} changes neither text; give perturbed or "
             "perturbed_pair a text that differs from its base.")
NO_IDENTITY = ("Template suite {path}, test '{test}': INV template {template!r} has no identity placeholder "
               "({{axis.slot}}), so there is nothing to vary.")


@dataclass(frozen=True)
class Test:
    name: str
    type: str  # MFT | INV | DIR
    description: str = ""
    label: str | None = None  # MFT: the expected label; DIR: the class whose probability moves
    direction: str | None = None  # DIR: up | down
    templates: tuple = ()  # str, or (base, perturbed) for DIR; a pair suite: (template, template_pair), and
    # (template, template_pair, perturbed, perturbed_pair) for DIR


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
    pair: bool = False  # every case has two texts (template and template_pair; a text_pair column)


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
    if any(_pair_like(t) for t in templates):
        return _pair_test(raw, name, kind, label, direction, templates, path, fillers, axes)
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


PAIR_KEYS = ("template", "template_pair")
PERTURBED_KEYS = ("perturbed", "perturbed_pair")


def _pair_texts(t, kind: str, name: str, path) -> tuple[str, ...]:
    """(template, template_pair), plus (perturbed, perturbed_pair) for DIR, a left-out side as its base."""
    is_dir = kind == "DIR"
    keys = set(t) if isinstance(t, dict) else set()
    ok = keys >= set(PAIR_KEYS) and keys <= set(PAIR_KEYS + PERTURBED_KEYS if is_dir else PAIR_KEYS)
    if not ok or (is_dir and not keys & set(PERTURBED_KEYS)) or not all(isinstance(v, str) and v for v in t.values()):
        raise AuditError((BAD_PAIR_DIR if is_dir else BAD_PAIR).format(path=path, test=name, template=t))
    texts = tuple(t[k] for k in PAIR_KEYS)
    if not is_dir:
        return texts
    perturbed = tuple(t.get(k, base) for k, base in zip(PERTURBED_KEYS, texts))
    if perturbed == texts:
        raise AuditError(NO_CHANGE.format(path=path, test=name, template=t))
    return texts + perturbed


def _pair_test(raw, name, kind, label, direction, templates, path, fillers, axes) -> Test:
    """A test of a pair suite: each template a mapping {template: ..., template_pair: ...}; a DIR
    template adds perturbed and/or perturbed_pair."""
    out = []
    for t in templates:
        if isinstance(t, str):
            raise AuditError(MIXED_PAIRS.format(path=path, test=name, template=t))
        texts = _pair_texts(t, kind, name, path)
        for text in texts:
            check_template(text, name, path, fillers, axes)
        if kind == "INV" and not any(slot for text in texts for _, slot in placeholders(text)):
            raise AuditError(NO_IDENTITY.format(path=path, test=name, template=t))
        out.append(texts)
    return Test(name, kind, str(raw.get("description") or ""), label, direction, tuple(out))


def _pair_like(t) -> bool:
    """A pair template, or a list holding one (a malformed pair DIR template, e.g. [base, perturbed] mappings)."""
    return isinstance(t, dict) or (isinstance(t, list) and any(isinstance(x, dict) for x in t))


def _is_pair(test_raw) -> bool:
    return any(isinstance(t, dict) for t in test_raw.get("templates") or [])


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
    pair = [_is_pair(t) for t in raw["tests"]]
    if any(pair) and not all(pair):
        odd = next(t for t, p in zip(tests, pair) if not p)
        message = BAD_PAIR_DIR if odd.type == "DIR" else MIXED_PAIRS  # [base, perturbed] strings in a pair suite
        first = odd.templates[0]
        raise AuditError(message.format(path=path, test=odd.name, template=list(first) if odd.type == "DIR" else first))
    names = [t.name for t in tests]
    if len(set(names)) != len(names):
        raise AuditError(BAD_SUITE.format(path=path, problem="test names must be unique."))
    return Suite(str(raw.get("name") or path.stem), str(path), kind, labels, score_label,
                 str(raw.get("description") or ""), fillers, tests, pair=all(pair))
