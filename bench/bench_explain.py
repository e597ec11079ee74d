"""Seconds per explained example for each method of the `explain` probe, batched and one at a time.

Models: a tiny BERT built on the fly (always); the demo's fine-tuned MiniLM when `audit demo` has
cached it, else the MiniLM that bench_attack.py fine-tuned on SST-2 when that is cached; any
Hugging Face directory given with --model. Texts: SST-2 dev sentences when ../shared/data is
there, else the demo corpus. Each method runs on a fresh prediction cache (occlusion's erased
texts are really predicted) as the probe runs it; gradient and attention methods also run with
batch size 1 (IG: one text per pass, its interpolation points always share a pass), to show
what batching buys on the same texts. "erasure" is the faithfulness scoring of one method
(its 2 x len(k) erased texts per example), "stability" one noisy copy per example re-explained.

Run: python bench/bench_explain.py [--n 64] [--threads 1] [--model DIR ...]
Times are best-of-``--repeats`` wall seconds; --threads 1 (the default) keeps figures stable on
a shared machine.
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
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
SST2 = REPO.parent / "shared" / "data" / "sst2"

from audit.cache import PredictionCache  # noqa: E402
from audit.probes.explain.config import METHODS, ExplainConfig  # noqa: E402
from audit.probes.explain.faithfulness import score_all  # noqa: E402
from audit.probes.explain.methods import run_method  # noqa: E402
from audit.probes.explain.stability import noisy_copies  # noqa: E402


def texts_for(n: int) -> tuple[list[str], str]:
    if (SST2 / "dev.tsv").is_file():
        import csv

        with (SST2 / "dev.tsv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        return [r["sentence"] for r in rows[:n]], "sst2/dev"
    from audit.demo.corpus import generate

    return [r["text"] for r in generate(n, seed=1, skewed=False)], "demo corpus"


def cached_minilm() -> tuple[str, Path] | None:
    from audit.demo.pipeline import cache_root

    demo = sorted((cache_root() / "demo").glob("models-*/minilm-finetuned/training_summary.json"))
    if demo:
        return "minilm-demo", demo[-1].parent
    bench = sorted((cache_root() / "bench").glob("attack-minilm-*/training_summary.json"))
    return ("minilm-sst2", bench[-1].parent) if bench else None


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(name: str, path: Path, texts: list[str], cfg: ExplainConfig, repeats: int) -> list[tuple]:
    from audit.models.huggingface import load_hf_model

    loaded = load_hf_model(str(path), name=name, device="cpu", batch_size=cfg.batch_size, max_length=128)
    fresh = lambda: PredictionCache().wrap(loaded)  # noqa: E731
    targets = [int(t) for t in fresh().predict_proba(texts).argmax(axis=1)]
    one_cfg = ExplainConfig(batch_size=1, ig_steps=cfg.ig_steps)
    rows = []
    copies = noisy_copies(texts, [str(i) for i in range(len(texts))], "typo", 0.1, 1, seed=0)
    for method in METHODS:
        run_method(method, fresh(), texts[:4], targets[:4], cfg)  # warm-up
        batched = best(lambda: run_method(method, fresh(), texts, targets, cfg), repeats) / len(texts)
        single = None
        if method != "occlusion":  # occlusion is one prediction request either way
            k = max(4, len(texts) // 4)  # a quarter of the texts suffices for the slow path
            single = best(lambda: run_method(method, fresh(), texts[:k], targets[:k], one_cfg), 1) / k
            same = best(lambda: run_method(method, fresh(), texts[:k], targets[:k], cfg), repeats) / k
            single = (single, single / same)  # seconds, and speed-up of batching on the same texts
        attr, _ = run_method(method, fresh(), texts, targets, cfg)
        erasure = best(lambda: score_all(fresh(), texts, [str(i) for i in range(len(texts))], targets, {method: attr},
                                         cfg.k, 0, 1), repeats) / len(texts)
        stab = best(lambda: run_method(method, fresh(), [t for _, t in copies], [targets[i] for i, _ in copies], cfg),
                    1) / max(1, len(copies))
        rows.append((name, method, batched, single, erasure, stab))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=64, help="texts explained per model")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: stable on a shared machine)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--ig-steps", type=int, default=32)
    parser.add_argument("--model", action="append", default=[], help="extra Hugging Face model directory")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from tiny_bert import build_tiny_bert

    texts, source = texts_for(args.n)
    cfg = ExplainConfig(ig_steps=args.ig_steps)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        models = [("tiny-bert", build_tiny_bert(Path(tmp) / "tiny"))]
        found = cached_minilm()
        models += [found] if found else []
        models += [(Path(m).name, Path(m)) for m in args.model]
        for name, path in models:
            rows += measure(name, path, texts, cfg, args.repeats)
    print(f"{'model':<14}{'method':<22}{'s/example':>11}{'unbatched':>11}{'speed-up':>10}{'erasure':>10}{'stability':>11}")
    for name, method, batched, single, erasure, stab in rows:
        speed = f"{single[1]:>9.1f}x" if single else f"{'-':>10}"
        unb = f"{single[0]:>11.4f}" if single else f"{'-':>11}"
        print(f"{name:<14}{method:<22}{batched:>11.4f}{unb}{speed}{erasure:>10.4f}{stab:>11.4f}")
    if not found:
        print("\n(no cached MiniLM: run `audit demo` once to bench the demo's fine-tuned MiniLM too)")
    print(f"\n{len(texts)} texts from {source}; seconds of wall time per explained example, best of {args.repeats}; "
          f"batch size {cfg.batch_size}, IG {cfg.ig_steps} steps (trapezoid), k = {list(cfg.k)}; torch threads "
          f"{args.threads}; unbatched = batch size 1 on the first {max(4, len(texts) // 4)} texts, speed-up = its time over "
          "the batched time on the same texts (IG batches its ig_steps + 1 points per text either way); erasure = faithfulness "
          "scoring of that method's attributions; stability = one noisy copy re-explained.")


if __name__ == "__main__":
    main()
