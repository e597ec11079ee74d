"""Ray as the execution engine: a run on a local Ray instance (2 CPUs) gives the local run's results.json
(timings, ids, host names, run.execution and whether the noise probe reused a side-by-side model's survey
aside) with one worker per model or two, the two models side by side; each unique text is predicted once
(the cache counts are the same), a worker process killed mid-run is restarted by Ray with the same results,
a run interrupted and resumed on Ray ends equal too; and the errors: no Ray, a bad address, an unreachable
cluster, workers without --ray, all one line and exit 2. Without --ray, Ray is never imported."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from tfidf_workdir import build_tfidf_workdir

from audit.cli import main
from audit.core.errors import AuditError

PROBES = ["--probe", "metrics", "--probe", "noise", "--probe", "counterfactual", "--probe", "slices"]
NOISE = "probes:\n  noise: {perturbations: [typo, word_drop, homoglyph], severities: [0.1, 0.3]}\n"
# A model that kills the Ray worker holding it on its first request (once: a marker file remembers), so Ray
# must restart the actor, which loads the model again, and retry the request.
DYING = '''\
import os
import numpy as np

MARK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "killed-once")

def fragile(texts):
    import ray
    if ray.is_initialized() and ray.get_runtime_context().worker.mode == ray.WORKER_MODE \\
            and not os.path.exists(MARK):
        open(MARK, "w").close()
        os._exit(1)  # the worker process dies mid-request, as on a lost node
    p = np.array([min(len(t), 120) / 120 for t in texts])
    return np.stack([1 - p, p], axis=1)

fragile.labels = ["negative", "positive"]
'''
VOLATILE_RUN = ("id", "started_at", "finished_at", "command", "durations", "execution", "platform", "resumed")


def comparable(out) -> dict:
    """results.json without what differs between any two runs: clocks, ids, command, where it ran."""
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for key in VOLATILE_RUN:
        doc["run"].pop(key, None)
    doc["run"]["config"].pop("out", None)
    for probe in doc["probes"]:
        for unit in probe["results"].values():
            unit.pop("duration_s", None)
            unit["details"].pop("perturb_seconds", None)
            unit["details"].pop("perturbations_reused", None)  # side by side, the second model may not wait
    return doc


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = build_tfidf_workdir(tmp_path_factory.mktemp("ray"))
    (root / "dying_model.py").write_text(DYING, encoding="utf-8")
    (root / "audit.yaml").write_text(NOISE, encoding="utf-8")
    return root


def run(workdir, monkeypatch, out: str, *extra: str, models=("tfidf.skops",)) -> object:
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    args = ["run", "--data", "test.csv", "--config", "audit.yaml", "-q", "--out", out, *PROBES, *extra]
    for m in models:
        args += ["--model", m]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def local(workdir):
    with pytest.MonkeyPatch.context() as mp:
        res = run(workdir, mp, "local", models=("tfidf.skops", "len=dying_model:fragile"))
    assert res.exit_code == 0, res.output
    return workdir / "local"


@pytest.mark.ray
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_ray_run_equals_the_local_run(workdir, monkeypatch, local, workers):
    (workdir / "killed-once").touch()  # this test is not about failures: the fragile model stays up
    res = run(workdir, monkeypatch, f"ray{workers}", "--ray", "--ray-workers", workers,
              models=("tfidf.skops", "len=dying_model:fragile"))
    assert res.exit_code == 0, res.output
    out = workdir / f"ray{workers}"
    assert comparable(out) == comparable(local)
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    execution = doc["run"]["execution"]
    assert execution["engine"] == "ray" and execution["address"] == "local"
    assert execution["workers"] == {"tfidf": int(workers), "len": int(workers)}
    for name in ("predictions/noise--tfidf.jsonl", "predictions/metrics--len.jsonl"):
        if (local / name).exists():
            assert (out / name).read_bytes() == (local / name).read_bytes()


@pytest.mark.ray
def test_a_killed_worker_is_restarted_and_the_results_are_the_same(workdir, monkeypatch, local):
    (workdir / "killed-once").unlink(missing_ok=True)
    res = run(workdir, monkeypatch, "killed", "--ray", "--ray-workers", "2",
              models=("tfidf.skops", "len=dying_model:fragile"))
    assert res.exit_code == 0, res.output
    assert (workdir / "killed-once").exists()  # a worker did die
    assert comparable(workdir / "killed") == comparable(local)


@pytest.mark.ray
def test_an_interrupted_run_resumes_on_ray(workdir, monkeypatch, local):
    (workdir / "killed-once").touch()
    shutil.copytree(local, workdir / "resumed")
    path = workdir / "resumed" / "results.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for probe in doc["probes"]:  # as a driver killed during noise leaves it: later units not recorded
        if probe["name"] in ("noise", "counterfactual", "slices"):
            probe["results"] = {}
    doc["run"]["finished_at"] = None
    path.write_text(json.dumps(doc), encoding="utf-8")
    shutil.rmtree(workdir / "resumed" / "work" / "predictions")  # nothing journaled: the workers predict it all
    res = run(workdir, monkeypatch, "resumed", "--ray", "--resume", models=("tfidf.skops", "len=dying_model:fragile"))
    assert res.exit_code == 0, res.output
    got, want = comparable(workdir / "resumed"), comparable(local)
    cache = got["run"].pop("cache")
    want["run"].pop("cache")  # a resumed run counts only what it predicted itself
    assert cache["tfidf"]["texts_predicted"] > 0 and cache["len"]["model_calls"] > 0
    assert got == want


@pytest.mark.ray
def test_a_cluster_address_left_behind_does_not_stop_a_local_run(workdir, monkeypatch):
    """A head that was killed leaves /tmp/ray/ray_current_cluster; plain `ray.init()` would try to join that
    dead cluster, `--ray` (local) starts its own."""
    current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
    before = current.read_text(encoding="utf-8") if current.is_file() else None
    current.parent.mkdir(parents=True, exist_ok=True)
    current.write_text("127.0.0.1:9", encoding="utf-8")
    try:
        res = run(workdir, monkeypatch, "stale", "--ray", "--ray-workers", "1", models=("tfidf.skops",))
    finally:
        if before is None:
            current.unlink(missing_ok=True)
        else:
            current.write_text(before, encoding="utf-8")
    assert res.exit_code == 0, res.output


def test_errors_are_one_line_and_exit_2(workdir, monkeypatch):
    res = run(workdir, monkeypatch, "bad", "--ray", "nowhere")
    assert res.exit_code == 2 and "--ray takes local, auto, ray://HOST:PORT or HOST:PORT, not 'nowhere'" in res.output
    res = run(workdir, monkeypatch, "bad", "--ray-workers", "2")
    assert res.exit_code == 2 and "needs ray (--ray) too" in res.output
    assert "Traceback" not in res.output


@pytest.mark.ray
def test_an_unreachable_cluster_is_one_line(workdir, monkeypatch):
    res = run(workdir, monkeypatch, "far", "--ray", "127.0.0.1:9")
    assert res.exit_code == 2
    line = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert line == ["Error: Cannot reach the Ray cluster at 127.0.0.1:9 (Connection refused); start it with "
                    "`ray start --head`, check the address, or run without --ray."]


def test_without_ray_installed_the_flag_says_how_to_install_it(workdir, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    from audit.distributed.engine import RayEngine, RaySettings

    with pytest.raises(AuditError, match=r"^Ray is not installed; pip install 'audit-text-clf\[ray\]'"):
        RayEngine(RaySettings()).start()


def test_without_the_flag_ray_is_never_imported(workdir):
    code = ("import sys, audit; r = audit.run(models={'m': 'tfidf.skops'}, data='test.csv', probes=['metrics', "
            "'noise'], progress=False); assert 'ray' not in sys.modules, 'ray imported'; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


@pytest.mark.ray
def test_the_python_api_sends_an_in_memory_model_to_the_workers(workdir, tmp_path):
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    import audit

    frame = pd.read_csv(workdir / "test.csv")
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(frame["text"], frame["label"])
    kwargs = dict(models={"mem": pipe}, data=frame, probes=["metrics", "noise"], progress=False,
                  config={"probes": {"metrics": {}, "noise": {"perturbations": ["typo"], "severities": [0.2]}}})
    here = audit.run(out=tmp_path / "here", **kwargs)
    there = audit.run(out=tmp_path / "there", ray="local", ray_workers=2, **kwargs)
    assert there.doc["run"]["execution"]["workers"] == {"mem": 2}
    assert there.metrics.equals(here.metrics)


@pytest.mark.ray
def test_a_transformer_gives_the_local_probabilities_to_the_bit(tmp_path):
    """A Hugging Face model batches by length within a request; the pool keeps each batch whole on one worker,
    so with two workers every probability equals the local one exactly (not merely to 1e-7)."""
    from tiny_bert import build_tiny_bert, template_sentences

    from audit.config import ModelConfig
    from audit.distributed.engine import RayEngine, RaySettings
    from audit.models.loader import load_model

    folder = build_tiny_bert(tmp_path / "bert")
    texts = [t for t, _ in template_sentences()] * 3
    texts = [t + " !" * (i % 7) for i, t in enumerate(texts)]  # many lengths, so sorting matters
    mc = ModelConfig(spec=str(folder), batch_size=8)
    local = load_model(mc, name="bert", device="cpu")
    want = local.classifier.predict_proba(texts)
    engine = RayEngine(RaySettings(workers=2))
    engine.start()
    try:
        pooled = engine.wrap(local, mc, "cpu", 1)
        got = pooled.classifier.predict_proba(texts)
        assert len(set(engine.pools["bert"].pids())) == 2
    finally:
        engine.stop()
    assert np.array_equal(got, want)


def test_the_ray_client_sends_the_token_only_when_one_is_at_hand(tmp_path):
    from audit.distributed.engine import client_token_auth

    env: dict = {}
    client_token_auth(env, tmp_path)
    assert env == {}  # no token: Ray's own default
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("secret", encoding="utf-8")
    client_token_auth(env, tmp_path)
    assert env == {"RAY_AUTH_MODE": "token"}
    env = {"RAY_AUTH_MODE": "disabled"}
    client_token_auth(env, tmp_path)
    assert env == {"RAY_AUTH_MODE": "disabled"}  # the user's choice stands
    env = {"RAY_AUTH_TOKEN": "secret"}
    client_token_auth(env, tmp_path / "elsewhere")
    assert env["RAY_AUTH_MODE"] == "token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.ray
def test_a_cluster_joined_through_the_ray_client_with_a_token_gives_the_local_results(workdir, tmp_path):
    """`ray start --head` asking for a token, and `audit run --ray ray://...` in another process that has the
    token but no RAY_AUTH_MODE (the Ray client would not send it, and time out, without our help)."""
    token = tmp_path / "token"
    token.write_text(secrets.token_hex(32), encoding="utf-8")
    port, client_port = free_port(), free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    head = subprocess.Popen(
        [sys.executable, "-c", "from ray.scripts.scripts import main; main()", "start", "--head", "--block",
         f"--port={port}", f"--ray-client-server-port={client_port}", "--num-cpus=2", "--include-dashboard=false",
         "--disable-usage-stats"], env={**base, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", client_port)) == 0:
                    break
            assert head.poll() is None, "ray start --head ended early"
            time.sleep(1)
        args = [sys.executable, "-m", "audit", "run", "--model", "tfidf.skops", "--data", "test.csv", "--config",
                "audit.yaml", "--probe", "metrics", "--probe", "noise", "-q"]
        client = {**base, "RAY_AUTH_TOKEN_PATH": str(token)}
        for out, extra in (("client-local", []), ("client", ["--ray", f"ray://127.0.0.1:{client_port}"])):
            done = subprocess.run([*args, "--out", out, *extra], cwd=workdir, env=client, capture_output=True,
                                  text=True, timeout=600)
            assert done.returncode == 0, done.stderr[-2000:]
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # --block: the head stops its Ray processes as it ends
        head.wait(60)
        current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"  # left behind by the stopped head
        if current.is_file() and current.read_text(encoding="utf-8").strip().endswith(f":{port}"):
            current.unlink()
    doc = json.loads((workdir / "client" / "results.json").read_text(encoding="utf-8"))
    assert doc["run"]["execution"]["address"] == f"ray://127.0.0.1:{client_port}"
    assert comparable(workdir / "client") == comparable(workdir / "client-local")
