"""The `explain` probe's configuration: which methods, which examples, how to score them.

Every problem is caught here, when the audit config is read, as a one-line AuditError naming
the key and the fix, so a typo never costs a model load.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.errors import AuditError, did_you_mean

METHODS = ("attention", "rollout", "grad_x_input", "integrated_gradients", "occlusion")
SCORES = ("proba", "log_proba", "logit")
# Attributions with a sign (for or against the class); attention weights are never negative.
SIGNED = ("grad_x_input", "integrated_gradients", "occlusion")


@dataclass(frozen=True)
class ExplainConfig:
    # explanation methods to run, any of METHODS; those a model cannot support are skipped with the reason
    methods: tuple[str, ...] = METHODS
    misclassified: int = 5  # most confident misclassified examples explained per model
    attacked: int = 5  # successful adversarial examples of the `attack` probe (when it ran) explained per model
    random: int = 10  # seeded random examples, the same for every model (seed: run seed and probe name)
    k: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5)  # shares of words in (0, 1) removed / kept for comprehensiveness / sufficiency
    ig_steps: int = 32  # trapezoid intervals of integrated gradients (steps + 1 gradient evaluations per text)
    score: str = "proba"  # what gradient methods explain: the target class's proba, log_proba or logit
    stability_noise: str = "typo"  # a character-level noise perturbation (probes/noise catalog); keeps words aligned
    stability_severity: float = 0.1  # its severity (share of characters touched)
    stability_versions: int = 2  # noisy versions per explained text for the stability score
    random_baselines: int = 5  # random attributions averaged per example for the random baseline
    top_tokens: int = 10  # tokens per class in the global view
    global_examples: int = 200  # seeded sample feeding the global token view (0 turns it off)
    global_method: str = "auto"  # method of the global view; auto: see probes/explain/probe.py GLOBAL_RULE
    min_token_count: int = 2  # a token needs this many occurrences in a class to enter the global view
    batch_size: int = 32  # texts per forward/backward pass of the gradient and attention methods
    bootstrap: int = 1000  # resamples of the explained examples for the CIs; 0 turns CIs off
    confidence: float = 0.95  # CI level

    def __post_init__(self) -> None:
        methods = self.methods
        if isinstance(methods, str) or not isinstance(methods, (list, tuple)) or not methods:
            raise AuditError(f"explain.methods must be a non-empty list of method names, not {methods!r}. Known: {', '.join(METHODS)}.")
        for name in methods:
            if name not in METHODS:
                raise AuditError(did_you_mean("explanation method", str(name), METHODS))
        if len(set(methods)) != len(methods):
            raise AuditError("explain.methods lists a method more than once; list each method once.")
        object.__setattr__(self, "methods", tuple(methods))
        ks = tuple(self.k) if isinstance(self.k, (list, tuple)) else ()
        if not ks:
            raise AuditError(f"explain.k must be a non-empty list of shares of words in (0, 1], e.g. [0.1, 0.2], not {self.k!r}.")
        bad = [v for v in ks if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1]
        if bad:
            raise AuditError(f"explain.k value {bad[0]!r} is out of range: k out of range (0, 1]; give shares of words such as 0.1 for 10%.")
        if len(set(ks)) != len(ks):
            raise AuditError("explain.k lists a share more than once; list each share once.")
        if any(v == 1 for v in ks):
            raise AuditError("explain.k value 1.0 is refused: at k = 1 every word is removed or kept, so comprehensiveness "
                             "is p(x) - p(empty text) and sufficiency 0 for every method alike; it adds nothing to the "
                             "comparison. Use shares below 1, e.g. [0.05, 0.1, 0.2, 0.5].")
        object.__setattr__(self, "k", tuple(sorted(float(v) for v in ks)))
        for key in ("misclassified", "attacked", "random", "global_examples", "bootstrap"):
            if getattr(self, key) < 0:
                raise AuditError(f"explain.{key} must be >= 0, got {getattr(self, key)}.")
        for key in ("ig_steps", "random_baselines", "top_tokens", "batch_size", "min_token_count", "stability_versions"):
            if getattr(self, key) < 1:
                raise AuditError(f"explain.{key} must be >= 1, got {getattr(self, key)}.")
        if self.score not in SCORES:
            raise AuditError(did_you_mean("explained score", self.score, SCORES))
        if not 0 < self.stability_severity <= 1:
            raise AuditError(f"explain.stability_severity must be in (0, 1], got {self.stability_severity}.")
        if not 0 < self.confidence < 1:
            raise AuditError(f"explain.confidence must be between 0 and 1, got {self.confidence}.")
        if self.global_method != "auto" and self.global_method not in self.methods:
            raise AuditError(f"explain.global_method '{self.global_method}' is not among explain.methods; use auto or one of {', '.join(self.methods)}.")
        from audit.probes.noise.catalog import build, names

        if self.stability_noise not in names():
            raise AuditError(did_you_mean("perturbation", self.stability_noise, names()))
        if build((self.stability_noise,), {})[self.stability_noise].family != "character":
            raise AuditError(f"explain.stability_noise '{self.stability_noise}' is not character-level noise, so words "
                             "would not stay aligned; use typo, ocr, homoglyph, char_swap or invisible.")
