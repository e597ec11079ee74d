"""``AuditResult``: one audit's results as Python objects, from a run or from a saved results.json.

The results document stays the single source of truth: the DataFrames are views of it, ``write``
renders the same reports ``audit run`` writes, and ``gate`` evaluates the same policy ``audit gate``
does. ``audit.load(path)`` gives the same object for a saved run, without any model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audit.core.document import model_ids, probes_of, spec_for, status_of
from audit.core.errors import AuditError
from audit.core.results import PREDICTIONS_DIR, load_results

FINDING_COLUMNS = ["status", "severity", "probe", "metric", "model", "baseline", "rule", "title", "value", "ci_low",
                   "ci_high", "p_value", "p_adjusted", "reason"]
METRIC_COLUMNS = ["probe", "metric", "model", "value", "ci_low", "ci_high", "higher_is_better", "headline"]


class AuditResult:
    """Results of one audit: ``metrics`` (tidy DataFrame), ``predictions(...)``, ``units``, ``write()``, ``gate()``."""

    def __init__(self, doc: dict[str, Any], folder: str | Path) -> None:
        self.doc = doc
        self.folder = Path(folder)

    # ------------------------------------------------------------------ what was audited
    @property
    def run_id(self) -> str:
        return str((self.doc.get("run") or {}).get("id", ""))

    @property
    def models(self) -> list[str]:
        return model_ids(self.doc)

    @property
    def probes(self) -> list[str]:
        return [str(p.get("name")) for p in probes_of(self.doc)]

    @property
    def passed(self) -> bool | None:
        """The gate's verdict, or None when no gate was evaluated."""
        gate = self.doc.get("gate")
        return bool(gate["passed"]) if isinstance(gate, dict) and "passed" in gate else None

    # ------------------------------------------------------------------ tables
    @property
    def metrics(self) -> Any:
        """Every metric of every probe x model: probe, metric, model, value, ci_low, ci_high, higher_is_better, headline."""
        import pandas as pd

        rows = []
        for probe in probes_of(self.doc):
            results = probe.get("results") or {}
            for model in self.models:
                metrics = (results.get(model) or {}).get("metrics") or {}
                for name, m in metrics.items():
                    if not isinstance(m, dict):
                        continue
                    spec = spec_for(probe, name) or {}
                    given = m.get("ci")
                    ci = given if isinstance(given, list) and len(given) == 2 else [None, None]
                    hib = m.get("higher_is_better", spec.get("higher_is_better"))
                    rows.append([probe.get("name"), name, model, _number(m.get("value")), _number(ci[0]), _number(ci[1]),
                                 hib, bool(spec.get("headline"))])
        return pd.DataFrame(rows, columns=METRIC_COLUMNS)

    @property
    def units(self) -> Any:
        """One row per probe x model: status (ok, not_applicable, error, missing), reason, duration_s."""
        import pandas as pd

        rows = []
        for probe in probes_of(self.doc):
            for model in self.models:
                status, reason = status_of(probe, model)
                res = (probe.get("results") or {}).get(model) or {}
                rows.append([probe.get("name"), model, status, reason, res.get("duration_s")])
        return pd.DataFrame(rows, columns=["probe", "model", "status", "reason", "duration_s"])

    @property
    def findings(self) -> Any:
        """The findings block's items (what each rule found, passed or could not test), ranked as in the report."""
        import pandas as pd

        block = self.doc.get("findings") or {}
        rows = []
        for item in block.get("items") or []:
            ci = item.get("ci") if isinstance(item.get("ci"), list) and len(item["ci"]) == 2 else [None, None]
            rows.append([item.get(k) for k in FINDING_COLUMNS[:8]] + [_number(item.get("value")), _number(ci[0]),
                                                                    _number(ci[1]), item.get("p_value"),
                                                                    item.get("p_adjusted"), item.get("reason")])
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

    def predictions(self, probe: str = "metrics", model: str | None = None) -> Any:
        """The per-example predictions ``probe`` saved (one row per example, a ``model`` column first)."""
        import pandas as pd

        entry = next((p for p in probes_of(self.doc) if p.get("name") == probe), None)
        if entry is None:
            raise AuditError(f"No probe '{probe}' in this audit; it ran: {', '.join(self.probes) or '(none)'}.")
        wanted = [model] if model is not None else self.models
        frames = []
        for mid in wanted:
            res = (entry.get("results") or {}).get(mid)
            if res is None and model is not None:
                raise AuditError(f"No model '{model}' in this audit; its models: {', '.join(self.models)}.")
            rel = (res or {}).get("predictions_file")
            if not rel:
                continue
            path = self.folder / rel
            if not path.is_file():
                raise AuditError(f"Predictions file {path} is missing; results.json expects it beside it.")
            with open(path, encoding="utf-8") as fh:
                rows = [json.loads(line) for line in fh if line.strip()]
            frames.append(pd.DataFrame(rows).assign(model=mid))
        if not frames:
            return pd.DataFrame(columns=["model"])
        out = pd.concat(frames, ignore_index=True)
        return out[["model", *[c for c in out.columns if c != "model"]]]

    # ------------------------------------------------------------------ gate and files
    def gate(self, policy: str | Path | Mapping[str, Any], *, baseline: str | Path | None = None) -> dict[str, Any]:
        """Evaluate a gate policy (a YAML file or the same mapping); the verdict is kept for ``write()``."""
        from audit.gate.evaluate import evaluate_gate
        from audit.gate.metric_lookup import known_specs
        from audit.gate.policy import load_policy, policy_from_mapping

        specs = known_specs(self.doc)
        parsed = policy_from_mapping(dict(policy), specs) if isinstance(policy, Mapping) else load_policy(policy, specs)
        verdict = evaluate_gate(parsed, self.doc, self.folder, baseline=str(baseline) if baseline else None)
        self.doc["gate"] = verdict
        return verdict

    def write(self, out_dir: str | Path | None = None) -> dict[str, Path]:
        """results.json, its predictions, report.html and report.md (and the gate's JUnit and summary
        after ``gate()``) in ``out_dir`` (default: the folder the audit ran in); returns the paths."""
        from audit.api.outputs import write_gate_outputs
        from audit.core.outlock import hold_out_dir

        target = Path(out_dir) if out_dir is not None else self.folder
        if target.exists() and not target.is_dir():
            raise AuditError(f"Output path '{target}' is a file; pass a directory.")
        with hold_out_dir(target):
            if target.resolve() != self.folder.resolve():
                target.mkdir(parents=True, exist_ok=True)
                if (self.folder / PREDICTIONS_DIR).is_dir():
                    shutil.copytree(self.folder / PREDICTIONS_DIR, target / PREDICTIONS_DIR, dirs_exist_ok=True)
            paths = write_gate_outputs(self.doc.get("gate"), self.doc, target)
        return paths

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        units = self.units
        bad = units[units.status != "ok"]
        return (f"<AuditResult {self.run_id}: {len(self.models)} model(s) x {len(self.probes)} probe(s), "
                f"{len(units) - len(bad)} ok, {len(bad)} not ok; folder {self.folder}>")

    def _repr_html_(self) -> str:
        from audit.reports.notebook import render_scorecard_html

        return render_scorecard_html(self.doc)


def load(path: str | Path) -> AuditResult:
    """The AuditResult of a saved audit (a results.json or the folder holding it); no model loads."""
    from audit.findings import add_findings
    from audit.predictions.paired_verdicts import add_paired

    doc = load_results(path)
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    add_paired(doc, folder, keep=True)  # results older than the paired blocks: computed, not saved
    add_findings(doc, keep=True)  # likewise their findings
    return AuditResult(doc, folder)


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


__all__ = ["AuditResult", "load"]
