"""The Ray actor that holds one copy of a model: loaded once, on the worker, from the same config the
driver loaded it from, and asked only for probabilities."""

from __future__ import annotations

import os
import sys

import numpy as np


class ModelWorker:
    """One model on one Ray worker (an actor): ``predict`` gives what the adapter's ``predict_proba`` does."""

    def __init__(self, model_config, name: str, device: str, threads: int) -> None:
        from audit.models.loader import load_model

        self.model = load_model(model_config, name=name, device=device)
        if threads > 0 and "torch" in sys.modules:  # the CPUs Ray gave this actor, not every core of the node
            sys.modules["torch"].set_num_threads(threads)

    def fingerprint(self) -> str:
        return self.model.fingerprint

    def pid(self) -> int:
        return os.getpid()

    def predict(self, inputs: list) -> np.ndarray:
        return np.asarray(self.model.classifier.predict_proba(list(inputs)), dtype=np.float64)
