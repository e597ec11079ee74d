"""`audit run`: the one command an engineer runs before a release."""

from __future__ import annotations

import contextlib

import click

from audit.cli import debug_option
from audit.core.bounds import SEED_MAX
from audit.core.errors import AuditError


# The demo's model names (audit/demo/pipeline.py run_demo), for checking a --gate policy before training.
DEMO_MODELS = ("minilm-finetuned", "tfidf-logreg")

# Flags that only make sense with your own models and data: the demo refuses them.
DEMO_IGNORES = {
    "--text-col": "text_col", "--text-pair-col": "text_pair_col", "--label-col": "label_col", "--id-col": "id_col", "--sensitive": "sensitive",
    "--label-map": "label_map", "--limit": "limit", "--labels": "labels", "--label-value": "label_value",
    "--data-key": "data_key", "--encoding": "encoding",
    "--trust-model": "trust_model",
    "--trust-remote-code": "trust_remote_code", "--resume": "resume",
}


@click.command("run")
@click.option("--model", "models", multiple=True, metavar="[NAME=]SPEC",
              help="A model directory, hub id, .skops file or package.module:function. Repeat to compare.")
@click.option("--data", "data_source", metavar="SOURCE", help="CSV, TSV, JSONL, Parquet file or hub dataset name[:config][:split].")
@click.option(
    "--text-col", "text_col", multiple=True, metavar="COL",
    help="Text column (default: a known pair such as sentence1/sentence2 or premise/hypothesis, else one of "
         "text/sentence/review/comment/content).")
@click.option("--text-pair-col", metavar="COL",
              help="Second text of a sentence pair (paraphrase, inference): the model gets (text, text pair).")
@click.option("--label-col", help="Label column (default: found among label/labels/target/class).")
@click.option("--id-col", help="Example id column (default: row number).")
@click.option("--sensitive", "sensitive", multiple=True, metavar="COL", help="Sensitive-attribute column for fairness probes (repeatable).")
@click.option("--label-map", "label_map", multiple=True, metavar="RAW=NAME",
              help="Map a dataset label to a model label, e.g. 0=negative (repeatable).")
@click.option("--probe", "probes", multiple=True, metavar="NAME", help="Run only these probes (repeatable). Default: all.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="YAML audit config (see `audit init`).")
@click.option("--out", help="Output directory for results.json and reports [default: audit-out].")
@click.option("--seed", type=click.IntRange(0, SEED_MAX), help="Seed for sampling, bootstrap and perturbations [default: 0].")
@click.option("--limit", type=int, help="Audit a stratified sample of N examples.")
@click.option("--labels", "labels", metavar="NAME,NAME,...",
              help="Class names of the --model(s), in output order (a callable declares its labels this way).")
@click.option("--label-value", metavar="NAME", help="The one label of every example: for a .txt file (one text per "
              "line) or data without a label column.")
@click.option("--data-key", metavar="KEY", help="The entry of a JSON file keyed by task (e.g. sst2 in AdvGLUE's dev.json).")
@click.option("--encoding", metavar="CODEC", help="Encoding of a text data file that is not UTF-8 (e.g. latin-1).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), help="Where transformers run [default: auto].")
@click.option("--trust-model", is_flag=True, help="Allow pickle/joblib model files (unpickling runs code).")
@click.option("--trust-remote-code", is_flag=True, help="Allow a hub model's own Python code to run.")
@click.option("--resume", is_flag=True, help="Keep finished probe x model results in --out and run only the rest.")
@click.option("--gate", "gate_file", type=click.Path(dir_okay=False), metavar="POLICY",
              help="Check the results against a YAML gate policy; exit 1 when a check fails (see docs/gates.md).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", metavar="[ADDRESS]",
              help="Make the predictions on Ray: alone, a local instance with this machine's cores; 'auto' or "
                   "ray://HOST:10001 joins a cluster (docs/scale.md).")
@click.option("--ray-workers", type=click.IntRange(1, 4096), metavar="N",
              help="Ray actors per model, each holding the model once [default: the cluster's CPUs, or GPUs].")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@debug_option
def run(models, data_source, text_col, text_pair_col, label_col, id_col, sensitive, label_map, probes, config_file,
        out, seed, limit, labels, label_value, data_key, encoding, device, trust_model, trust_remote_code, resume, gate_file,
        ray_address, ray_workers, quiet):
    """Audit one or more models on a dataset and write results.json, report.html and report.md.

    With no --model and no --config, runs the embedded offline demo: it generates a review
    corpus, trains a fine-tuned MiniLM and a TF-IDF baseline (cached after the first run) and
    audits both side by side.

    Exit codes: 0 done (and the --gate passed); 1 the --gate failed; 2 bad input (nothing
    finished is lost); 3 a probe failed on a model (recorded in the report; wins over 1, as the
    audit itself is incomplete); 4 internal error (a bug in audit, not a verdict).
    """
    from audit.core.outlock import hold_out_dir
    from audit.core.progress import Display

    if limit is not None and limit <= 0:
        raise AuditError(f"--limit must be a positive number of examples, not {limit}.")
    from audit.api.execution import ray_settings

    ray = ray_settings(ray_address, ray_workers)  # a bad address stops here, before anything loads
    if not models and not config_file:
        policy = _load_policy(gate_file)
        if data_source:
            raise AuditError("--data was given without --model; pass --model SPEC too (or neither, for the demo).")
        given = click.get_current_context().params
        ignored = [flag for flag, param in DEMO_IGNORES.items() if given.get(param)]
        if ignored:
            raise AuditError(f"The demo (no --model) takes no {', '.join(ignored)}; drop it, or pass --model and --data.")
        from audit.demo.pipeline import run_demo
        from audit.runner import build_probes
        from audit.config import AuditConfig

        build_probes(AuditConfig(data={}, models=(), probes={p: {} for p in probes} or None))  # fail before training
        if policy is not None:
            from audit.gate.preflight import check_models

            check_models(policy, list(DEMO_MODELS))

        with hold_out_dir(out or "audit-out", on_takeover=_took_over), Display(quiet=quiet) as display, \
                rendering_what_finished(display):
            doc, out_dir = run_demo(display=display, out=out or "audit-out", seed=seed or 0, probes=list(probes) or None,
                                    device=device, ray=ray)
            return finish(doc, out_dir, display, policy)

    from audit.api import configure, execute
    from audit.runner import command_line

    cfg = configure(
        models=list(models) or None, data=data_source, probes=list(probes) or None, config=config_file, seed=seed,
        out=out, device=device, labels=parse_labels(labels), text_col=single_text_col(text_col, text_pair_col),
        text_pair_col=text_pair_col, label_col=label_col, id_col=id_col, sensitive=list(sensitive) or None,
        label_map=parse_label_map(label_map) or None, limit=limit, label_value=label_value, data_key=data_key,
        encoding=encoding, trust_model=trust_model, trust_remote_code=trust_remote_code, out_default="audit-out",
    )
    from audit.core.registry import load_plugins

    load_plugins(cfg.plugins)  # so the policy may name metrics of the config's plug-in probes
    policy = _load_policy(gate_file)
    if policy is not None:  # model ids in the policy must name configured models: checked before any loads
        from audit.gate.preflight import check_models
        from audit.models.loader import unique_names

        check_models(policy, unique_names(list(cfg.models)))
    with hold_out_dir(cfg.out, on_takeover=_took_over), Display(quiet=quiet) as display:
        with rendering_what_finished(display):
            result = execute(cfg, display=display, command=command_line(), resume=resume, ray=ray)
        finish(result.doc, result.folder, display, policy)


@contextlib.contextmanager
def rendering_what_finished(display):
    """An input error or an interrupt in a later probe still leaves the reports of every finished unit
    (the failing one shown as such) beside results.json; then the error goes on as usual."""
    try:
        yield
    except (AuditError, KeyboardInterrupt) as exc:
        partial = getattr(exc, "partial", None)
        if partial is not None:
            from audit.api.outputs import write_gate_outputs

            doc, out_dir = partial
            with contextlib.suppress(Exception):  # the original error matters more than a failed render
                paths = write_gate_outputs(None, doc, out_dir)
                display.out.print(f"Reports of the finished work: {paths['html']}, {paths['markdown']}", highlight=False)
        raise


def _took_over(pid: int) -> None:
    click.echo(f"Note: took over the output folder from an audit (pid {pid}) that ended without releasing it.", err=True)


def _load_policy(gate_file: str | None):
    """The --gate policy, or None; a bad policy fails here, before any data or model loads."""
    if not gate_file:
        return None
    from audit.gate.policy import load_policy

    return load_policy(gate_file)


def parse_labels(given: str | None) -> list[str] | None:
    """``--labels a,b``: the names, in order; empty or repeated names are bad input."""
    if given is None:
        return None
    names = [n.strip() for n in given.split(",")]
    if len(names) < 2 or not all(names) or len(set(names)) != len(names):
        raise AuditError(f"--labels {given!r} must name two or more distinct classes, comma-separated, e.g. "
                         "--labels negative,positive.")
    return names


def single_text_col(given: tuple[str, ...], pair_col: str | None) -> str | None:
    """The one --text-col; given twice it is a pair, which has its own flag (a silent pick would audit half)."""
    from audit.core.errors import AuditError

    if len(given) > 1:
        second = pair_col or given[1]
        raise AuditError(f"--text-col was given {len(given)} times ({', '.join(given)}); for sentence pairs pass "
                         f"the first with --text-col and the second with --text-pair-col, e.g. --text-col {given[0]} "
                         f"--text-pair-col {second}.")
    return given[0] if given else None


def parse_label_map(pairs: tuple[str, ...]) -> dict[str, str]:
    from audit.core.errors import AuditError

    mapping = {}
    for pair in pairs:
        raw, sep, name = pair.partition("=")
        if not sep or not raw or not name:
            raise AuditError(f"--label-map expects RAW=NAME (e.g. 0=negative), got '{pair}'.")
        if raw in mapping and mapping[raw] != name:
            raise AuditError(f"--label-map maps '{raw}' twice ({mapping[raw]}, {name}); give each label once.")
        mapping[raw] = name
    return mapping


def finish(doc, out_dir, display, policy=None) -> None:
    """Evaluate the gate (if any), store its verdict and render the reports once, print the summary
    and set the exit code. An input error in the gate (a baseline on other data: exit 2) or a crash
    of the gate (exit 4) still leaves the reports on disk, rendered without a verdict."""
    from audit.api.outputs import evaluate, write_gate_outputs
    from audit.cli.console_summary import print_summary
    from audit.runner import failed_units

    display.done()
    verdict = None
    if policy is not None:
        try:
            verdict = evaluate(policy, doc, out_dir)
        except BaseException:
            write_gate_outputs(None, doc, out_dir)
            raise
    # A resumed run's earlier verdict no longer describes these results: it is replaced or cleared.
    paths = write_gate_outputs(verdict, doc, out_dir)
    print_summary(doc, display.out)
    display.out.print(f"Results:  {out_dir / 'results.json'}\nHTML:     {paths['html']}\nMarkdown: {paths['markdown']}",
                      highlight=False)
    if "governance_html" in paths:
        record = [paths["governance_html"], paths["governance_markdown"], *paths["model_indexes"]]
        display.out.print("Record:   " + "\n          ".join(map(str, record)), highlight=False)
    if verdict is not None:
        from audit.cli.gate_cmd import print_verdict

        print_verdict(verdict)
        display.out.print(f"JUnit:    {paths['junit']}\nSummary:  {paths['summary']}", highlight=False)
    failed = failed_units(doc)
    if failed:
        display.console.print(f"[red]{len(failed)} probe run(s) failed: {', '.join(failed)}. See the report.[/red]")
        raise SystemExit(3)
    if verdict is not None and not verdict["passed"]:
        raise SystemExit(1)
