"""False discoveries and power of the slices probe, by seeded simulation on a real dataset's slices.

The slices (and pairs of slices) are defined once from the texts, as the probe does. Each run draws which examples
a model gets wrong, and the probe's scoring (one-sided Fisher exact tests, Benjamini-Hochberg at q) reports its
weak slices:

* null, independent errors: every example wrong with the same probability, whatever its slices;
* null, permuted labels: a TF-IDF model trained on SST-2's training set, scored against the dev labels permuted
  at random (labels independent of the texts, so errors independent of the slices; skipped without train.tsv);
* planted: independent errors, then the correctness of a share ``f`` of the ``negation`` slice's examples flipped
  (its error rate rises by f (1 - 2 e)): is the slice found?

For each setting: the share of runs reporting any false slice (a slice whose expected error rate is not above the
rest's; under the null every reported slice is false), the false discovery proportion averaged over runs (the
false discovery rate), and (planted) how often the planted slice is found. "raw p <= q" reports every slice whose
unadjusted p is at most q: what a slice finder without multiplicity control does.

Run: python bench/bench_slices_fdr.py [--runs 1000] [--data ../shared/data/sst2/dev.tsv] (then the demo corpus)
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.probes.fairness.terms import load_axes  # noqa: E402
from audit.probes.slices.define import Settings, define  # noqa: E402
from audit.probes.slices.testing import score, weak  # noqa: E402

SST2 = ROOT.parent / "shared" / "data" / "sst2"
BASE_ERROR = 0.2
FLIPS = (0.05, 0.10, 0.15, 0.20, 0.30)


def read_tsv(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["sentence"] for r in rows], np.array([int(r["label"]) for r in rows])


def datasets(path: Path) -> list[tuple[str, list[str], np.ndarray | None]]:
    """(description, texts, labels or None): the TSV given (SST-2's dev set by default) when it is there, and the
    demo corpus, whose identity terms give many more slices (and pairs)."""
    from audit.demo.corpus import generate

    out = []
    if path.is_file():
        texts, labels = read_tsv(path)
        out.append((str(path), texts, labels))
    rows = generate(872, seed=1, skewed=False)
    out.append(("the demo corpus (872 texts)", [r["text"] for r in rows], None))
    return out


def simulate(masks: np.ndarray, draw, runs: int, q: float, truly_weak: np.ndarray, target: int | None) -> dict:
    """Runs of ``draw(rng) -> errors`` scored as the probe scores them; counts over runs."""
    any_false = any_false_raw = found = 0
    fdp = []
    for run in range(runs):
        errors = draw(np.random.default_rng(run))
        table = score(errors, masks, 0.95)
        _, reported = weak(table, q)
        false = reported & ~truly_weak
        any_false += bool(false.any())
        any_false_raw += bool(((table["p_value"] <= q) & (table["diff"] > 0) & ~truly_weak).any())
        fdp.append(false.sum() / max(1, reported.sum()))
        found += bool(target is not None and reported[target])
    return {"any_false": any_false / runs, "any_false_raw": any_false_raw / runs, "fdr": float(np.mean(fdp)),
            "power": found / runs if target is not None else None}


def permuted_null(texts: list[str], labels: np.ndarray):
    """A TF-IDF model of SST-2's training set; each run scores it against the dev labels permuted."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train_texts, train_labels = read_tsv(SST2 / "train.tsv")
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(train_texts[:20000],
                                                                                   train_labels[:20000])
    predicted = pipe.predict(texts)
    return lambda rng: predicted != rng.permutation(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--q", type=float, default=0.05)
    parser.add_argument("--data", type=Path, default=SST2 / "dev.tsv")
    args = parser.parse_args()
    for source, texts, labels in datasets(args.data):
        report(source, texts, labels, args.runs, args.q)


def report(source: str, texts: list[str], labels: np.ndarray | None, runs: int, q: float) -> None:
    sl = define(texts, None, load_axes(), {}, Settings())
    masks = sl.masks
    names = [s.name for s in sl.tested]
    n = len(texts)
    print(f"\ndata: {source}; {n} examples; {len(names)} slices and pairs of slices tested (min_size 30); "
          f"q = {q:g}; {runs} seeded runs per row; errors at {BASE_ERROR:g} outside the planted slice")
    rows = []
    nothing = np.zeros(len(names), dtype=bool)
    t0 = time.perf_counter()
    rows.append(("null: independent errors", simulate(masks, lambda rng: rng.random(n) < BASE_ERROR, runs, q,
                                                      nothing, None)))
    if labels is not None and (SST2 / "train.tsv").is_file():
        rows.append(("null: TF-IDF, permuted labels", simulate(masks, permuted_null(texts, labels), runs, q,
                                                               nothing, None)))
    target = names.index("negation")
    neg = masks[target]
    share_in = (masks & neg).sum(1) / masks.sum(1)
    share_out = (~masks & neg).sum(1) / (~masks).sum(1)
    truly_weak = share_in > share_out + 1e-12  # expected error above the rest's: holds more negations
    for f in FLIPS:
        def draw(rng, f=f):
            errors = rng.random(n) < BASE_ERROR
            return errors ^ (neg & (rng.random(n) < f))
        rows.append((f"planted: negation +{100 * f * (1 - 2 * BASE_ERROR):.0f} pts (flip {f:g})",
                     simulate(masks, draw, runs, q, truly_weak, target)))
    print(f"{'setting':<40} {'any false slice':>16} {'raw p <= q':>11} {'FDR':>7} {'power':>7}")
    for label, r in rows:
        power = "—" if r["power"] is None else f"{r['power']:.3f}"
        print(f"{label:<40} {r['any_false']:>16.3f} {r['any_false_raw']:>11.3f} {r['fdr']:>7.3f} {power:>7}")
    print(f"nominal q = {q:g}; negation slice: {int(neg.sum())} examples; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
