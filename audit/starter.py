"""The starter config `audit init` writes, generated from the registry so it never drifts."""

from __future__ import annotations

import dataclasses
import inspect
import re

import yaml

HEADER = """\
# audit config. Run with: audit run --config THIS_FILE
# Command-line flags override these values. Unknown keys are rejected.
seed: 0              # seeds sampling, bootstrap resamples and perturbations
out: audit-out       # results.json, report.html and report.md go here
device: auto         # auto | cpu | cuda | mps

data:
  source: data/dev.csv   # CSV, TSV, JSONL, Parquet, or a hub dataset name[:config][:split]
  # text_col: text       # found automatically among text/sentence/review/comment/content
  # text_pair_col: sentence2  # sentence pairs: the second text (sentence1/sentence2, premise/hypothesis ... are found)
  # label_col: label     # found automatically among label/labels/target/class
  # id_col: id
  # sensitive: [group]   # sensitive-attribute columns for fairness probes
  # extra_cols: [source] # other columns kept as they are: the slices probe slices by their values
  # label_map: {0: negative, 1: positive}
  # limit: 1000          # stratified sample

models:
  - name: candidate
    spec: ./models/candidate        # HF model dir or hub id, .skops file, or package.module:function
    # labels: [negative, positive]  # required for callables; overrides a HF model's id2label
    # max_length: 128
    # batch_size: 32
    # kind: huggingface             # the adapter by name (a plug-in's too); default: chosen from the spec
  # - name: production
  #   spec: ./models/production

# plugins: [my_audit_plugin]   # modules imported first; they register probes and model adapters (docs/contributing.md)

# governance:   # model-card text for the governance record (`audit record`; see docs/governance.md)
#   model_details: Fine-tuned MiniLM sentiment classifier, v3, trained on 2026-10 reviews.
#   owner: Reviews ML team
#   contact: ml-reviews@example.com
#   intended_use: Rank customer film reviews by sentiment for the weekly digest.
#   out_of_scope_uses: [Moderating or removing user content, Decisions about individual people]
#   evaluation_data: Held-out reviews from the same source, balanced by persona.
#   limitations: [English only]
#   ethical_considerations: [Reviews mention gender and religion; check the fairness sections]
#   reviewers: [{name: A. Reviewer, role: Model risk}]

# findings:     # the rules that turn results into findings (docs/findings.md); every key has a default
#   q: 0.05                        # Benjamini-Hochberg false discovery rate over all tested findings
#   noise_drop: {tolerance: 0.02}  # accuracy may fall 2 points under noise
#   attack_success: {tolerance: 0.5}
#   explain_faithfulness: false    # a rule switched off

probes:   # remove a probe to skip it; omit this block to run every probe with defaults
"""


def _comments(config_cls: type) -> dict[str, str]:
    """The trailing ``# comment`` of each field in the Config source: the docs live in the code."""
    try:
        source = inspect.getsource(config_cls)
    except (OSError, TypeError):
        return {}
    found = {}
    for line in source.splitlines():
        m = re.match(r"\s+(\w+):[^#]*#\s*(.+)$", line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def _default(field: dataclasses.Field):
    value = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[misc]
    return list(value) if isinstance(value, tuple) else value


def yaml_default(field: dataclasses.Field) -> str:
    """A config field's default as it is written in YAML (flow style, one line)."""
    return yaml.safe_dump(_default(field), default_flow_style=True, width=float("inf")).strip().removesuffix("\n...").strip()


def config_lines(config_cls: type, indent: str) -> list[str]:
    """``key: default   # what it does`` for every field of a probe's Config."""
    notes = _comments(config_cls)
    return [f"{indent}{f.name}: {yaml_default(f)}" + (f"   # {notes[f.name]}" if f.name in notes else "")
            for f in dataclasses.fields(config_cls)]


def starter_config() -> str:
    from audit.probes.registry import all_probes

    lines = [HEADER.rstrip("\n")]
    for cls in all_probes().values():
        lines.append(f"  {cls.name}:   # {cls.description}")
        lines += config_lines(cls.Config, "    ")
    return "\n".join(lines) + "\n"
