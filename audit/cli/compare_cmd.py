"""`audit compare`: saved runs side by side, from their results files alone (no model is loaded)."""

from __future__ import annotations

import click

from audit.cli import debug_option


@click.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory for compare.json, .html and .md.")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="A name per run, in order (repeat; default: each results directory's name).")
@click.option("--baseline", metavar="RUN/MODEL", help="The column the others are tested against [default: the first].")
@click.option("--allow-different-data", is_flag=True,
              help="Compare runs audited on different or unverifiable data (the report warns; only columns on "
                   "the baseline's data get a verdict).")
@debug_option
def compare(runs, out, names, baseline, allow_different_data) -> None:
    """Compare RUNS (results.json files or their directories): metrics aligned by probe.metric,
    with McNemar's test and Newcombe's paired score interval of the accuracy difference where
    per-example predictions were saved."""
    import shlex
    import sys
    from pathlib import Path

    from audit.reports.compare import write_comparison

    from audit.compare import compare_runs
    from audit.core.errors import AuditError

    if Path(out).exists() and not Path(out).is_dir():
        raise AuditError(f"Output path '{out}' is a file; pass --out with a directory path.")
    doc = compare_runs(list(runs), names=list(names) or None, baseline=baseline,
                       allow_different_data=allow_different_data, command=" ".join(shlex.quote(a) for a in ["audit", *sys.argv[1:]]))
    paths = write_comparison(doc, out)
    for test in doc["paired"]:
        click.echo(f"{test['column']} vs {test['baseline']} on {test['address']}: {test['verdict'] or 'no CI'}")
    click.echo(f"JSON:     {paths['json']}\nHTML:     {paths['html']}\nMarkdown: {paths['markdown']}")
