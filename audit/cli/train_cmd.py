"""`audit train`: fine-tune a transformer, or fit the TF-IDF + logistic-regression baseline, on texts
or on sentence pairs (found as `audit run` finds them, or named with --text-pair-col)."""

from __future__ import annotations

import json

import click

from audit.cli import debug_option
from audit.core.bounds import SEED_MAX
from audit.training.base_models import MINILM, resolve_base


@click.command("train")
@click.option("--data", "data_source", required=True, metavar="SOURCE", help="Labelled training data (file or hub dataset).")
@click.option("--out", required=True, type=click.Path(), help="Model directory (transformer) or .skops file (tfidf).")
@click.option("--arch", type=click.Choice(["transformer", "tfidf"]), default="transformer", show_default=True)
@click.option("--base", default=MINILM, show_default=True, help="Transformer to fine-tune: a local dir, hub id, or 'minilm'.")
@click.option("--text-col", "text_col", multiple=True, metavar="COL",
              help="Text column (default: a known pair such as sentence1/sentence2, else text/sentence/...).")
@click.option("--text-pair-col", metavar="COL",
              help="Second text of a sentence pair: the model is trained on (text, text pair) and saved as a pair model.")
@click.option("--label-col")
@click.option("--label-map", "label_map", multiple=True, metavar="RAW=NAME", help="Rename labels, e.g. 0=negative.")
@click.option("--label-names", "label_names", metavar="NAME,NAME,...",
              help="Names of integer labels in ascending order (0, 1, ...), e.g. negative,positive: the saved model "
                   "reports them and keeps that class order.")
@click.option("--limit", type=int, help="Train on a stratified sample of N examples.")
@click.option("--epochs", type=int, default=3, show_default=True)
@click.option("--lr", "learning_rate", type=float, default=5e-5, show_default=True)
@click.option("--batch-size", type=int, default=16, show_default=True)
@click.option("--max-length", type=int, default=128, show_default=True)
@click.option("--val-fraction", type=float, default=0.1, show_default=True)
@click.option("--seed", type=click.IntRange(0, SEED_MAX), default=0, show_default=True)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto", show_default=True)
@debug_option
def train(data_source, out, arch, base, text_col, text_pair_col, label_col, label_map, label_names, limit, epochs, learning_rate,
          batch_size, max_length, val_fraction, seed, device):
    """Train a classifier on SOURCE and save it where `audit run --model` can load it.

    Writes a training summary JSON (data fingerprint, hyper-parameters, validation metrics,
    time) beside the model. Integer labels get names with --label-names (or --label-map). On
    sentence pairs the model records that it reads pairs, and `audit run` gives it pairs only.
    """
    from audit.cli.run_cmd import parse_label_map, single_text_col
    from audit.data_loader import DataConfig, load_dataset
    from audit.core.errors import AuditError
    from audit.core.progress import Display
    from audit.training.label_names import INTEGER, UNNAMED, WITH_LABEL_MAP, name_labels, parse_label_names

    if limit is not None and limit <= 0:
        raise AuditError(f"--limit must be a positive number of examples, not {limit}.")
    if not 0 < val_fraction < 1:
        raise AuditError(f"--val-fraction must be between 0 and 1, not {val_fraction}.")
    if epochs < 1 or batch_size < 1 or max_length < 1:
        raise AuditError("--epochs, --batch-size and --max-length must be >= 1.")
    if label_names is not None and label_map:
        raise AuditError(WITH_LABEL_MAP)
    names = parse_label_names(label_names) if label_names is not None else None
    data = load_dataset(DataConfig(source=data_source, text_col=single_text_col(text_col, text_pair_col),
                                   text_pair_col=text_pair_col, label_col=label_col,
                                   label_map=parse_label_map(label_map) or None, limit=limit, seed=seed))
    labels = None  # the class order: sorted label names, or the integer order with --label-names
    if names is not None:
        data, labels = name_labels(data, names)
    with Display() as display:
        if names is None and not label_map and all(INTEGER.fullmatch(y) for y in data.label_names):
            display.log(UNNAMED.format(labels=", ".join(data.label_names)))
        what = (f"sentence pairs ('{data.columns['text']}', '{data.columns['text_pair']}')" if data.is_pair
                else "examples")
        display.log(f"Training {arch} on {data.source}: {len(data)} {what}, labels {', '.join(labels or data.label_names)}")
        if arch == "tfidf":
            from audit.training.tfidf import train_tfidf

            summary = train_tfidf(data, out, labels=labels, val_fraction=val_fraction, seed=seed)
        else:
            from audit.training.hf_trainer import train_hf

            summary = train_hf(resolve_base(base), data, out, labels=labels, epochs=epochs, learning_rate=learning_rate,
                               batch_size=batch_size, max_length=max_length, val_fraction=val_fraction, seed=seed,
                               device=device, progress=display.task)
    click.echo(json.dumps({k: summary[k] for k in summary if k in ("task", "validation", "seconds", "labels")}, indent=2))
    click.echo(f"Saved to {out}. Audit it with: audit run --model {out} --data YOUR_TEST_DATA")
