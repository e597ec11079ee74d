"""Everything a run or a gate verdict leaves beside the results: for `audit run`, `audit gate` and `AuditResult.write`.

The gate itself only evaluates (``audit.gate.evaluate_gate`` returns its block); here the block
is stored through the results store, JUnit XML and summary.md are written (the summary also
appended to $GITHUB_STEP_SUMMARY) and the reports are rendered once, with the verdict in them.
"""

from __future__ import annotations

from pathlib import Path

from audit.core.fileio import atomic_write_text
from audit.core.results import RESULTS_FILE, ResultsStore

GATE_DIR = "gate"


def evaluate(policy, doc: dict, results_dir: Path, *, baseline: str | None = None) -> dict:
    """The gate block for ``doc`` (no file written: a bad baseline or a crash leaves nothing half-done)."""
    from audit.gate.evaluate import evaluate_gate

    return evaluate_gate(policy, doc, results_dir, baseline=baseline)


def write_gate_outputs(gate: dict | None, doc: dict, results_dir: Path, *, junit: str | None = None,
                       summary: str | None = None, reports: bool = True, markdown_style: str = "compact") -> dict[str, Path]:
    """Store ``gate`` in results.json, write its JUnit and Markdown files, render the reports; paths written."""
    from audit.reports import write_reports

    ResultsStore(results_dir, doc).set_gate(gate)
    paths: dict[str, Path] = {"results": results_dir / RESULTS_FILE}
    if gate is not None:
        from audit.gate.junit import to_junit
        from audit.reports.gate_summary import to_markdown, write_job_summary

        paths["junit"] = Path(junit) if junit else results_dir / GATE_DIR / "junit.xml"
        paths["summary"] = Path(summary) if summary else results_dir / GATE_DIR / "summary.md"
        atomic_write_text(paths["junit"], to_junit(gate))
        markdown = to_markdown(gate)
        atomic_write_text(paths["summary"], markdown)
        job = write_job_summary(markdown)
        if job is not None:
            paths["job_summary"] = job
    if reports:
        paths.update(write_reports(doc, results_dir, markdown=markdown_style))
    return paths
