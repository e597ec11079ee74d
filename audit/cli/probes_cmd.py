"""`audit probes`: what each probe measures and how to configure it. Imports no torch."""

from __future__ import annotations

import click

from audit.cli import debug_option


@click.command("probes")
@click.argument("name", required=False)
@debug_option
def probes(name: str | None) -> None:
    """List the registered probes (or one probe), their metrics and config keys; plug-in probes say where they come from."""
    from audit.probes.registry import PROBES, all_probes, get_probe
    from audit.starter import config_lines

    classes = [get_probe(name)] if name else list(all_probes().values())
    for cls in classes:
        origin = PROBES.origin(cls.name)
        plugin = f", plug-in from {origin}" if origin else ""
        click.secho(f"{cls.name}", bold=True, nl=False)
        click.echo(f"  ({cls.family}, version {cls.version}{plugin})  {cls.description}")
        missing = cls.unavailable()  # a module it needs is not installed: a run skips it
        if missing:
            click.secho(f"  skipped in runs here: {missing}", fg="yellow")
        click.echo("  metrics (address as PROBE.METRIC in gates):")
        for spec in cls.metric_specs:
            better = {True: "higher is better", False: "lower is better", None: "informational"}[spec.higher_is_better]
            star = " *" if spec.headline else ""
            click.echo(f"    {cls.name}.{spec.name}{star}  — {spec.description} ({better})")
        click.echo("  config keys (YAML defaults):")
        for line in config_lines(cls.Config, "    "):
            click.echo(line)
        click.echo("")
    click.echo("* headline metric (shown in the scorecard)")
