"""`audit init`: write a commented starter config generated from the probe registry."""

from __future__ import annotations

from pathlib import Path

import click

from audit.cli import debug_option


@click.command("init")
@click.argument("path", default="audit.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@debug_option
def init(path: str, force: bool) -> None:
    """Write a commented starter config to PATH [default: audit.yaml]."""
    from audit.core.errors import AuditError
    from audit.starter import starter_config

    target = Path(path)
    if target.exists() and not force:
        raise AuditError(f"{target} already exists; pass --force to overwrite it or choose another path.")
    target.write_text(starter_config(), encoding="utf-8")
    click.echo(f"Wrote {target}. Edit data.source and models, then: audit run --config {target}")
