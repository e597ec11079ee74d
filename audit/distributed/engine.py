"""Starting or joining Ray, and giving each model its pool of actors.

``--ray`` (address ``local``) starts a Ray instance on this machine with its cores; ``--ray auto`` joins the
cluster this machine belongs to (``ray start --head`` on the head node, ``ray start --address HEAD:6379`` on
the others, or KubeRay); ``--ray ray://HOST:10001`` connects through the Ray client. Without the flag none of
this is imported. Workers per model default to the cluster's CPUs (GPUs, when it has them and the model is a
Hugging Face one); the models of one probe run side by side (:mod:`audit.distributed.lanes`), so the pools
share the cluster: each actor reserves a fraction of a CPU when there are more actors than CPUs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.core.errors import AuditError
from audit.distributed.messages import ray_message

NOT_INSTALLED = "Ray is not installed; pip install 'audit-text-clf[ray]' (or run without --ray)."
ADDRESS = re.compile(r"\A(local|auto|ray://[^\s:/]+:\d+|[^\s:/]+:\d+)\Z")
BAD_ADDRESS = ("--ray takes local, auto, ray://HOST:PORT or HOST:PORT, not {address!r}; e.g. --ray ray://head:10001 "
               "(start a cluster with `ray start --head`).")


@dataclass(frozen=True)
class RaySettings:
    address: str = "local"
    workers: int | None = None  # actors per model; None: the cluster's CPUs (or GPUs)

    def __post_init__(self) -> None:
        if not ADDRESS.match(self.address):
            raise AuditError(BAD_ADDRESS.format(address=self.address))
        if self.workers is not None and (isinstance(self.workers, bool) or not isinstance(self.workers, int)
                                         or self.workers < 1):
            raise AuditError(f"--ray-workers must be a whole number >= 1, not {self.workers!r}.")


class RayEngine:
    """A connection to Ray for one audit: ``start``, ``wrap`` each loaded model, ``stop``."""

    def __init__(self, settings: RaySettings) -> None:
        self.settings = settings
        self.pools: dict[str, Any] = {}
        self._started_here = False

    def start(self) -> None:
        if self.settings.address.startswith("ray://"):
            client_token_auth(os.environ, Path.home())  # read when Ray is imported: before that
        try:
            import ray
        except ImportError:
            raise AuditError(NOT_INSTALLED) from None
        address = self.settings.address
        _check_reachable(address)
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        # Workers import the model's code the way this process does (a callable's module, a plug-in); on other
        # nodes the same paths must hold the same code.
        kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}}
        # "local" starts a new instance even when this machine runs (or ran, leaving its address file) a cluster
        kwargs["address"] = address
        if address == "local":
            kwargs["num_cpus"] = os.cpu_count() or 1
        try:
            ray.init(**kwargs)
        except Exception as exc:  # noqa: BLE001 - ConnectionError, RuntimeError, grpc errors: one line each
            hint = (" If its head asks for a token (Ray 2.59+ does by default), set RAY_AUTH_TOKEN or copy the "
                    "head's ~/.ray/auth_token here." if address.startswith("ray://") else "")
            raise AuditError(f"Cannot reach the Ray cluster at {address} ({ray_message(exc)}); start it with "
                             f"`ray start --head`, check the address, or run without --ray.{hint}") from None
        self._started_here = True

    def resources(self) -> dict[str, float]:
        import ray

        return {k: float(v) for k, v in ray.cluster_resources().items() if k in ("CPU", "GPU")}

    def wrap(self, loaded, model_config, device: str, models: int):
        """``loaded`` with its predictions made by a new pool of actors (the local copy serves everything else)."""
        from audit.distributed.pool import ModelPool, PooledClassifier

        res = self.resources()
        gpu = res.get("GPU", 0) >= 1 and loaded.kind == "huggingface"
        workers = self.settings.workers or max(1, int(res.get("GPU" if gpu else "CPU", 1)))
        # Fractional reservations when the pools of every model hold more actors than the cluster has CPUs
        # (GPUs): Ray would otherwise never place the last pools, and the models of a probe run side by side.
        share = workers * max(models, 1)
        cpus = min(1.0, res.get("CPU", 1) / share)
        gpus = min(1.0, res.get("GPU", 0) / share) if gpu else 0.0
        pool = ModelPool(_absolute(model_config), loaded.id, device, workers=workers, cpus=cpus, gpus=gpus, threads=1,
                         fingerprint=loaded.fingerprint)
        self.pools[loaded.id] = pool
        return dataclasses.replace(loaded, classifier=PooledClassifier(loaded.classifier, pool))

    def describe(self) -> dict[str, Any]:
        """What results.json records under ``run.execution``."""
        import ray

        res = self.resources()
        return {"engine": "ray", "address": self.settings.address, "ray_version": ray.__version__,
                "nodes": sum(1 for n in ray.nodes() if n.get("Alive")), "cpus": res.get("CPU", 0),
                "gpus": res.get("GPU", 0), "workers": {name: p.workers for name, p in self.pools.items()}}

    def stop(self) -> None:
        if self._started_here:
            import ray

            ray.shutdown()
            self._started_here = False


def _absolute(model_config):
    """The model config with a local file or folder given by its absolute path: workers run elsewhere."""
    spec = model_config.spec
    if model_config.obj is None and os.path.exists(spec):
        return dataclasses.replace(model_config, spec=os.path.abspath(spec))
    return model_config


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """A cluster address that does not answer fails in seconds with one line (Ray itself retries for minutes)."""
    if address in ("local", "auto"):
        return  # auto: Ray finds the local cluster's address itself, or says at once that there is none
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise AuditError(f"Cannot reach the Ray cluster at {address} ({exc.strerror or exc}); start it with "
                         "`ray start --head`, check the address, or run without --ray.") from None


def client_token_auth(env, home: Path) -> None:
    """Send this machine's Ray token through the Ray client when the user has one and chose no mode.

    Ray 2.59+ heads ask for a token by default, but the Ray client attaches one only when
    RAY_AUTH_MODE=token (ray-project/ray#64755), so a ray:// connection would time out with a token at
    hand. An explicit RAY_AUTH_MODE is left as it is; without a token nothing changes."""
    if "RAY_AUTH_MODE" in env:
        return
    if env.get("RAY_AUTH_TOKEN") or env.get("RAY_AUTH_TOKEN_PATH") or (home / ".ray" / "auth_token").is_file():
        env["RAY_AUTH_MODE"] = "token"
