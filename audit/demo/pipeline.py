"""`audit run` with no model: generate the corpus, train two models (cached), audit both.

Nothing in the demo is hard-coded: the corpus comes from seeded templates, both models are
trained here, and every number in the report comes from running the probes. Trained models
are cached under ``$AUDIT_CACHE_DIR`` (default ``~/.cache/audit``), keyed by everything that
would change them, so a second demo run skips training.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from audit import __version__
from audit.demo.corpus import generate, write_csv

CORPUS_SEED = 0
TRAIN_SIZE = 640
TEST_SIZE = 400
# Probe settings that keep the demo a few minutes on 2 CPU cores: a representative subset of the
# noise battery at two severities, and 40 attacked examples per recipe. `audit run` on your own
# models uses each probe's full defaults.
DEMO_PROBES = {
    "noise": {"perturbations": ["typo", "ocr", "homoglyph", "invisible", "word_drop", "synonym", "contraction",
                                "upper", "punct_remove", "social"], "severities": [0.05, 0.2]},
    "attack": {"examples": 40},
    "explain": {"misclassified": 3, "attacked": 3, "random": 5, "global_examples": 100, "ig_steps": 16},
}
TRANSFORMER = {"epochs": 3, "learning_rate": 1e-4, "batch_size": 16, "max_length": 64, "val_fraction": 0.1}


def cache_root() -> Path:
    return Path(os.environ.get("AUDIT_CACHE_DIR") or Path.home() / ".cache" / "audit")


def demo_key(train_fingerprint: str) -> str:
    """Everything that changes the trained models: data, hyper-parameters, audit and library versions."""
    from audit.core.versions import package_versions

    versions = {k: v for k, v in package_versions().items() if k in ("torch", "transformers", "scikit-learn", "skops")}
    blob = json.dumps([train_fingerprint, TRANSFORMER, __version__, versions], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def minilm_base() -> str:
    from audit.training.base_models import MINILM, resolve_base

    return resolve_base(MINILM)


def prepare_models(display, device: str | None) -> tuple[Path, Path, Path]:
    """The demo's test CSV and its two trained models, training them when not cached."""
    from audit.data_loader import DataConfig, load_dataset

    root = cache_root() / "demo"
    data_dir = root / "data"
    train_csv = write_csv(generate(TRAIN_SIZE, seed=CORPUS_SEED, skewed=True), data_dir / "train.csv")
    test_csv = write_csv(generate(TEST_SIZE, seed=CORPUS_SEED + 1, skewed=False), data_dir / "test.csv")
    train = load_dataset(DataConfig(source=str(train_csv), sensitive=("gender", "religion")))
    models_dir = root / f"models-{demo_key(train.fingerprint)}"
    minilm_dir = models_dir / "minilm-finetuned"
    tfidf_path = models_dir / "tfidf-logreg.skops"

    if not tfidf_path.is_file():
        from audit.training.tfidf import train_tfidf

        display.log("Demo: fitting the TF-IDF + logistic-regression baseline")
        train_tfidf(train, tfidf_path, seed=CORPUS_SEED)
    if not (minilm_dir / "training_summary.json").is_file():
        from audit.training.hf_trainer import train_hf

        display.log(f"Demo: fine-tuning MiniLM on {len(train)} reviews (cached after this run)")
        tmp = minilm_dir.with_name(minilm_dir.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        train_hf(minilm_base(), train, tmp, seed=CORPUS_SEED, device=device or "auto", progress=display.task,
                 **TRANSFORMER)
        shutil.rmtree(minilm_dir, ignore_errors=True)
        tmp.rename(minilm_dir)  # only a finished model counts as cached
    else:
        display.log(f"Demo: using cached models in {models_dir}")
    return test_csv, minilm_dir, tfidf_path


def run_demo(*, display, out: str, seed: int, probes: list[str] | None, device: str | None, ray=None):
    from audit.config import AuditConfig, ModelConfig
    from audit.runner import command_line, run_audit
    from rich.markup import escape

    from audit.probes.registry import all_probes, unavailable_lines

    # The demo needs nothing from the hub; say so, so that no library tries to reach it.
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")
    names = list(probes or all_probes())
    for line in unavailable_lines(names):  # before minutes of training: a probe this install cannot run
        display.log(f"[yellow]{escape(line)}[/yellow]")
    test_csv, minilm_dir, tfidf_path = prepare_models(display, device)
    cfg = AuditConfig(
        data={"source": str(test_csv), "sensitive": ["gender", "religion"]},
        models=(
            ModelConfig(spec=str(minilm_dir), name="minilm-finetuned", max_length=TRANSFORMER["max_length"]),
            ModelConfig(spec=str(tfidf_path), name="tfidf-logreg"),
        ),
        probes={name: DEMO_PROBES.get(name, {}) for name in names},
        seed=seed,
        out=out,
        device=device or "auto",
    )
    return run_audit(cfg, display=display, command=command_line(), ray=ray)
