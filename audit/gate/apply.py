"""Evaluate a policy on a results document and write every output beside the results.

Shared by ``audit gate`` and ``audit run --gate`` so both leave the same files: the ``gate``
block in results.json (saved atomically), OUT/gate/junit.xml, OUT/gate/summary.md (also
appended to $GITHUB_STEP_SUMMARY when set) and report.html / report.md re-rendered with the gate.
"""

from __future__ import annotations

from pathlib import Path

from audit.core.fileio import atomic_write_text
from audit.gate.evaluate import evaluate_gate
from audit.gate.junit import to_junit
from audit.gate.policy import Policy
from audit.gate.summary import to_markdown, write_job_summary

GATE_DIR = "gate"


def apply_gate(policy: Policy, doc: dict, results_dir: str | Path, *, baseline: str | None = None,
               junit: str | Path | None = None, summary: str | Path | None = None,
               reports: bool = True) -> tuple[dict, dict[str, Path]]:
    """Evaluate, store the block in ``doc`` and write the outputs; returns (gate block, paths written)."""
    from audit.core.results import RESULTS_FILE, dumps

    results_dir = Path(results_dir)
    gate = evaluate_gate(policy, doc, results_dir, baseline=baseline)
    doc["gate"] = gate
    paths = {"results": results_dir / RESULTS_FILE,
             "junit": Path(junit) if junit else results_dir / GATE_DIR / "junit.xml",
             "summary": Path(summary) if summary else results_dir / GATE_DIR / "summary.md"}
    atomic_write_text(paths["results"], dumps(doc))
    atomic_write_text(paths["junit"], to_junit(gate))
    markdown = to_markdown(gate)
    atomic_write_text(paths["summary"], markdown)
    job = write_job_summary(markdown)
    if job is not None:
        paths["job_summary"] = job
    if reports:
        from audit.reports import write_reports

        paths.update(write_reports(doc, results_dir))
    return gate, paths
