"""`audit report`: re-render reports from a saved results file, without any model."""

from __future__ import annotations

from pathlib import Path

import click

from audit.cli import debug_option


@click.command("report")
@click.argument("results", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), help="Directory for the reports [default: beside RESULTS].")
@click.option("--markdown", "markdown_style", type=click.Choice(["compact", "full"]), default="compact", show_default=True,
              help="report.md: compact fits a pull-request comment (verdict, findings, scorecard and gate, each "
                   "probe's detail folded, under 60,000 characters); full writes every section out.")
@debug_option
def report(results: str, out: str | None, markdown_style: str) -> None:
    """Render report.html and report.md from RESULTS (a results.json or the directory holding it)."""
    from audit.reports import write_reports

    from audit.findings import add_findings
    from audit.predictions.paired_verdicts import add_paired
    from audit.core.results import load_results

    doc = load_results(results)
    folder = Path(results) if Path(results).is_dir() else Path(results).parent
    add_paired(doc, folder, keep=True)  # results older than the paired blocks: computed, not saved
    add_findings(doc, keep=True)  # likewise the findings (they read the paired blocks)
    target = Path(out) if out else folder
    if target.exists() and not target.is_dir():
        from audit.core.errors import AuditError

        raise AuditError(f"Output path '{target}' is a file; pass --out with a directory path.")
    from audit.core.outlock import hold_out_dir

    with hold_out_dir(target):
        paths = write_reports(doc, target, markdown=markdown_style)
    click.echo(f"HTML:     {paths['html']}\nMarkdown: {paths['markdown']}")
