"""`audit resources`: what each attack recipe needs, what is present and where, and fetching.

Imports no torch and no textattack; looking resources up never downloads anything.
"""

from __future__ import annotations

import click

from audit.cli import debug_option


@click.command("resources")
@click.option("--fetch", "fetch_names", multiple=True, metavar="NAME",
              help="Fetch a resource (wordnet, glove, counterfit, synonyms, sentence_encoder, masked_lm, stopwords); "
                   "repeatable.")
@click.option("--constraints", type=click.Path(file_okay=False, exists=True), metavar="DIR",
              help="With --fetch counterfit: the folder of counter-fitting constraints (ppdb_synonyms.txt, "
                   "ppdb_antonyms.txt, wordnet_antonyms.txt) instead of $AUDIT_COUNTERFIT_CONSTRAINTS or a download.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Use the resource paths in this audit config (probes.attack.resources).")
@debug_option
def resources(fetch_names: tuple[str, ...], constraints: str | None, config_file: str | None) -> None:
    """List the offline resources of the attack recipes: present or missing, where, how to provide them.

    \b
    Each resource is looked up in probes.attack.resources of --config, then in its
    environment variable (AUDIT_WORDNET, AUDIT_GLOVE, AUDIT_COUNTERFIT, AUDIT_SYNONYMS,
    AUDIT_SENTENCE_ENCODER, AUDIT_MASKED_LM), then in its default places (installed packages, the
    NLTK path, earlier fetches and builds under $AUDIT_CACHE_DIR/resources). `--fetch counterfit`
    counter-fits the GloVe vectors to the constraints of Mrkšić et al. 2016 (--constraints DIR or
    AUDIT_COUNTERFIT_CONSTRAINTS offline; downloaded otherwise) and caches the build.
    """
    from audit.resources import catalog
    from audit.resources.fetch import fetch

    catalog.check_names(fetch_names)
    if constraints and "counterfit" not in fetch_names:
        raise click.UsageError("--constraints goes with --fetch counterfit.")
    overrides = _config_overrides(config_file) if config_file else None
    for name in fetch_names:
        where = fetch(name, log=lambda line: click.echo(line, err=True), constraints=constraints)
        click.echo(f"{name}: ready at {where}")
    if fetch_names:
        return
    show(overrides)


def show(overrides: dict | None) -> None:
    from audit.resources import catalog
    from audit.resources.recipes import RECIPES, needed_resources

    from audit.probes.registry import unavailable_lines

    for line in unavailable_lines(["attack"]):  # without TextAttack the recipes cannot run, whatever is found
        click.secho(line, fg="yellow")
    users = {name: [r.name for r in RECIPES.values() if name in needed_resources(r)] for name in catalog.RESOURCES}
    found = {name: catalog.locate(name, overrides) for name in catalog.RESOURCES}
    click.secho("Resources", bold=True)
    for name, res in catalog.RESOURCES.items():
        loc = found[name]
        mark = click.style("present", fg="green") if loc.present else click.style("missing", fg="red")
        click.echo(f"  {name:<17} {mark}  {res.what}")
        click.echo(f"    needed by: {', '.join(users[name]) or '—'}" + (f"   env: {res.env}" if res.env else ""))
        if loc.present:
            click.echo(f"    at: {loc.path}  ({loc.source})")
        else:
            extra = f" ({loc.source})" if loc.source else ""
            click.echo(f"    missing{extra}; to provide it: {res.provide}.")
    click.echo("")
    click.secho("Recipes", bold=True)
    for info in RECIPES.values():
        missing = [" or ".join(g) for g in info.needs if not any(found[n].present for n in g)]
        state = click.style("ready", fg="green") if not missing else click.style(f"needs {', '.join(missing)}", fg="red")
        origin = RECIPES.origin(info.name)
        about = [info.textattack_name, f"plug-in from {origin}" if origin else "",
                 "Hugging Face models only (input gradients)" if info.white_box else ""]
        click.echo(f"  {info.name:<12} {state}  ({'; '.join(a for a in about if a)})")
        if info.offline_note:
            click.echo(f"    offline: {info.offline_note}")


def _config_overrides(path: str) -> dict:
    from audit.config import read_yaml
    from audit.core.errors import AuditError

    raw = read_yaml(path)
    probes = raw.get("probes") or {}
    attack = probes.get("attack") if isinstance(probes, dict) else None
    mapping = (attack or {}).get("resources") if isinstance(attack, dict) else None
    if mapping is not None and not isinstance(mapping, dict):
        raise AuditError(f"probes.attack.resources in {path} must map resource names to paths.")
    return dict(mapping or {})
