"""Added wall time of the diagnosis analyses (robustness by group, bias AUCs, weak slices) as a share of a
whole audit, on the embedded demo and on 872 SST-2 sentences with two models.

Every analysis reuses predictions the other probes made, so it should cost little: target under 5% of the
audit. What is timed, inside one real audit with every default probe:

- robustness by group: the breakdown inside noise, attack and counterfactual (wrapped with a timer here);
- bias AUCs: the whole `bias-auc` unit of each model (its predictions come from the cache);
- weak slices: the whole `slices` unit of each model, plus the paired slice comparison at the end of the run.

Scenarios: ``demo`` is `audit run` with no model (MiniLM and TF-IDF on the demo corpus; cached models are
reused when present); ``sst2`` audits two TF-IDF pipelines trained on 20,000 SST-2 training sentences
(logistic regression and naive Bayes) on the 872 dev sentences through ``audit.run``.

Run: HF_HUB_OFFLINE=1 python bench/bench_diagnosis.py [--scenario demo|sst2|both]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
SST2 = ROOT.parent / "shared" / "data" / "sst2"
TIMERS: dict[str, float] = defaultdict(float)


def timed(owner, name: str, key: str) -> None:
    """Replace ``owner.name`` by a wrapper that adds its wall time to ``TIMERS[key]``."""
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMERS[key] += time.perf_counter() - t0

    setattr(owner, name, wrapper)


def install_timers() -> None:
    import audit.predictions.paired_verdicts as paired
    import audit.probes.attack.probe as attack
    import audit.probes.fairness.counterfactual.probe as counterfactual
    from audit.probes.noise import NoiseProbe

    timed(NoiseProbe, "by_group", "by group")
    timed(attack, "attack_measures", "by group")
    timed(attack, "by_sensitive_groups", "by group")
    timed(counterfactual, "counterfactual_groups", "by group")
    timed(counterfactual, "breakdown", "by group")
    for name in ("slices_block", "paired_slices"):  # the paired slice comparison, whichever name it has
        if hasattr(paired, name):
            timed(paired, name, "slices (paired)")


def unit_seconds(doc: dict, probe: str) -> float:
    entry = next((p for p in doc["probes"] if p["name"] == probe), None)
    return sum(float(r.get("duration_s") or 0) for r in (entry or {}).get("results", {}).values())


def demo(out: Path) -> tuple[float, dict]:
    from audit.cli import main

    t0 = time.perf_counter()
    try:
        main(["run", "--out", str(out), "--quiet"], standalone_mode=False)
    except SystemExit as exc:  # a failing gate or finding exit code still leaves the results
        if exc.code not in (0, 1, None):
            raise
    return time.perf_counter() - t0, json.loads((out / "results.json").read_text(encoding="utf-8"))


def sst2(out: Path) -> tuple[float, dict]:
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    import audit

    train = pd.read_csv(SST2 / "train.tsv", sep="\t").sample(20000, random_state=0)
    dev = pd.read_csv(SST2 / "dev.tsv", sep="\t")
    names = {0: "negative", 1: "positive"}
    x, y = train["sentence"].tolist(), train["label"].map(names).tolist()
    models = {"tfidf-lr": make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2),
                                        LogisticRegression(max_iter=1000)).fit(x, y),
              "tfidf-nb": make_pipeline(TfidfVectorizer(min_df=2), MultinomialNB()).fit(x, y)}
    frame = pd.DataFrame({"text": dev["sentence"], "label": dev["label"].map(names)})
    t0 = time.perf_counter()
    result = audit.run(models=models, data=frame, out=out, progress=False)
    return time.perf_counter() - t0, result.doc


def row(name: str, total: float, doc: dict) -> list[str]:
    parts = {"by group": TIMERS["by group"], "bias-auc": unit_seconds(doc, "bias-auc"),
             "slices": unit_seconds(doc, "slices") + TIMERS["slices (paired)"]}
    added = sum(parts.values())
    return [name, f"{len(doc['models'])}", f"{doc['dataset']['size']:,}", f"{total:.1f}"] + \
        [f"{v:.2f}" for v in parts.values()] + [f"{added:.2f}", f"{100 * added / total:.2f}%"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("demo", "sst2", "both"), default="both")
    parser.add_argument("--keep", help="Write each scenario's audit under this folder (kept) instead of a temporary one.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    install_timers()
    rows = []
    for name, fn in (("demo", demo), ("sst2", sst2)):
        if args.scenario not in (name, "both"):
            continue
        if name == "sst2" and not (SST2 / "dev.tsv").exists():
            print(f"skipped sst2: {SST2} is absent")
            continue
        TIMERS.clear()
        with tempfile.TemporaryDirectory() as tmp:
            total, doc = fn(Path(args.keep or tmp) / name)
        rows.append(row(name, total, doc))
        statuses = sorted({f"{p['name']}: {r.get('status')}" for p in doc["probes"] for r in p["results"].values()})
        print(f"{name} units: {', '.join(statuses)}")
    heads = ["scenario", "models", "examples", "audit s", "by group s", "bias-auc s", "slices s", "added s", "share"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)] if rows else []
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths)))
    for r in rows:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths)))
    print(f"CPU cores: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
