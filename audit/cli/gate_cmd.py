"""`audit gate`: check a saved results file against a YAML policy, for CI.

Exit codes: 0 every check passed; 1 a check failed or could not be evaluated, or nothing was
evaluated; 2 bad input (policy, results, baseline or predictions file); 4 the gate itself crashed
(a bug: CI must not read it as a model that is not good enough). No model is loaded.
"""

from __future__ import annotations

from pathlib import Path

import click

from audit.cli import debug_option

GATE_FAILED = 1


@click.command("gate")
@click.argument("results", type=click.Path())
@click.option("--policy", "policy_file", required=True, type=click.Path(dir_okay=False),
              help="YAML gate policy (see configs/ci-gate.yaml and docs/gates.md).")
@click.option("--junit", type=click.Path(dir_okay=False), help="JUnit XML path [default: OUT/gate/junit.xml].")
@click.option("--summary", type=click.Path(dir_okay=False), help="Markdown summary path [default: OUT/gate/summary.md].")
@click.option("--baseline", type=click.Path(), metavar="RESULTS",
              help="Saved baseline results.json for relative checks whose baseline model is not in RESULTS and "
                   "whose policy names no baseline file.")
@click.option("--no-reports", is_flag=True, help="Do not re-render report.html / report.md with the gate.")
@debug_option
def gate(results: str, policy_file: str, junit: str | None, summary: str | None, baseline: str | None,
         no_reports: bool) -> None:
    """Check RESULTS (a results.json or its directory) against --policy and exit 0 (pass) or 1 (fail).

    Writes the verdict into RESULTS' gate block, OUT/gate/junit.xml and OUT/gate/summary.md
    (appended to $GITHUB_STEP_SUMMARY too, when set), and re-renders both reports. Exit 2 is bad
    input, 4 a crash of the gate itself.
    """
    from audit.api.outputs import evaluate, write_gate_outputs
    from audit.core.results import load_results
    from audit.gate.metric_lookup import known_specs
    from audit.gate.policy import load_policy

    from audit.core.outlock import hold_out_dir

    load_results(results)  # a missing or unreadable file fails before the folder is held
    folder = Path(results) if Path(results).is_dir() else Path(results).parent
    with hold_out_dir(folder):  # the verdict is written into results.json: not while a run writes it
        doc = load_results(results)
        policy = load_policy(policy_file, known_specs(doc))
        verdict = evaluate(policy, doc, folder, baseline=baseline)
        paths = write_gate_outputs(verdict, doc, folder, junit=junit, summary=summary, reports=not no_reports)
    print_verdict(verdict)
    click.echo(f"JUnit:    {paths['junit']}\nSummary:  {paths['summary']}")
    if not verdict["passed"]:
        raise SystemExit(GATE_FAILED)


def print_verdict(verdict: dict) -> None:
    """A short table: every check that did not pass, with metric, model, condition and value."""
    from audit.core.gate_text import gate_condition, gate_sorted, gate_value

    rows = verdict.get("checks") or []
    counts = verdict.get("counts") or {}
    word = "PASSED" if verdict["passed"] else "FAILED"
    click.echo(f"Gate {word} ({verdict['policy']['name']}): {counts.get('pass', 0)} passed, {counts.get('fail', 0)} "
               f"failed, {counts.get('error', 0)} not evaluated, {counts.get('skip', 0)} skipped.")
    if verdict.get("message"):
        click.echo(f"  {verdict['message']}.")
    bad = [r for r in gate_sorted(rows) if r["status"] in ("fail", "error")]
    if not bad:
        return
    table = [("result", "metric", "model", "condition", "value")]
    for r in bad:
        model = f"{r['model']}" + (f" vs {r['baseline']['model']}" if r.get("baseline") else "")
        table.append(("FAIL" if r["status"] == "fail" else "ERROR", r["metric"], model, gate_condition(r),
                      gate_value(r)))
    widths = [max(len(str(row[i])) for row in table) for i in range(5)]
    for row in table:
        click.echo("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    for r in bad:
        click.echo(f"  - {r['metric']} · {r['model']}: {r['message']}")
