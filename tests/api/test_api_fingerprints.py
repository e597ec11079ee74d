"""In-memory models get content fingerprints: the same content gives the same one in any process, so
resume and the prediction cache stay right; changed content gives a new one."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

import audit
from audit.models.fingerprint_objects import canonical_pickle, code_and_values

FIT_AND_HASH = textwrap.dedent("""
    import hashlib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from audit.models.fingerprint_objects import canonical_pickle
    texts = ["good film great", "bad film awful", "great acting", "awful plot"] * 5
    pipe = make_pipeline(TfidfVectorizer(stop_words=["the", "a", "of"]), LogisticRegression()).fit(texts, [1, 0, 1, 0] * 5)
    pipe.kept_ = {"alpha", "beta", "gamma", "delta", "epsilon"}
    print(hashlib.sha256(canonical_pickle(pipe)).hexdigest())
""")


def test_estimator_fingerprint_is_the_same_in_every_process():
    """Hash randomisation reorders sets, TfidfVectorizer keeps id() of its stop-word list, and dill (imported
    by datasets) rewrites pickle's shared table of savers: none of them counts."""
    digests = {subprocess.run([sys.executable, "-c", first + FIT_AND_HASH], capture_output=True, text=True,
                              check=True, env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout
               for seed, first in ((1, ""), (2, ""), (3, "import datasets\n"))}
    assert len(digests) == 1 and len(next(iter(digests)).strip()) == 64


def test_sets_pickle_in_sorted_order_whatever_their_iteration_order():
    a = {"x" * i for i in range(1, 30)}
    b = set(sorted(a, reverse=True))
    assert canonical_pickle(a) == canonical_pickle(b)


def test_callable_fingerprint_follows_code_and_the_values_it_reads():
    weights = np.array([0.2, 0.8])

    def fn(texts):
        return np.tile(weights, (len(texts), 1))

    before = code_and_values(fn)
    assert code_and_values(fn) == before
    weights = np.array([0.3, 0.7])  # noqa: F841  (the closure cell changes)
    assert code_and_values(fn) != before


def test_refit_estimator_is_a_new_model_and_resume_reuses_an_unchanged_one(estimator, frame, tmp_path):
    out = tmp_path / "o"
    first = audit.run(models={"m": estimator}, data=frame, probes=["metrics"], out=out, progress=False)
    again = audit.run(models={"m": estimator}, data=frame, probes=["metrics", "noise"], out=out, resume=True,
                      progress=False)
    fp = first.doc["models"][0]["fingerprint"]
    assert again.doc["models"][0]["fingerprint"] == fp
    metrics = lambda r: next(p for p in r.doc["probes"] if p["name"] == "metrics")["results"]["m"]  # noqa: E731
    assert metrics(again)["duration_s"] == metrics(first)["duration_s"]  # kept, not run again
    from sklearn.base import clone

    refit = clone(estimator).fit(frame.text[:40], frame.label[:40])
    third = audit.run(models={"m": refit}, data=frame, probes=["metrics"], out=out, resume=True, progress=False)
    assert third.doc["models"][0]["fingerprint"] != fp


def test_unreadable_callable_state_gives_a_run_only_fingerprint(frame, tmp_path):
    import threading

    lock = threading.Lock()  # cannot be pickled

    def fn(texts):
        with lock:
            return np.tile([0.5, 0.5], (len(texts), 1))

    result = audit.run(models={"f": fn}, data=frame, labels=["negative", "positive"], probes=["metrics"],
                       out=tmp_path / "o", progress=False)
    model = result.doc["models"][0]
    assert model["fingerprint"].startswith("run-only:")
    assert model["details"]["fingerprint_of"].startswith("this run only (content not readable: TypeError")
