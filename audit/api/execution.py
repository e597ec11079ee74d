"""``audit.run``: the audit as a Python call; ``audit run`` on the command line goes through the same two steps.

:func:`configure` turns arguments (paths, or Python objects) into the validated config, and
:func:`execute` runs it into an output folder and returns an :class:`~audit.api.result.AuditResult`.
The CLI parses its flags into the same arguments, so a notebook and a CI job run the same code
and write the same results.json.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from audit.api.inputs import data_entry, model_entries
from audit.api.result import AuditResult
from audit.config import AuditConfig, resolve_config
from audit.core.errors import AuditError

API_COMMAND = "audit.run (Python API)"


def run(models: Any = None, data: Any = None, *, probes: Sequence[str] | None = None,
        config: str | Path | Mapping[str, Any] | None = None, seed: int | None = None, out: str | Path | None = None,
        device: str | None = None, labels: Sequence[str] | None = None, text_col: str | None = None,
        text_pair_col: str | None = None, label_col: str | None = None, id_col: str | None = None,
        sensitive: Sequence[str] | None = None, label_map: Mapping[Any, str] | None = None, limit: int | None = None,
        label_value: str | None = None, data_key: str | None = None, encoding: str | None = None,
        split: str | None = None, trust_model: bool = False, trust_remote_code: bool = False,
        resume: bool = False, progress: bool = True, ray: str | None = None,
        ray_workers: int | None = None) -> AuditResult:
    """Audit ``models`` on ``data`` and return the result (nothing is rendered until ``result.write()``).

    ``models``: ``{"name": model}`` (or one model), where a model is a path or hub id as on the command
    line, ``(transformers_model, tokenizer)``, a ``pipeline("text-classification")``, a fitted estimator
    with ``predict_proba``, a callable from texts to probabilities, or a mapping of one of those
    (``spec``/``model``) with settings (``labels``, ``max_length``, ``batch_size``, ``precision``, ...).
    ``data``: a path or hub name, a pandas DataFrame, a ``datasets.Dataset`` or a ``DatasetDict`` with
    ``split``. ``config``: a YAML file or the same mapping; the arguments win over it, as flags do.
    ``out``: the folder results.json and the per-example predictions are saved to as the audit goes
    (a new temporary folder when None); ``resume=True`` continues an interrupted audit there.
    ``ray``: make the predictions on Ray (``"local"`` starts an instance here, ``"auto"`` or
    ``"ray://host:10001"`` joins a cluster), ``ray_workers`` actors per model (default: the cluster's CPUs).
    Bad input raises an :class:`audit.AuditError` subclass; the one raised mid-run carries the finished
    work as ``err.result``.
    """
    cfg = configure(models=models, data=data, probes=probes, config=config, seed=seed, out=out, device=device,
                    labels=labels, text_col=text_col, text_pair_col=text_pair_col, label_col=label_col,
                    id_col=id_col, sensitive=sensitive, label_map=label_map, limit=limit, label_value=label_value,
                    data_key=data_key, encoding=encoding, split=split, trust_model=trust_model,
                    trust_remote_code=trust_remote_code)
    from audit.core.progress import Display

    with Display(quiet=not progress) as display:
        result = execute(cfg, display=display, command=API_COMMAND, resume=resume,
                         ray=ray_settings(ray, ray_workers))
        display.done()
    return result


def configure(*, models: Any = None, data: Any = None, probes: Sequence[str] | None = None,
              config: str | Path | Mapping[str, Any] | None = None, seed: int | None = None,
              out: str | Path | None = None, device: str | None = None, labels: Sequence[str] | None = None,
              text_col: str | None = None, text_pair_col: str | None = None, label_col: str | None = None,
              id_col: str | None = None, sensitive: Sequence[str] | None = None,
              label_map: Mapping[Any, str] | None = None, limit: int | None = None, label_value: str | None = None,
              data_key: str | None = None, encoding: str | None = None, split: str | None = None,
              trust_model: bool = False, trust_remote_code: bool = False,
              out_default: str | None = None) -> AuditConfig:
    """The validated config for these arguments (nothing loads yet). Without ``out`` (here or in the
    config) results go to ``out_default``, or to a new temporary folder when that is None too."""
    if isinstance(probes, str):
        probes = [probes]
    if isinstance(sensitive, str):
        sensitive = [sensitive]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise AuditError(f"limit must be a positive number of examples, not {limit!r}.")
    data_map = {**data_entry(data, split), "text_col": text_col, "text_pair_col": text_pair_col,
                "label_col": label_col, "id_col": id_col, "sensitive": list(sensitive) if sensitive else None,
                "label_map": {str(k): str(v) for k, v in label_map.items()} if label_map else None, "limit": limit,
                "key": data_key, "label_value": label_value, "encoding": encoding}
    if out is None and not _configured_out(config):
        out = out_default or tempfile.mkdtemp(prefix="audit-run-")
    return resolve_config(
        dict(config) if isinstance(config, Mapping) else config, models=model_entries(models) or None,
        labels=list(labels) if labels else None, data=data_map, probes=list(probes) if probes else None, seed=seed,
        out=str(out) if out is not None else None, device=device, trust_model=trust_model,
        trust_remote_code=trust_remote_code)


def _configured_out(config: Any) -> Any:
    """The ``out`` a config file or mapping sets, if any (else the API writes to a new temporary folder)."""
    if isinstance(config, Mapping):
        return config.get("out")
    from audit.config import read_yaml

    return read_yaml(config).get("out") if config else None


def ray_settings(address: str | None, workers: int | None):
    """The Ray settings for ``address`` (None: no Ray), checked before anything loads."""
    if address is None:
        if workers is not None:
            raise AuditError("ray_workers (--ray-workers) needs ray (--ray) too; add it, or drop the worker count.")
        return None
    from audit.distributed.engine import RaySettings

    return RaySettings(address=address, workers=workers)


def execute(cfg: AuditConfig, *, display: Any, command: str, resume: bool = False, ray: Any = None) -> AuditResult:
    """Run the audit of ``cfg`` into ``cfg.out`` (on Ray with ``ray``, from :func:`ray_settings`); an input
    error raised mid-run carries what finished."""
    from rich.markup import escape

    from audit.probes.registry import unavailable_lines
    from audit.runner import run_audit

    for line in unavailable_lines(list(cfg.probes) if cfg.probes is not None else None):  # before any model loads
        display.log(f"[yellow]{escape(line)}[/yellow]")
    try:
        doc, out_dir = run_audit(cfg, display=display, command=command, resume=resume, ray=ray)
    except AuditError as exc:
        partial = getattr(exc, "partial", None)
        if partial is not None:
            exc.result = AuditResult(*partial)  # type: ignore[attr-defined]
        raise
    return AuditResult(doc, out_dir)
