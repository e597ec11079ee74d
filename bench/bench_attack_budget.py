"""Attack outcomes under machine load: `audit run` with the attack probe on SST-2 dev examples and a
TF-IDF model, on the machine as it is and with busy-loop processes beside it, per time budget.
Prints a table: load average during each run, success rate with its Wilson CI, outcome counts, and
whether every example's outcome matches the first run of the same budget (same seed, same sample).

The TF-IDF model is trained once (`audit train --arch tfidf` on SST-2 train sentences) and cached
under $AUDIT_CACHE_DIR/bench. ``--src`` runs another checkout's code (e.g. main) with this venv.

    python bench/bench_attack_budget.py                  # textfooler, 100 examples, no budget and 60 s, busy 0 and 2
    python bench/bench_attack_budget.py --n 30 --recipe deepwordbug --budgets default,5 --busy 0,2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SST2 = REPO.parent / "shared" / "data" / "sst2"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def ensure_model(train_size: int) -> Path:
    sys.path.insert(0, str(REPO))
    from audit.resources.paths import cache_root

    out = cache_root() / "bench" / f"attack-budget-tfidf-sst2-n{train_size}.skops"
    if not out.is_file():
        subprocess.run([sys.executable, "-m", "audit", "train", "--data", str(SST2 / "train.tsv"), "--arch", "tfidf",
                        "--limit", str(train_size), "--label-names", "negative,positive", "--out", str(out)],
                       check=True, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL)
    return out


def run_once(src: Path, model: Path, recipe: str, n: int, budget: str, busy: int, out: Path) -> dict:
    attack = {"recipes": [recipe], "examples": n, **({} if budget == "default" else {"time_budget_s": float(budget)})}
    config = out / "audit.json"  # JSON is YAML
    config.write_text(json.dumps({"seed": 0, "probes": {"attack": attack}}))
    loads: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(5):
            loads.append(os.getloadavg()[0])

    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "audit", "run", "--config", str(config), "--model", f"tfidf={model}",
                        "--data", str(SST2 / "dev.tsv"), "--out", str(out / "run"), "--quiet"],
                       check=True, cwd=src, env=ENV, stdout=subprocess.DEVNULL)
    finally:
        wall = time.perf_counter() - t0
        done.set()
        for hog in hogs:
            hog.kill()
            hog.wait()
    result = next(p for p in json.loads((out / "run" / "results.json").read_text())["probes"]
                  if p["name"] == "attack")["results"]["tfidf"]
    with (out / "run" / "predictions" / "attack--tfidf.jsonl").open() as fh:
        records = [json.loads(line) for line in fh]
    return {"metrics": result["metrics"], "counts": result["details"]["recipes"][recipe], "wall": wall,
            "load": (sum(loads) / len(loads), max(loads)) if loads else (os.getloadavg()[0],) * 2,
            "outcomes": {r["id"]: (r["outcome"], r.get("reason")) for r in records}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="dev examples sampled and attacked")
    ap.add_argument("--recipe", default="textfooler")
    ap.add_argument("--budgets", default="default,60", help="time_budget_s values; 'default': the key left out")
    ap.add_argument("--busy", default="0,2", help="busy-loop processes beside each run")
    ap.add_argument("--train", type=int, default=5000, help="SST-2 train sentences for the TF-IDF model")
    ap.add_argument("--src", type=Path, default=REPO, help="checkout whose code runs (this venv's python)")
    args = ap.parse_args()
    model = ensure_model(args.train)
    print(f"{args.recipe} on {args.n} SST-2 dev examples, TF-IDF model ({args.train} train sentences), "
          f"code from {args.src}")
    print(f"{'budget':>8} {'busy':>4} {'load1':>11} {'wall s':>7} {'success rate [95% CI]':>24} "
          f"{'succ/fail/inc/skip':>18} {'time-stopped':>12} {'same outcomes':>13}")
    first: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for budget in args.budgets.split(","):
            for busy in (int(b) for b in args.busy.split(",")):
                out = Path(tmp) / f"{budget}-{busy}"
                out.mkdir()
                r = run_once(args.src, model, args.recipe, args.n, budget, busy, out)
                m, c = r["metrics"][f"success_rate/{args.recipe}"], r["counts"]
                stopped = sum(1 for o, why in r["outcomes"].values() if why == "time_budget")
                same = "-" if budget not in first else ("yes" if r["outcomes"] == first[budget] else "no")
                first.setdefault(budget, r["outcomes"])
                ci = "[{:.3f}, {:.3f}]".format(*m["ci"]) if m.get("ci") else ""
                print(f"{budget:>8} {busy:>4} {r['load'][0]:>5.2f}/{r['load'][1]:<5.2f} {r['wall']:>7.0f} "
                      f"{m['value'] or 0:>9.3f} {ci:>14} "
                      f"{c['successes']:>4}/{c['failures']}/{c.get('inconclusive', 0)}/{c['skipped']:<6} "
                      f"{stopped:>12} {same:>13}", flush=True)


if __name__ == "__main__":
    main()
