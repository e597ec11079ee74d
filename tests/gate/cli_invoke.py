"""One way to run the CLI in gate tests, refusing crashes: CliRunner reports an uncaught exception
as exit code 1, the same code as a failed gate, so without this a crash could pass for a verdict."""

from __future__ import annotations

from click.testing import CliRunner

from audit.cli import main


def invoke(*args: str):
    res = CliRunner().invoke(main, list(args), catch_exceptions=True)
    assert res.exception is None or isinstance(res.exception, SystemExit), f"crashed: {res.exception!r}\n{res.output}"
    return res
