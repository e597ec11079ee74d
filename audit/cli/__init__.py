"""The `audit` command line. Commands load lazily so `audit --help` imports no torch.

Every user-input problem surfaces as one line on stderr with exit code 2; ``--debug`` (on any
command) shows the traceback instead.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys

import click

from audit import __version__
from audit.core.errors import AuditError

# OpenMP threads that spin while idle make CPU torch several times slower when another process
# shares the cores (measured: 4x on MiniLM inference); set before anything imports torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# transformers 5 draws a tqdm "Loading weights" bar on stderr for every model it loads, in the
# middle of audit's own progress and one-line messages; set before transformers is imported, as
# it reads this once (HF_HUB_DISABLE_PROGRESS_BARS=0 brings the bars back, hub downloads' too).
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

COMMANDS = {
    "run": ("audit.cli.run_cmd", "run", "Audit one or more models on a dataset; no --model runs the demo."),
    "train": ("audit.cli.train_cmd", "train", "Fine-tune a transformer or fit a TF-IDF baseline on a labelled dataset."),
    "report": ("audit.cli.report_cmd", "report", "Re-render report.html and report.md from a saved results.json."),
    "gate": ("audit.cli.gate_cmd", "gate", "Check a results file against a YAML policy; exit 1 when a check fails."),
    "compare": ("audit.cli.compare_cmd", "compare", "Compare saved audit runs side by side, with paired tests where predictions exist."),
    "record": ("audit.cli.record_cmd", "record", "Write a governance record and a model-index block from a saved results file."),
    "probes": ("audit.cli.probes_cmd", "probes", "List the probes, their metrics and config keys."),
    "init": ("audit.cli.init_cmd", "init", "Write a commented starter config."),
    "resources": ("audit.cli.resources_cmd", "resources", "List, check and fetch the offline resources attack recipes need."),
}


INTERNAL_ERROR = 4  # exit code of a crash: distinct from 1 (gate failed), 2 (bad input) and 3 (a probe failed)
BROKEN_PIPE = 141  # what a shell reports for a writer killed by SIGPIPE


class InputError(click.ClickException):
    """An AuditError as click shows it: `Error: <message>` on stderr, exit code 2."""

    exit_code = 2


def debug_requested() -> bool:
    return "--debug" in sys.argv[1:]


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table above, so `audit --help` imports no command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, _, help_) in COMMANDS.items()])

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        """click's, except that a closed pipe during group-level output (`audit --help | true`, written
        while the arguments are parsed) exits 141 like SIGPIPE rather than click's 1, which a CI job
        would read as "the gate failed". Caught here, before click's ``main`` sees it (click 8.5.1
        no longer chains the pipe error to its exit)."""
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            raise SystemExit(BROKEN_PIPE) from None

    def invoke(self, ctx: click.Context):
        debug = lambda: debug_requested() or ctx.meta.get("audit.debug")  # noqa: E731  (set while parsing)
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            if debug():
                raise
            raise InputError(str(exc)) from None
        except BrokenPipeError:  # `audit probes | head`: the reader left early; not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            ctx.exit(BROKEN_PIPE)
        except OSError as exc:  # a path the user gave cannot be read or written
            if debug():
                raise
            if exc.filename is None:
                internal_error(ctx, exc)
            raise InputError(f"Cannot use '{exc.filename}': {exc.strerror}. Check the path and its permissions.") from None
        except KeyboardInterrupt:
            if debug():
                raise
            if ctx.invoked_subcommand == "run":
                click.echo("Interrupted. Finished work is saved in the output directory; rerun with --resume to continue.",
                           err=True)
            else:  # only `audit run` resumes; the other commands are quick to run again
                click.echo(f"Interrupted. Run `audit {ctx.invoked_subcommand}` again to finish (it starts over; only "
                           "`audit run` has --resume).", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: never let it read as exit 1, "the gate failed"
            if debug():
                raise
            internal_error(ctx, exc)


def internal_error(ctx: click.Context, exc: BaseException) -> None:
    """A bug in audit, not bad input and not a verdict on a model: one line and exit 4."""
    click.echo(f"Error: internal error ({type(exc).__name__}: {exc}). This is a bug in audit, not a verdict on the "
               "model; finished work is kept. Rerun with --debug for the traceback and report it.", err=True)
    ctx.exit(INTERNAL_ERROR)


def debug_option(f):
    """``--debug``: show tracebacks instead of one-line errors."""

    def remember(ctx: click.Context, _param, value: bool) -> bool:
        if value:
            ctx.meta["audit.debug"] = True
        return value

    return click.option(
        "--debug", is_flag=True, expose_value=False, callback=remember, is_eager=True,
        help="Show the full traceback on errors.",
    )(f)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audit")
def main() -> None:
    """Robustness and fairness audits for text classifiers.

    \b
    Quick start:
      audit run                                   # the offline demo: trains two models, audits them
      audit run --model ./candidate --model prod=./production --data dev.tsv
      audit report audit-out/results.json         # re-render reports without any model
    """
