"""Every bad input ends in one line naming the problem and the fix, exit code 2, no traceback."""

from __future__ import annotations

import pytest

from audit.core.errors import AuditError

BASE = ("--model", "tfidf.skops", "--data", "test.csv", "-q")


def assert_one_line_error(res, *needles):
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, res.output
    assert "Traceback" not in res.output
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.fixture()
def files(workdir, tmp_path):
    (tmp_path / "empty.csv").write_text("text,label\n", encoding="utf-8")
    (tmp_path / "blank.csv").write_text("text,label\nfine,positive\n   ,negative\n", encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("text,label\ncaf\xe9 au lait,positive\n".encode("latin-1"))
    (tmp_path / "odd.csv").write_text("text,label\ngood,great\nbad,terrible\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("data:\n  source: test.csv\nmodels: [tfidf.skops\n", encoding="utf-8")
    (tmp_path / "keys.yaml").write_text("data: {source: test.csv}\nmodels: [tfidf.skops]\nprobes: {metrics: {bins: 10, colour: red}}\n")
    (tmp_path / "broken.skops").write_bytes(b"not a zip file")
    (tmp_path / "afile").write_text("x")
    return tmp_path


@pytest.mark.parametrize(
    "args,needles",
    [
        (("--model", "tfidf.skops", "--data", "missing.csv"), ("missing.csv", "not found")),
        (("--text-col", "body_text"), ("body_text", "Columns:")),
        (("--model", "nowhere/at/all", "--data", "test.csv"), ("nowhere/at/all",)),
        (("--probe", "metric"), ("Unknown probe 'metric'", "Did you mean 'metrics'")),
        (("--limit", "0"), ("--limit",)),
    ],
)
def test_bad_flags(cli, files, args, needles):
    full = (*args, *BASE) if args[0] != "--model" else (*args, "-q")
    assert_one_line_error(cli("run", *full, "--out", str(files / "o")), *needles)


@pytest.mark.parametrize(
    "data,needles",
    [
        ("empty.csv", ("no rows",)),
        ("blank.csv", ("empty or whitespace-only",)),
        ("latin1.csv", ("UTF-8",)),
        ("odd.csv", ("great", "label")),
    ],
)
def test_bad_data(cli, files, data, needles):
    res = cli("run", "--model", "tfidf.skops", "--data", str(files / data), "--out", str(files / "o"), "-q")
    assert_one_line_error(res, *needles)


def test_model_that_does_not_load(cli, files):
    res = cli("run", "--model", str(files / "broken.skops"), "--data", "test.csv", "--out", str(files / "o"), "-q")
    assert_one_line_error(res, "broken.skops")


def test_malformed_yaml_names_file_and_line(cli, files):
    assert_one_line_error(cli("run", "--config", str(files / "bad.yaml")), "bad.yaml:")


def test_unknown_config_key(cli, files):
    assert_one_line_error(cli("run", "--config", str(files / "keys.yaml"), "-q"), "'colour'", "Allowed:")


def test_out_dir_is_a_file(cli, files):
    assert_one_line_error(cli("run", *BASE, "--out", str(files / "afile")), "is a file")


def test_debug_shows_the_traceback(cli, files):
    res = cli("run", "--model", "tfidf.skops", "--data", "missing.csv", "--debug")
    assert isinstance(res.exception, AuditError)


def test_data_without_model(cli):
    assert_one_line_error(cli("run", "--data", "test.csv"), "--model")


def test_report_of_a_non_results_file(cli, files):
    assert_one_line_error(cli("report", str(files / "afile")), "not valid JSON")


def test_unwritable_out_dir(cli, tmp_path):
    res = cli("run", *BASE, "--out", "/proc/audit-out")
    assert_one_line_error(res, "/proc")


def test_demo_rejects_unknown_probe_before_training(cli, monkeypatch):
    from audit.demo import pipeline

    def boom(*a, **k):
        raise AssertionError("training started")

    monkeypatch.setattr(pipeline, "prepare_models", boom)
    assert_one_line_error(cli("run", "--probe", "nope"), "Unknown probe 'nope'")
    assert_one_line_error(cli("run", "--limit", "5"), "--limit")


def test_label_map_given_twice(cli):
    assert_one_line_error(cli("run", *BASE, "--label-map", "0=a", "--label-map", "0=b"), "twice")


def test_a_bug_is_exit_4_with_one_line_and_debug_shows_it(cli, workdir, monkeypatch):
    """An unexpected exception is neither bad input (2) nor a failed gate (1): exit 4, one line."""
    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("audit.core.results.load_results", boom)
    res = cli("report", "results.json")
    assert res.exit_code == 4, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "internal error (ZeroDivisionError: division by zero)" in errors[0]
    assert "Traceback" not in res.output
    res = cli("report", "results.json", "--debug")
    assert isinstance(res.exception, ZeroDivisionError)


def test_a_closed_pipe_is_not_reported_as_a_bug():
    """`audit probes | head`: the reader leaves early; no 'internal error', exit 141 like SIGPIPE."""
    import os
    import subprocess
    import sys

    # `true` exits without reading, so every write of `audit probes` meets a closed pipe
    proc = subprocess.run(f"{sys.executable} -m audit probes | true; echo ${{PIPESTATUS[0]}}", shell=True,
                          capture_output=True, text=True, executable="/bin/bash", env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout.strip() == "141", proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr and "Exception" not in proc.stderr


@pytest.mark.parametrize("args", ["--help", "--version"])
def test_a_closed_pipe_on_group_output_is_141_not_1(args):
    """click itself exits 1 on EPIPE for `audit --help | true`; 1 means "gate failed" here."""
    import os
    import subprocess
    import sys

    proc = subprocess.run(f"{sys.executable} -m audit {args} | true; echo ${{PIPESTATUS[0]}}", shell=True,
                          capture_output=True, text=True, executable="/bin/bash", env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout.strip() == "141", proc.stdout + proc.stderr


@pytest.mark.parametrize("name,bad", [("<b>x</b>", "'/<>'"), ("a b", "' '"), ("é", "'é'")])
def test_a_model_name_with_disallowed_characters_names_them(cli, name, bad):
    res = cli("run", "--model", f"{name}=tfidf.skops", "--data", "test.csv", "-q")
    assert_one_line_error(res, f"Model name {name!r}", f"{bad} not allowed")
    assert "not found" not in res.output


def test_blank_line_only_jsonl_has_no_rows(cli, tmp_path):
    (tmp_path / "blank.jsonl").write_text("\n\n   \n", encoding="utf-8")
    assert_one_line_error(cli("run", "--model", "tfidf.skops", "--data", str(tmp_path / "blank.jsonl"), "-q"), "no rows")


def test_one_column_as_text_and_label_is_refused(cli):
    res = cli("run", "--model", "tfidf.skops", "--data", "test.csv", "--text-col", "label", "--label-col", "label", "-q")
    assert_one_line_error(res, "Column 'label'", "both the text and the label")


def test_a_model_name_given_twice_is_refused(cli):
    res = cli("run", "--model", "a=tfidf.skops", "--model", "a=tfidf.skops", "--data", "test.csv", "-q")
    assert_one_line_error(res, "'a'", "more than one model")
