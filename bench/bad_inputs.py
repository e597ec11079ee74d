"""Hostile-input benchmark: re-runs a tester's categories of bad input against the `audit` CLI and
checks the promised contract on each one.

Contract for bad input (README "Exit codes"): exit 2, exactly one line starting with "Error:" on
stdout + stderr together, no "Traceback", and that line names the problem. A few inputs must
instead succeed (NUL bytes in texts, a newline in a sensitive group value); they hold when the run
exits 0 and the result is right.

Special figures:
  (a) seconds to the error when the Hugging Face hub cannot be reached (a name that does not
      resolve; a local port that accepts connections and never answers), offline variables unset
      and HF_HOME empty;
  (b) kills survived: a small real audit (noise + metrics on a TF-IDF model) is killed (SIGKILL at
      1 s, 3 s, 6 s and mid-probe, SIGINT mid-probe), then resumed; its metrics must equal an
      uninterrupted run's, and results.json must be valid JSON (or absent) after each kill;
  (c) a second run on an --out held by a running audit must fail at once (exit 2, naming the holder).

Every fixture (a TF-IDF model trained with `audit train --arch tfidf`, datasets, configs, broken
results files) is built in a temp folder. Runs are sequential (the CLI is started once per case).

Run: python bench/bad_inputs.py [--only CATEGORY ...] [--keep] [--no-special]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
TIMEOUT_S = 240
TIMING_KEYS = ("duration_s", "perturb_seconds", "seconds", "started_at", "finished_at", "durations")


# --------------------------------------------------------------------------------------------- running


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(OFFLINE)
    env.setdefault("COLUMNS", "200")
    return env


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = TIMEOUT_S) -> tuple[int | None, str, float]:
    """(exit code or None on timeout, stdout + stderr, seconds)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-m", "audit", *args], cwd=cwd, env=env or base_env(),
                           capture_output=True, text=True, errors="replace", timeout=timeout)
        rc, out = p.returncode, (p.stdout or "") + ("\n" if p.stdout and p.stderr else "") + (p.stderr or "")
    except subprocess.TimeoutExpired as exc:
        def _s(x: Any) -> str:
            return x.decode("utf-8", "replace") if isinstance(x, bytes) else (x or "")
        rc, out = None, _s(exc.stdout) + _s(exc.stderr)
    return rc, out, time.perf_counter() - t0


def error_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Error:")]


def check_error(rc: int | None, out: str, names: tuple[str, ...]) -> tuple[bool, str]:
    """The bad-input contract; returns (held, why not)."""
    why = []
    if rc != 2:
        why.append(f"exit {rc}")
    errs = error_lines(out)
    if len(errs) != 1:
        why.append(f"{len(errs)} 'Error:' lines")
    if "Traceback" in out:
        why.append("traceback")
    if errs and not any(n.lower() in errs[0].lower() for n in names):
        why.append(f"line does not name it (looked for {' / '.join(names)})")
    return not why, "; ".join(why)


def check_success(rc: int | None, out: str) -> list[str]:
    why = []
    if rc != 0:
        why.append(f"exit {rc}")
    if error_lines(out):
        why.append("'Error:' line printed")
    if "Traceback" in out:
        why.append("traceback")
    return why


def shown_line(out: str) -> str:
    errs = error_lines(out)
    if errs:
        return errs[0]
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


# --------------------------------------------------------------------------------------------- fixtures


def write_csv(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def build_fixtures(root: Path) -> dict[str, Any]:
    from audit.demo.corpus import generate

    fx: dict[str, Any] = {"root": root}
    train = generate(300, seed=0, skewed=False)
    cols = list(train[0])
    write_csv(root / "train.csv", cols, [[r[c] for c in cols] for r in train])
    rc, out, secs = run_cli(["train", "--arch", "tfidf", "--data", "train.csv", "--out", "M.skops"], root)
    if rc != 0:
        sys.exit(f"fixture: audit train failed (exit {rc}):\n{out}")
    fx["train_s"] = secs
    test = generate(200, seed=1, skewed=False)
    fx["rows"] = [{"text": r["text"], "label": r["label"], "gender": r["gender"]} for r in test]
    write_csv(root / "D.csv", ["text", "label", "gender"], [[r["text"], r["label"], r["gender"]] for r in fx["rows"]])
    kill = generate(600, seed=2, skewed=False)
    write_csv(root / "K.csv", ["text", "label"], [[r["text"], r["label"]] for r in kill])
    # a model with a function inside (FunctionTransformer runs it on the data)
    import numpy
    import skops.io
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    pipe = Pipeline([("f", FunctionTransformer(numpy.lib.format.open_memmap)), ("c", LogisticRegression())])
    skops.io.dump(pipe, root / "untrusted.skops")
    import pickle

    (root / "model.pkl").write_bytes(pickle.dumps({"not": "a model"}))
    (root / "random.skops").write_bytes(os.urandom(4096))
    (root / "empty.skops").write_bytes(b"")
    # a good results folder for gate / report / compare / record
    rc, out, _ = run_cli(["run", "--model", "M.skops", "--data", "D.csv", "--probe", "metrics", "--out", "GOOD", "-q"],
                         root)
    if rc != 0:
        sys.exit(f"fixture: the good audit failed (exit {rc}):\n{out}")
    (root / "policy-ok.yaml").write_text('checks:\n  - metric: metrics.accuracy\n    operator: ">="\n'
                                         "    threshold: 0.5\n", encoding="utf-8")
    return fx


def results_variant(root: Path, name: str, edit: Callable[[dict], Any] | None = None,
                    raw: str | None = None) -> str:
    """A copy of GOOD whose results.json is edited (``edit`` on the parsed document) or replaced (``raw``)."""
    dst = root / f"R-{name}"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(root / "GOOD", dst)
    path = dst / "results.json"
    if raw is not None:
        path.write_text(raw, encoding="utf-8")
    else:
        doc = json.loads(path.read_text(encoding="utf-8"))
        edit(doc)  # type: ignore[misc]
        path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")
    return dst.name


# --------------------------------------------------------------------------------------------- cases


class Case:
    def __init__(self, category: str, label: str, args: list[str], names: tuple[str, ...] = (),
                 success: Callable[[Path, str], list[str]] | None = None, env: dict[str, str] | None = None,
                 skip: str | None = None, timeout: float = TIMEOUT_S):
        self.category, self.label, self.args, self.names = category, label, args, names
        self.success, self.env, self.skip, self.timeout = success, env, skip, timeout


def make_cases(fx: dict[str, Any]) -> list[Case]:  # noqa: C901  (one list of everything)
    root: Path = fx["root"]
    rows: list[dict] = fx["rows"]
    cases: list[Case] = []
    n = [0]

    def out() -> str:
        n[0] += 1
        return f"out-{n[0]:03d}"

    def run(category: str, label: str, data: str | None, *extra: str, names: tuple[str, ...] = (),
            model: str | None = "M.skops", probe: str | None = "metrics", **kw: Any) -> None:
        args = ["run"]
        if model is not None:
            args += ["--model", model]
        if data is not None:
            args += ["--data", data]
        if probe is not None:
            args += ["--probe", probe]
        args += [*extra]
        if "--out" not in extra:
            args += ["--out", out()]
        args += ["-q"]
        cases.append(Case(category, label, args, names, **kw))

    def conf(name: str, text: str) -> str:
        (root / name).write_text(text, encoding="utf-8")
        return name

    ok_rows = [[r["text"], r["label"]] for r in rows[:40]]

    # ---- data file
    c = "data-file"
    run(c, "missing file", "nope.csv", names=("not found",))
    (root / "adir").mkdir()
    run(c, "directory as data", "adir", names=("director", "adir"))
    (root / "dir.csv").mkdir()
    run(c, "directory named dir.csv", "dir.csv", names=("director",))
    (root / "d.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(64))
    run(c, "unsupported extension .xlsx", "d.xlsx", names=("unsupported", ".xlsx"))
    (root / "d.txt").write_text("text,label\nhi,positive\n", encoding="utf-8")
    run(c, "unsupported extension .txt", "d.txt", names=("unsupported", ".txt"))
    for ext in ("csv", "tsv", "jsonl", "json", "parquet"):
        (root / f"empty.{ext}").write_bytes(b"")
        run(c, f"empty file .{ext}", f"empty.{ext}", names=("empty", "no rows"))
    (root / "header.csv").write_text("text,label\n", encoding="utf-8")
    run(c, "header only .csv", "header.csv", names=("no rows", "empty"))
    (root / "header.tsv").write_text("text\tlabel\n", encoding="utf-8")
    run(c, "header only .tsv", "header.tsv", names=("no rows", "empty"))
    (root / "blank.jsonl").write_text("\n\n  \n", encoding="utf-8")
    run(c, "blank lines only .jsonl", "blank.jsonl", names=("no rows", "empty"))
    (root / "latin1.csv").write_bytes("text,label\nun film tr\u00e8s r\u00e9ussi,positive\n".encode("latin-1"))
    run(c, "non-UTF-8 bytes .csv (latin-1)", "latin1.csv", names=("UTF-8",))
    (root / "bad.jsonl").write_bytes(b'{"text": "ok film", "label": "positive"}\n{"text": "\xff\xfe bad", "label": "negative"}\n')
    run(c, "non-UTF-8 bytes .jsonl", "bad.jsonl", names=("UTF-8",))
    (root / "utf16.csv").write_bytes("text,label\ngood film,positive\n".encode("utf-16"))
    run(c, "UTF-16 .csv", "utf16.csv", names=("UTF-8", "UTF-16"))
    (root / "quote.csv").write_text('text,label\n"an unterminated quote,positive\nnext,negative\n', encoding="utf-8")
    run(c, "malformed CSV (unterminated quote)", "quote.csv", names=("parse", "quote", "malformed", "CSV"))
    (root / "ragged.csv").write_text("text,label\ngood film,positive,extra,more\nbad,negative\n", encoding="utf-8")
    run(c, "malformed CSV (ragged rows)", "ragged.csv", names=("parse", "field", "column", "malformed", "CSV"))
    (root / "trunc.json").write_text('[{"text": "good film", "label": "posi', encoding="utf-8")
    run(c, "malformed JSON (truncated)", "trunc.json", names=("JSON", "parse"))
    (root / "scalar.json").write_text('"just a string"', encoding="utf-8")
    run(c, "JSON top level a string", "scalar.json", names=("JSON", "parse", "object", "list", "rows"))
    (root / "badline.jsonl").write_text('{"text": "good", "label": "positive"}\n{"text": "bad", label: negative}\n',
                                        encoding="utf-8")
    run(c, "malformed JSONL (bad line 2)", "badline.jsonl", names=("JSON", "parse", "line"))
    (root / "array.jsonl").write_text('{"text": "good", "label": "positive"}\n[1, 2]\n', encoding="utf-8")
    run(c, "JSONL line that is not an object", "array.jsonl", names=("JSON", "object", "line", "parse"))
    (root / "corrupt.parquet").write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")
    run(c, "corrupt .parquet", "corrupt.parquet", names=("parquet", "parse"))

    # ---- columns
    c = "columns"
    write_csv(root / "dup.csv", ["text", "label", "text"], [[t, lab, "x"] for t, lab in ok_rows])
    run(c, "duplicate column names .csv", "dup.csv", names=("duplicate",))
    write_csv(root / "dup.tsv", ["text", "label", "label"], [[t, lab, lab] for t, lab in ok_rows], delimiter="\t")
    run(c, "duplicate column names .tsv", "dup.tsv", names=("duplicate",))
    (root / "dup.jsonl").write_text("".join('{"text": %s, "label": "%s", "text": "other"}\n' % (json.dumps(t), lab)
                                            for t, lab in ok_rows), encoding="utf-8")
    run(c, "duplicate keys .jsonl", "dup.jsonl", names=("duplicate",))
    (root / "dup.json").write_text("[" + ",".join('{"text": %s, "label": "%s", "label": "positive"}' % (json.dumps(t), lab)
                                                  for t, lab in ok_rows) + "]", encoding="utf-8")
    run(c, "duplicate keys .json", "dup.json", names=("duplicate",))
    run(c, "--text-col names a missing column", "D.csv", "--text-col", "nosuchcol", names=("nosuchcol",))
    run(c, "--label-col names a missing column", "D.csv", "--label-col", "nosuchcol", names=("nosuchcol",))
    run(c, "--text-pair-col names a missing column", "D.csv", "--text-pair-col", "nosuchcol", names=("nosuchcol",))
    run(c, "--text-col given twice (text, gender)", "D.csv", "--text-col", "text", "--text-col", "gender",
        names=("text-col",))
    run(c, "--text-col equal to --label-col", "D.csv", "--text-col", "label", "--label-col", "label",
        names=("text-col", "label-col", "same"))
    pairs = [[f"A man said: {t}", f"He said: {t}" if i % 10 else "", "entailment" if i % 2 else "contradiction"]
             for i, (t, _lab) in enumerate(ok_rows)]
    write_csv(root / "pair-empty.csv", ["premise", "hypothesis", "label"], pairs)
    run(c, "one side of a pair empty", "pair-empty.csv", names=("empty",))
    write_csv(root / "nocols.csv", ["words", "y"], ok_rows)
    run(c, "no text column found", "nocols.csv", names=("text column", "--text-col"))
    write_csv(root / "nolabel.csv", ["text", "y"], ok_rows)
    run(c, "no label column found", "nolabel.csv", names=("label column", "--label-col"))
    run(c, "--sensitive names a missing column", "D.csv", "--sensitive", "nosuchattr", names=("nosuchattr",))

    # ---- texts
    c = "texts"

    def with_text(name: str, bad: str, every: int = 17) -> str:
        r = [[bad if i % every == 3 % every else t, lab] for i, (t, lab) in enumerate(ok_rows)]
        write_csv(root / name, ["text", "label"], r)
        return name

    run(c, "empty texts (csv)", with_text("t-empty.csv", ""), names=("empty",))
    run(c, "whitespace-only texts", with_text("t-ws.csv", "   \t  "), names=("empty", "whitespace"))
    run(c, "zero-width-only texts", with_text("t-zw.csv", "\u200b\u200c\u2060\ufeff"), names=("empty", "zero-width"))
    run(c, "every text empty", with_text("t-allempty.csv", "", every=1), names=("empty",))
    write_jsonl(root / "t-empty.jsonl", [{"text": "" if i == 5 else t, "label": lab} for i, (t, lab) in enumerate(ok_rows)])
    run(c, "empty text (jsonl)", "t-empty.jsonl", names=("empty",))
    for kind, value in (("number", 42), ("list", ["a", "b"]), ("object", {"a": 1}), ("null", None), ("bool", True)):
        write_jsonl(root / f"t-{kind}.jsonl",
                    [{"text": value if i == 7 else t, "label": lab} for i, (t, lab) in enumerate(ok_rows)])
        run(c, f"non-text cell: {kind} (jsonl)", f"t-{kind}.jsonl", names=("not text", "empty", "missing", kind))
    write_csv(root / "t-nolabel.csv", ["text", "label"],
              [[t, "" if i == 4 else lab] for i, (t, lab) in enumerate(ok_rows)])
    run(c, "missing label cell", "t-nolabel.csv", names=("label",))

    def nul_ok(outdir: Path, _out: str) -> list[str]:
        why = []
        for f in ("report.html", "report.md", "results.json"):
            p = outdir / f
            if not p.exists():
                why.append(f"{f} missing")
            elif b"\x00" in p.read_bytes():
                why.append(f"raw NUL in {f}")
        return why

    # NUL texts, labelled against their meaning so they are misclassified and shown in the reports
    nul_rows = [[(t.replace(" ", " \x00", 2) if i % 5 == 0 else t),
                 ({"positive": "negative", "negative": "positive"}[lab] if i % 5 == 0 else lab)]
                for i, (t, lab) in enumerate(ok_rows)]
    write_jsonl(root / "t-nul.jsonl", [{"text": t, "label": lab} for t, lab in nul_rows])
    run(c, "NUL bytes in texts (jsonl) [must succeed]", "t-nul.jsonl", "--out", "out-nul-jsonl", success=nul_ok)
    with (root / "t-nul.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(nul_rows)
    run(c, "NUL bytes in texts (csv) [must succeed]", "t-nul.csv", "--out", "out-nul-csv", success=nul_ok)

    # ---- probes and config
    c = "config"
    m, d = str(root / "M.skops"), str(root / "D.csv")
    run(c, "unknown probe name", "D.csv", probe="nosuchprobe", names=("nosuchprobe",))
    base = f"data:\n  source: {d}\nmodels:\n  - spec: {m}\n"

    def cfg_run(label: str, text: str, names: tuple[str, ...]) -> None:
        name = conf(f"cfg-{len(cases):03d}.yaml", text)
        run(c, label, None, "--config", name, model=None, names=names)

    cfg_run("unknown top-level config key", base + "colour: red\n", ("colour",))
    cfg_run("unknown probe config key", base + "probes:\n  metrics:\n    bootstrapz: 10\n", ("bootstrapz",))
    cfg_run("unknown data key", f"data:\n  source: {d}\n  sauce: x\nmodels:\n  - spec: {m}\n", ("sauce",))
    cfg_run("unknown model key", f"data:\n  source: {d}\nmodels:\n  - spec: {m}\n    colour: red\n", ("colour",))
    cfg_run("YAML syntax error", base + "probes: [metrics\n  noise: {\n", ("YAML",))
    cfg_run("config is a list", "- a\n- b\n", ("mapping", "list"))
    run(c, "config file missing", None, "--config", "nosuch.yaml", model=None, names=("nosuch.yaml",))
    for value in (".inf", ".nan", "1e12", "2.5", "many"):
        cfg_run(f"probes.metrics.bootstrap: {value}", base + f"probes:\n  metrics:\n    bootstrap: {value}\n",
                ("bootstrap",))
    for value in (".inf", ".nan", "1e12"):
        cfg_run(f"models[0].max_length: {value}",
                f"data:\n  source: {d}\nmodels:\n  - spec: {m}\n    max_length: {value}\n", ("max_length",))
    for value in (".inf", ".nan", "1e12"):
        cfg_run(f"data.limit: {value}", f"data:\n  source: {d}\n  limit: {value}\nmodels:\n  - spec: {m}\n", ("limit",))
    cfg_run("seed: .inf (config)", base + "seed: .inf\n", ("seed",))
    run(c, "--seed 2**70", "D.csv", "--seed", str(2**70), names=("seed",))
    run(c, "--seed -1", "D.csv", "--seed", "-1", names=("seed",))
    run(c, "--limit 0", "D.csv", "--limit", "0", names=("limit",))
    run(c, "--limit -5", "D.csv", "--limit", "-5", names=("limit",))

    # ---- model
    c = "model"
    run(c, "model path missing", "D.csv", model="nosuch-model.skops", names=("nosuch-model",))
    run(c, "random bytes .skops", "D.csv", model="random.skops", names=("random.skops", "skops"))
    run(c, "empty .skops", "D.csv", model="empty.skops", names=("empty.skops", "skops", "empty"))
    run(c, ".skops with a function, no --trust-model", "D.csv", model="untrusted.skops",
        names=("trust-model", "open_memmap", "untrusted"))
    run(c, ".pkl without --trust-model", "D.csv", model="model.pkl", names=("trust-model",))
    run(c, "model name with markup <b>x</b>", "D.csv", model="<b>x</b>=M.skops", names=("name",))
    run(c, "module:function, module not found", "D.csv", model="nosuch_audit_mod:predict",
        names=("nosuch_audit_mod",))
    run(c, "module:function, function not found", "D.csv", model="json:nosuchfn", names=("nosuchfn",))
    run(c, "two models with the same name", "D.csv", "--model", "a=M.skops", model="a=M.skops",
        names=("'a'", "duplicate", "same name", "twice"))
    run(c, "empty model spec", "D.csv", model="", names=("model",))

    # ---- output folder
    c = "out"
    (root / "a-file").write_text("x", encoding="utf-8")
    run(c, "--out is a file", "D.csv", "--out", "a-file", names=("a-file",))
    run(c, "--out under a file", "D.csv", "--out", "a-file/sub", names=("a-file",))
    run(c, "--out under /proc (unwritable even for root)", "D.csv", "--out", "/proc/audit-bad-inputs",
        names=("/proc/audit-bad-inputs", "--out"))
    locked = root / "ro-parent"
    locked.mkdir()
    os.chmod(locked, 0o500)
    root_writes = os.access(locked, os.W_OK)
    run(c, "unwritable --out (chmod 500 parent)", "D.csv", "--out", "ro-parent/out", names=("ro-parent",),
        skip="running as root: chmod 500 does not stop root from writing" if root_writes else None)

    # ---- broken results files, for gate / report / compare / record
    c = "results"

    def drop_results(doc: dict) -> None:
        del doc["probes"][0]["results"]

    def models_string(doc: dict) -> None:
        doc["models"] = "M"

    def metric_high(doc: dict) -> None:
        doc["probes"][0]["results"]["M"]["metrics"]["accuracy"]["value"] = "high"

    def metric_nan(doc: dict) -> None:
        doc["probes"][0]["results"]["M"]["metrics"]["accuracy"]["value"] = math.nan

    variants = [
        ("a probe without results", results_variant(root, "noresults", drop_results), ("results",)),
        ("models a string", results_variant(root, "models-str", models_string), ("models",)),
        ('a metric value "high"', results_variant(root, "high", metric_high), ("high", "number", "value")),
        ("non-JSON results.json", results_variant(root, "notjson", raw="this is {not json"), ("JSON",)),
        ("results.json with NaN", results_variant(root, "nan", metric_nan), ("NaN", "not a number", "finite")),
    ]
    for label, folder, names in variants:
        cases.append(Case(c, f"gate: {label}", ["gate", folder, "--policy", "policy-ok.yaml"], names))
        cases.append(Case(c, f"report: {label}", ["report", folder], names))
        cases.append(Case(c, f"compare: {label}", ["compare", folder, "GOOD", "--out", out()], names))
        cases.append(Case(c, f"record: {label}", ["record", folder], names))
    cases.append(Case(c, "report: empty results.json", ["report", results_variant(root, "emptyjson", raw="")],
                      ("JSON", "empty")))
    cases.append(Case(c, "report: results path missing", ["report", "nosuch-results.json"], ("nosuch-results",)))
    cases.append(Case(c, "report: unknown schema", ["report", results_variant(
        root, "schema", lambda doc: doc.__setitem__("schema", "other/9"))], ("schema",)))

    # ---- gate policies
    c = "gate-policy"

    def gate(label: str, text: str | None, names: tuple[str, ...]) -> None:
        name = "nosuch-policy.yaml" if text is None else conf(f"policy-{len(cases):03d}.yaml", text)
        cases.append(Case(c, label, ["gate", "GOOD", "--policy", name, "--no-reports"], names))

    chk = 'checks:\n  - metric: metrics.accuracy\n    operator: ">="\n    threshold: 0.5\n'
    gate("unknown metric", 'checks:\n  - metric: metrics.nosuchmetric\n    operator: ">="\n    threshold: 0.5\n',
         ("nosuchmetric",))
    gate("bad operator =>", 'checks:\n  - metric: metrics.accuracy\n    operator: "=>"\n    threshold: 0.5\n',
         ("operator",))
    gate("unquoted operator >=", "checks:\n  - metric: metrics.accuracy\n    operator: >=\n    threshold: 0.5\n",
         ("operator", "quote", "YAML"))
    gate("YAML syntax error", "checks:\n  - metric: [metrics.accuracy\n    operator: '>='\n", ("YAML",))
    gate("resamples 10**9", f"resamples: {10**9}\n" + chk, ("resamples",))
    gate("resamples .inf", "resamples: .inf\n" + chk, ("resamples",))
    gate("checks empty", "checks: []\n", ("checks",))
    gate("policy file missing", None, ("nosuch-policy",))
    gate('threshold "high"', 'checks:\n  - metric: metrics.accuracy\n    operator: ">="\n    threshold: high\n',
         ("threshold",))
    gate("unknown check key", chk + "    colour: red\n", ("colour",))

    # ---- fairness
    c = "fairness"
    write_csv(root / "groups-nl.csv", ["text", "label", "region"],
              [[r["text"], r["label"], "north\nside" if i % 2 else "south"] for i, r in enumerate(rows)])

    def fairness_ok(outdir: Path, _out: str) -> list[str]:
        try:
            doc = json.loads((outdir / "results.json").read_text(encoding="utf-8"))
            probe = next(p for p in doc["probes"] if p["name"] == "group-fairness")
            status = probe["results"]["M"]["status"]
        except Exception as exc:  # noqa: BLE001
            return [f"results.json unreadable: {type(exc).__name__}: {exc}"]
        return [] if status == "ok" else [f"group-fairness status {status!r}"]

    run(c, "newline in a --sensitive group value [must succeed]", "groups-nl.csv", "--sensitive", "region",
        "--out", "out-groups-nl", probe="group-fairness", success=fairness_ok)
    return cases


def hub_cases(root: Path, silent_port: int) -> list[Case]:
    cases = []
    for label, endpoint in (("endpoint name does not resolve", "http://hub.does-not-resolve.invalid"),
                            ("endpoint port accepts and never answers", f"http://127.0.0.1:{silent_port}")):
        home = root / f"hf-home-{len(cases)}"
        home.mkdir()
        env = {k: v for k, v in base_env().items() if k not in OFFLINE}
        env.update({"HF_HOME": str(home), "HF_ENDPOINT": endpoint})
        cases.append(Case("hub", label, ["run", "--model", "someone/some-model", "--data", "D.csv", "--probe",
                                         "metrics", "--out", f"out-hub-{len(cases)}", "-q"],
                          ("hub", "reach", "offline"), env=env, timeout=300))
    return cases


def silent_server() -> int:
    """A local TCP port that accepts connections and never answers."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held: list[socket.socket] = []

    def loop() -> None:
        while True:
            conn, _ = srv.accept()
            held.append(conn)

    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1]


# --------------------------------------------------------------------------------------------- table


def run_case(case: Case, root: Path) -> dict[str, Any]:
    if case.skip:
        return {"case": case, "rc": "-", "held": None, "why": case.skip, "secs": 0.0, "line": ""}
    rc, out, secs = run_cli(case.args, root, env=case.env, timeout=case.timeout)
    if case.success is not None:
        why = check_success(rc, out)
        if rc == 0:
            outdir = root / case.args[case.args.index("--out") + 1]
            why += case.success(outdir, out)
        held, reason = not why, "; ".join(why)
    else:
        held, reason = check_error(rc, out, case.names)
    return {"case": case, "rc": rc, "held": held, "why": reason, "secs": secs, "line": shown_line(out)}


def print_row(r: dict[str, Any]) -> None:
    c: Case = r["case"]
    mark = "skip" if r["held"] is None else ("yes" if r["held"] else "NO")
    print(f"{c.category:<12} {c.label[:58]:<58} {str(r['rc']):>5} {mark:>5} {r['secs']:>7.2f}", flush=True)


# --------------------------------------------------------------------------------------------- specials


def metrics_of(doc: dict) -> dict:
    return {(p["name"], m): res.get("metrics") for p in doc["probes"] for m, res in (p.get("results") or {}).items()}


def strip_timing(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_timing(v) for k, v in obj.items() if k not in TIMING_KEYS}
    if isinstance(obj, list):
        return [strip_timing(v) for v in obj]
    return obj


def results_state(path: Path) -> str:
    if not path.exists():
        return "absent"
    try:
        json.loads(path.read_text(encoding="utf-8"))
        return "valid"
    except (ValueError, UnicodeDecodeError) as exc:
        return f"INVALID ({type(exc).__name__})"


def kill_test(root: Path) -> dict[str, Any]:
    cmd = ["run", "--model", "M.skops", "--data", "K.csv", "--probe", "noise", "--probe", "metrics", "-q"]
    rc, out, secs = run_cli([*cmd, "--out", "kill-base"], root)
    if rc != 0:
        return {"error": f"uninterrupted run failed (exit {rc}): {shown_line(out)}"}
    base = json.loads((root / "kill-base" / "results.json").read_text(encoding="utf-8"))
    print(f"  uninterrupted run: {secs:.1f} s, exit 0", flush=True)
    scenarios = [("SIGKILL at 1 s", signal.SIGKILL, 1.0), ("SIGKILL at 3 s", signal.SIGKILL, 3.0),
                 ("SIGKILL at 6 s", signal.SIGKILL, 6.0), ("SIGKILL mid-noise (journal + 1.5 s)", signal.SIGKILL, "j"),
                 ("SIGINT mid-noise (journal + 1.5 s)", signal.SIGINT, "j")]
    rows = []
    for i, (label, sig, when) in enumerate(scenarios):
        outdir = root / f"kill-{i}"
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "audit", *cmd, "--out", outdir.name], cwd=root, env=base_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        journal = outdir / "work" / "predictions"
        if when == "j":
            deadline = None
            while p.poll() is None:
                if deadline is None and journal.is_dir() and any(f.stat().st_size > 0 for f in journal.glob("*.jsonl")):
                    deadline = time.perf_counter() + 1.5
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                time.sleep(0.05)
        else:
            while p.poll() is None and time.perf_counter() - t0 < float(when):
                time.sleep(0.02)
        at = time.perf_counter() - t0
        finished_before = p.poll() is not None
        if not finished_before:
            p.send_signal(sig)
        kill_out, _ = p.communicate(timeout=120)
        kill_rc = p.returncode
        state = results_state(outdir / "results.json")
        journal_lines = sum(f.read_text(encoding="utf-8", errors="replace").count("\n") for f in journal.glob("*.jsonl")) \
            if journal.is_dir() else 0
        done_probes = []
        if state == "valid":
            doc = json.loads((outdir / "results.json").read_text(encoding="utf-8"))
            done_probes = [p_["name"] for p_ in doc.get("probes", []) if p_.get("results")]
        rrc, rout, rsecs = run_cli([*cmd, "--out", outdir.name, "--resume"], root)
        same_metrics = same_all = False
        if rrc == 0 and results_state(outdir / "results.json") == "valid":
            doc = json.loads((outdir / "results.json").read_text(encoding="utf-8"))
            same_metrics = metrics_of(doc) == metrics_of(base)
            same_all = strip_timing(doc["probes"]) == strip_timing(base["probes"])
        row = {"label": label, "at": at, "finished_before": finished_before, "kill_rc": kill_rc, "state": state,
               "journal_lines": journal_lines, "done_probes": done_probes, "resume_rc": rrc, "resume_s": rsecs,
               "same_metrics": same_metrics, "same_probes": same_all,
               "resume_line": shown_line(rout) if rrc != 0 else "",
               "kill_tail": " | ".join(kill_out.strip().splitlines()[-2:]) if sig == signal.SIGINT else ""}
        rows.append(row)
        print(f"  {label:<38} at {at:5.1f} s  exit {kill_rc!s:>4}  results.json {state:<8} journal {journal_lines:>6} "
              f"lines  saved probes {','.join(done_probes) or '-':<14} resume exit {rrc} ({rsecs:.1f} s)  "
              f"metrics identical: {'yes' if same_metrics else 'NO'}  (all probe fields: {'yes' if same_all else 'no'})"
              + ("  [finished before the kill]" if finished_before else ""), flush=True)
        if row["kill_tail"]:
            print(f"    SIGINT output: {row['kill_tail']}", flush=True)
        if row["resume_line"]:
            print(f"    resume: {row['resume_line']}", flush=True)
    return {"base_s": secs, "rows": rows}


def concurrency_test(root: Path) -> dict[str, Any]:
    cmd = ["run", "--model", "M.skops", "--data", "K.csv", "--probe", "noise", "--probe", "metrics", "-q",
           "--out", "conc"]
    a = subprocess.Popen([sys.executable, "-m", "audit", *cmd], cwd=root, env=base_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    holder = root / "conc" / ".audit.lock.json"
    t0 = time.perf_counter()
    while a.poll() is None and not holder.exists() and time.perf_counter() - t0 < 120:
        time.sleep(0.05)
    res: dict[str, Any] = {"a_pid": a.pid, "lock_seen_after": time.perf_counter() - t0, "seconds": []}
    for label, args in (("second audit run", cmd),
                        ("audit report on the held folder", ["report", "conc"]),
                        ("audit gate on the held folder", ["gate", "conc", "--policy", "policy-ok.yaml"])):
        alive_before = a.poll() is None
        rc, out, secs = run_cli(args, root)
        alive_after = a.poll() is None
        held, why = check_error(rc, out, (f"pid {a.pid}",))
        res["seconds"].append({"label": label, "rc": rc, "secs": secs, "held": held and alive_before and alive_after,
                               "why": why if alive_before and alive_after else (why + "; first run not running").strip("; "),
                               "line": shown_line(out)})
    a_out, _ = a.communicate(timeout=300)
    res["a_rc"] = a.returncode
    res["a_state"] = results_state(root / "conc" / "results.json")
    res["a_line"] = shown_line(a_out)
    return res


# --------------------------------------------------------------------------------------------- main


class LoadSampler:
    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(5)

    def stop(self) -> str:
        self._stop.set()
        s = self.samples or [os.getloadavg()[0]]
        return f"1-min load average sampled every 5 s: min {min(s):.2f}, mean {sum(s) / len(s):.2f}, max {max(s):.2f}"


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: %.2f, %.2f, %.2f" % os.getloadavg()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", help="run only these categories (repeatable)")
    parser.add_argument("--no-special", action="store_true", help="skip the special figures (a) (b) (c)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()

    t_start = time.perf_counter()
    print(f"uptime at start: {uptime()}", flush=True)
    load = LoadSampler()
    root = Path(tempfile.mkdtemp(prefix="audit-bad-inputs-"))
    os.chmod(root, 0o755)
    try:
        fx = build_fixtures(root)
        print(f"fixtures in {root} (audit train: {fx['train_s']:.1f} s)\n", flush=True)
        port = silent_server()
        cases = make_cases(fx) + hub_cases(root, port)
        if args.only:
            cases = [c for c in cases if c.category in args.only]
        print(f"{'category':<12} {'input':<58} {'exit':>5} {'held':>5} {'seconds':>7}")
        print("-" * 91)
        results = []
        for case in cases:
            r = run_case(case, root)
            results.append(r)
            print_row(r)

        tried = [r for r in results if r["held"] is not None]
        held = [r for r in tried if r["held"]]
        print("-" * 91)
        print("\nper category:")
        cats: dict[str, list[dict]] = {}
        for r in tried:
            cats.setdefault(r["case"].category, []).append(r)
        for cat, rs in cats.items():
            print(f"  {cat:<12} {sum(1 for r in rs if r['held']):>3} held of {len(rs):>3} tried   "
                  f"({sum(r['secs'] for r in rs):.1f} s, median {sorted(r['secs'] for r in rs)[len(rs) // 2]:.2f} s)")
        skipped = [r for r in results if r["held"] is None]
        for r in skipped:
            print(f"  skipped: {r['case'].category}: {r['case'].label}: {r['why']}")
        print(f"\nTOTAL: {len(tried)} tried, {len(held)} held")

        failed = [r for r in tried if not r["held"]]
        if failed:
            print("\ncases that did NOT hold:")
            for r in failed:
                c = r["case"]
                print(f"  [{c.category}] {c.label}\n      command: audit {' '.join(repr(a) if (' ' in a or not a or '<' in a) else a for a in c.args)}"
                      f"\n      exit {r['rc']}: {r['why']}\n      output: {r['line']}")

        print("\n(a) unreachable Hugging Face hub (offline variables unset, empty HF_HOME):")
        for r in results:
            if r["case"].category == "hub":
                print(f"  {r['case'].label:<42} {r['secs']:6.1f} s to exit {r['rc']}  held: {r['held']}\n      {r['line']}")

        if not args.no_special:
            print("\n(b) kills survived (noise + metrics on 600 rows, then --resume):", flush=True)
            kt = kill_test(root)
            if "error" in kt:
                print("  " + kt["error"])
            else:
                real = [r for r in kt["rows"] if not r["finished_before"]]
                ok = [r for r in real if r["same_metrics"] and r["resume_rc"] == 0 and not r["state"].startswith("INVALID")]
                print(f"  kills survived with identical metrics: {len(ok)} of {len(real)}"
                      f" (results.json valid or absent after every kill: "
                      f"{'yes' if all(not r['state'].startswith('INVALID') for r in kt['rows']) else 'NO'})")

            print("\n(c) two concurrent runs on the same --out:", flush=True)
            ct = concurrency_test(root)
            print(f"  first run pid {ct['a_pid']}, lock holder file seen after {ct['lock_seen_after']:.1f} s")
            for s in ct["seconds"]:
                print(f"  {s['label']:<34} exit {s['rc']} after {s['secs']:.2f} s  held: {s['held']}"
                      + (f" ({s['why']})" if s["why"] else "") + f"\n      {s['line']}")
            print(f"  first run afterwards: exit {ct['a_rc']}, results.json {ct['a_state']}")
    finally:
        print(f"\n{load.stop()}")
        print(f"uptime at end: {uptime()}")
        print(f"total runtime: {time.perf_counter() - t_start:.0f} s")
        if args.keep:
            print(f"kept {root}")
        else:
            for p in root.rglob("*"):
                if p.is_dir():
                    with contextlib.suppress(OSError):
                        os.chmod(p, 0o755)
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
