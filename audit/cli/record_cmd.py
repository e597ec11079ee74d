"""`audit record`: the governance record and a model-index block from a saved results file."""

from __future__ import annotations

import click

from audit.cli import debug_option


@click.command("record")
@click.argument("results", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), help="Directory for the record [default: beside RESULTS].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="YAML file whose 'governance' section supplies the model-card text (overrides the run's).")
@click.option("--model", "models", multiple=True, metavar="ID",
              help="Export only these models' model-index blocks (repeatable).")
@debug_option
def record(results: str, out: str | None, config_file: str | None, models: tuple[str, ...]) -> None:
    """Write governance.html, governance.md and a model-index block per model from RESULTS (a
    results.json or its directory): model-index.yaml for one model, model-index--ID.yaml for each
    of several. No model is loaded."""
    import dataclasses
    import hashlib
    from pathlib import Path

    from audit.reports.governance import write_governance
    from audit.core.document import model_ids

    from audit.core.errors import AuditError, did_you_mean
    from audit.core.results import RESULTS_FILE, load_results

    from audit.findings import add_findings
    from audit.predictions.paired_verdicts import add_paired

    doc = load_results(results)
    path = Path(results) / RESULTS_FILE if Path(results).is_dir() else Path(results)
    add_paired(doc, path.parent, keep=True)  # older results: paired verdicts from the sidecars, in memory only
    add_findings(doc, keep=True)  # and their findings
    target = Path(out) if out else path.parent
    if target.exists() and not target.is_dir():
        raise AuditError(f"Output path '{target}' is a file; pass --out with a directory path.")
    for m in models:
        if m not in model_ids(doc):
            raise AuditError(did_you_mean("model", m, model_ids(doc)) + " Pass a model id from the results to --model.")
    governance, source = None, None
    if config_file:
        from audit.config import parse_governance, read_yaml

        raw = read_yaml(config_file)
        if "governance" not in raw:
            raise AuditError(f"{config_file} has no 'governance' section; add one (see configs/governance.yaml).")
        governance = dataclasses.asdict(parse_governance(raw["governance"], config_file) or _empty())
        source = f"{config_file} (passed to `audit record --config`)"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    paths = write_governance(doc, target, governance, source=source, results_sha256=digest, models=list(models) or None,
                             results_dir=path.parent)
    click.echo(f"HTML:        {paths['governance_html']}\nMarkdown:    {paths['governance_markdown']}")
    for index in paths["model_indexes"]:
        click.echo(f"model-index: {index}")


def _empty():
    from audit.config import GovernanceConfig

    return GovernanceConfig()
