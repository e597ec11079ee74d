"""How an audit grows with its data: wall time and peak memory per part, printed as a table.

Part "size": `audit run` with the metrics and noise probes (default noise config: 21
perturbations x 3 severities) on 1k, 10k and 50k texts with a TF-IDF + logistic-regression model.
The model is trained once on SST-2 train (``../shared/data/sst2/train.tsv``; the demo corpus when
that file is absent) and cached under $AUDIT_CACHE_DIR/bench; the audited texts are drawn from the
same sentences with replacement, each with its own id. Every size runs in a fresh subprocess behind
its own wrapper, so its peak RSS (``RUSAGE_CHILDREN`` of the wrapper) is that run's alone. Targets:
time near-linear in the size, and memory that does not hold every perturbed text at once (RSS per
1k texts falling as the size grows, not flat or rising).

More parts (e.g. a Ray engine) plug into ``PARTS``: a function from the parsed arguments to
printed lines.

Run: python bench/bench_scale.py [--part size] [--sizes 1000,10000,50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SST2_TRAIN = REPO.parent / "shared" / "data" / "sst2" / "train.tsv"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
sys.path.insert(0, str(REPO))


# --- part "size" -------------------------------------------------------------------------------------


def corpus() -> tuple[list[str], list[str], str]:
    """(sentences, labels, source): SST-2 train when it is there, else the demo corpus generator."""
    if SST2_TRAIN.is_file():
        with SST2_TRAIN.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if r["sentence"].strip()]
        return [r["sentence"].strip() for r in rows], [r["label"] for r in rows], "sst2/train.tsv"
    from audit.demo.corpus import generate

    rows = generate(20000, seed=0, skewed=False)
    return [r["text"] for r in rows], [r["label"] for r in rows], "demo corpus (SST-2 train not found)"


def tfidf_model(texts: list[str], labels: list[str], source: str) -> Path:
    """TF-IDF + logistic regression on the whole corpus, trained once and kept in the audit cache."""
    from audit.core.dataset import Dataset
    from audit.resources.paths import cache_root
    from audit.training.tfidf import train_tfidf

    out = cache_root() / "bench" / f"scale-tfidf-{source.split()[0].replace('/', '-')}-{len(texts)}.skops"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        train = Dataset([str(i) for i in range(len(texts))], texts, labels, source)
        train_tfidf(train, out, val_fraction=0.0)
    return out


def audit_data(texts: list[str], labels: list[str], n: int, path: Path, seed: int = 0) -> Path:
    """``n`` texts drawn with replacement (ids unique), written as a CSV the audit reads."""
    rng = random.Random(seed)
    rows = [rng.randrange(len(texts)) for _ in range(n)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "label"])
        writer.writerows((f"x{i}", texts[j], labels[j]) for i, j in enumerate(rows))
    return path


def audit_once(model: Path, data: Path, out: Path) -> dict:
    """`audit run` (metrics + noise) in a fresh process; wall seconds, peak RSS and the results' figures."""
    cmd = [sys.executable, "-m", "audit", "run", "--model", f"tfidf={model}", "--data", str(data), "--probe",
           "metrics", "--probe", "noise", "--out", str(out), "--quiet"]
    # A fresh wrapper per run, so each run's peak is its own (RUSAGE_CHILDREN keeps the max ever).
    wrapper = ("import resource, subprocess, sys\n"
               f"subprocess.run({cmd!r}, check=True, stdout=subprocess.DEVNULL)\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper], env=ENV, cwd=REPO, check=True, capture_output=True,
                          text=True)
    wall = time.perf_counter() - t0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    noise = next(p for p in doc["probes"] if p["name"] == "noise")["results"]["tfidf"]
    return {"wall": wall, "rss": int(done.stdout.split()[-1]) / 1024,
            "predicted": doc["run"]["cache"]["tfidf"]["texts_predicted"], "noise_s": noise["duration_s"],
            "perturb_s": noise["details"]["perturb_seconds"], "status": noise["status"]}


def size_rows(sizes: list[int], keep: str | None) -> tuple[list[tuple[int, dict]], str]:
    texts, labels, source = corpus()
    model = tfidf_model(texts, labels, source)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            data = audit_data(texts, labels, n, root / f"data-{n}.csv")
            rows.append((n, audit_once(model, data, root / f"out-{n}")))
    return rows, source


def size_part(args: argparse.Namespace) -> list[str]:
    rows, source = size_rows(args.sizes, args.keep)
    lines = [f"{'texts':>7}{'wall s':>9}{'peak RSS MiB':>14}{'s / 1k':>8}{'MiB / 1k':>10}{'predicted':>11}"
             f"{'noise s':>9}{'perturb s':>11}"]
    for n, r in rows:
        k = n / 1000
        lines.append(f"{n:>7}{r['wall']:>9.1f}{r['rss']:>14.0f}{r['wall'] / k:>8.2f}{r['rss'] / k:>10.1f}"
                     f"{r['predicted']:>11}{r['noise_s']:>9.1f}{r['perturb_s']:>11.1f}"
                     + ("" if r["status"] == "ok" else f"  noise: {r['status']}"))
    lines.append(f"data: {source}, drawn with replacement; model: TF-IDF + logistic regression; probes: metrics, "
                 "noise (default config); predicted = texts the prediction cache sent to the model; noise s = the "
                 "noise probe's own duration, perturb s = its perturbing part")
    return lines


# --- driver -------------------------------------------------------------------------------------------

PARTS: dict[str, Callable[[argparse.Namespace], list[str]]] = {"size": size_part}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", action="append", choices=list(PARTS), help="part to run (repeatable; default: all)")
    parser.add_argument("--sizes", type=lambda s: [int(v) for v in s.split(",")], default=[1000, 10000, 50000],
                        help="part size: texts per run, comma-separated")
    parser.add_argument("--keep", help="write the data and outputs here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    for name in args.part or list(PARTS):
        print(f"== {name}")
        print("\n".join(PARTS[name](args)))
    print(f"CPU cores: {os.cpu_count()}; load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
