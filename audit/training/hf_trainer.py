"""Fine-tune a Hugging Face encoder into a text classifier with a plain torch loop.

No ``transformers.Trainer``: it drags in accelerate and hides what is run. This loop is AdamW
with linear warm-up and decay, dynamic padding, mixed precision on CUDA (fp32 on CPU), seeded,
and a stratified validation split. torch/transformers are imported inside :func:`train_hf` so
importing this module stays light. Sentence pairs are tokenized as ``tokenizer(text, text_pair)``
(separator and segment ids, as the audit reads them), and the saved config.json records what the
model reads (``audit_input``: ``pair`` or ``text``) so `audit run` can refuse the other kind of data.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from audit.core.dataset import Dataset
from audit.core.errors import AuditError
from audit.core.fileio import atomic_write_text
from audit.core.versions import package_versions
from audit.models.base import split_inputs
from audit.training.split import stratified_split

SUMMARY_FILE = "training_summary.json"
WARMUP_FRACTION = 0.1
WEIGHT_DECAY = 0.01
MAX_GRAD_NORM = 1.0


def _check_inputs(train: Dataset, labels: list[str] | None, epochs: int, batch_size: int,
                  val_fraction: float) -> list[str]:
    if len(train) == 0:
        raise AuditError("The training data is empty; give a dataset with at least one example per label.")
    labels = sorted(set(train.labels)) if labels is None else [str(x) for x in labels]
    if len(set(labels)) < 2:
        raise AuditError(f"Training needs at least 2 distinct labels, found {labels}; check the label column.")
    unknown = sorted(set(train.labels) - set(labels))
    if unknown:
        raise AuditError(f"Training labels {unknown} are not in the label list {labels}; add them or fix the data.")
    if epochs < 1 or batch_size < 1:
        raise AuditError(f"epochs and batch_size must be at least 1 (got {epochs} and {batch_size}).")
    if not 0 <= val_fraction < 1:
        raise AuditError(f"val_fraction must be in [0, 1), got {val_fraction}.")
    return labels


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def train_hf(base: str | Path, train: Dataset, out_dir: str | Path, *, labels: list[str] | None = None, epochs: int = 3,
             learning_rate: float = 5e-5, batch_size: int = 16, max_length: int = 128, val_fraction: float = 0.1,
             seed: int = 0, device: str = "auto", progress: Callable[[str, int], Callable[[int], Any]] | None = None) -> dict:
    """Fine-tune ``base`` on ``train``, save a model directory in ``out_dir``, return the summary."""
    base = str(base)
    labels = _check_inputs(train, labels, epochs, batch_size, val_fraction)
    from audit.models import huggingface as hf  # first: it sets OpenMP's wait policy before torch loads

    import torch
    import transformers
    from sklearn.metrics import accuracy_score, f1_score
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    kwargs = hf.hub_kwargs(base)
    out = Path(out_dir)
    if os.path.isdir(os.path.expanduser(base)) and out.resolve() == Path(os.path.expanduser(base)).resolve():
        raise AuditError(f"The output directory '{out_dir}' is the base model's directory; choose another so the base is not overwritten.")
    dev = hf.resolve_device(device)
    precision = hf.resolve_precision("auto", dev)
    if dev == "cpu":
        hf.configure_cpu_threads()
    started = time.perf_counter()
    _seed_everything(seed)
    label2id = {name: i for i, name in enumerate(labels)}
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # "newly initialized classifier weights" is the point here
    try:
        tokenizer = AutoTokenizer.from_pretrained(**kwargs)
        model = AutoModelForSequenceClassification.from_pretrained(
            **kwargs, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label2id,
            ignore_mismatched_sizes=True,
        )
        base_fingerprint = hf.fingerprint_dir(hf.snapshot_dir(base, kwargs["local_files_only"]))
    except hf.LOAD_ERRORS as exc:
        raise hf.load_error(base, exc) from exc
    finally:
        transformers.logging.set_verbosity(verbosity)
    if len(tokenizer) <= len(set(tokenizer.all_special_ids)):
        # transformers 5 builds a tokenizer of special tokens alone from a directory without tokenizer
        # files (4.x raised); training on it would read every word as [UNK]
        raise hf.load_error(base, ValueError("it holds no tokenizer files"))
    hf.ensure_pad_token(model, tokenizer)
    model = model.float().to(dev)

    tr_idx, va_idx = stratified_split(train.labels, val_fraction, seed)
    max_len = hf.effective_max_length(tokenizer, model.config, max_length)
    inputs = train.inputs  # texts, or (text, text_pair) tuples
    first, second = split_inputs([inputs[i] for i in tr_idx])
    enc = tokenizer(first, second, truncation=True, max_length=max_len, return_attention_mask=False)
    pads = hf.pad_values_for(tokenizer, enc)
    y = torch.tensor([label2id[train.labels[i]] for i in tr_idx], dtype=torch.long)
    steps_per_epoch = (len(tr_idx) + batch_size - 1) // batch_size
    total_steps = steps_per_epoch * epochs
    warmup = int(WARMUP_FRACTION * total_steps)

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / (warmup + 1) if s < warmup else max(0.0, (total_steps - s) / max(1, total_steps - warmup))
    )
    scaler = torch.amp.GradScaler("cuda", enabled=precision == "fp16")
    generator = torch.Generator().manual_seed(seed)
    advance = progress(f"Fine-tuning {Path(base).name or base} ({epochs} epochs)", total_steps) if progress else None

    val_texts = [inputs[i] for i in va_idx]
    val_gold = [train.labels[i] for i in va_idx]
    history: list[dict[str, Any]] = []
    for epoch in range(epochs):
        epoch_start = time.perf_counter()
        model.train()
        losses = []
        order = torch.randperm(len(tr_idx), generator=generator).tolist()
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = hf.collate(enc, idx, pads, tokenizer.padding_side, dev)
            with hf.autocast(dev, precision):
                logits = model(**batch).logits
            loss = torch.nn.functional.cross_entropy(logits.float(), y[idx].to(dev))
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
            scaler.step(optimizer)
            scaler.update()
            schedule.step()
            losses.append(loss.item())
            if advance:
                advance(1)
        row: dict[str, Any] = {"epoch": epoch + 1, "train_loss": float(np.mean(losses))}
        if va_idx:
            clf = hf.HFClassifier(model, tokenizer, labels=labels, fingerprint=f"unsaved:{base}", max_length=max_len,
                                  batch_size=max(32, batch_size), device=dev, precision=precision)
            pred = [labels[j] for j in clf.predict_proba(val_texts).argmax(axis=1)]
            row["validation_accuracy"] = float(accuracy_score(val_gold, pred))
            row["validation_macro_f1"] = float(f1_score(val_gold, pred, labels=labels, average="macro", zero_division=0))
        row["seconds"] = round(time.perf_counter() - epoch_start, 3)
        history.append(row)

    out.mkdir(parents=True, exist_ok=True)
    task = "pair" if train.is_pair else "text"
    setattr(model.config, hf.INPUT_MARKER, task)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    counts = {y: train.labels.count(y) for y in labels}
    last = history[-1]
    summary = {  # same layout as the TF-IDF trainer's summary, plus the transformer specifics
        "kind": "hf-finetune",
        "task": task,
        "model_path": str(out),
        "model_fingerprint": hf.fingerprint_dir(out),
        "base": base,
        "base_fingerprint": base_fingerprint,
        "data": {"source": train.source, "split": train.split, "fingerprint": train.fingerprint, "size": len(train),
                 "label_counts": counts, "train_size": len(tr_idx), "val_size": len(va_idx),
                 "label_map": dict(train.label_map)},
        "labels": labels,
        "hyperparameters": {"epochs": epochs, "learning_rate": learning_rate, "batch_size": batch_size,
                            "max_length": max_len, "val_fraction": val_fraction, "seed": seed,
                            "warmup_fraction": WARMUP_FRACTION, "weight_decay": WEIGHT_DECAY,
                            "max_grad_norm": MAX_GRAD_NORM, "optimizer": "AdamW", "schedule": "linear"},
        "validation": {"size": len(va_idx), "accuracy": last.get("validation_accuracy"),
                       "macro_f1": last.get("validation_macro_f1")},
        "train_loss": [r["train_loss"] for r in history],
        "history": history,
        "seconds": round(time.perf_counter() - started, 3),
        "device": dev,
        "precision": precision,
        "versions": package_versions(),
    }
    atomic_write_text(out / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")  # a summary means a finished model
    return summary
