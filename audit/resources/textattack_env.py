"""Import TextAttack offline: its import-time needs met without a download, and only when asked.

``import textattack`` reads NLTK's English stopwords (a LookupError without them) and, the first
time per cache dir, calls ``nltk.download()`` six times before writing a marker file. We point
``NLTK_DATA`` at the project's NLTK directory (stopwords written from the list audit ships),
point ``TA_CACHE_DIR`` at a project directory and pre-write the marker, so the import touches
no network. The import costs seconds and hundreds of MB, so only an attack calls this.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from types import ModuleType

from audit.core.errors import AuditError
from audit.core.install import install_extra
from audit.resources import nltk_data
from audit.resources.paths import textattack_dir

MARKER = "post_install_check_3"  # textattack 0.3.x: present -> skip its nltk.download() calls


def prepare_environment() -> None:
    """Everything ``import textattack`` needs, idempotent and cheap."""
    nltk_data.activate()
    cache = textattack_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / MARKER).touch(exist_ok=True)
    except OSError as exc:
        raise AuditError(f"Cannot write TextAttack's cache dir {cache}: {exc.strerror}; set AUDIT_CACHE_DIR to a "
                         "writable directory.") from None
    if "textattack" not in sys.modules:
        os.environ["TA_CACHE_DIR"] = str(cache)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def import_textattack() -> ModuleType:
    """The ``textattack`` module, imported with the environment above (once per process)."""
    if "textattack" in sys.modules and sys.modules["textattack"] is not None:
        return sys.modules["textattack"]
    if importlib.util.find_spec("textattack") is None:
        raise AuditError(f"The attack probe needs TextAttack, which is not installed here; install it with "
                         f"`{install_extra('attack')}`.")
    hf_vars = {k: os.environ.get(k) for k in ("HF_HOME", "XDG_CACHE_HOME", "PYTORCH_TRANSFORMERS_CACHE",
                                              "TFHUB_CACHE_DIR")}
    try:
        prepare_environment()  # imports NLTK, which comes with TextAttack: missing both says the same
        importlib.import_module("transformers")  # first: it reads the cache variables textattack rewrites
        module = importlib.import_module("textattack")
    except ImportError as exc:
        raise AuditError(f"The attack probe needs TextAttack, which does not import here ({exc}); install it with "
                         f"`{install_extra('attack')}`.") from None
    except LookupError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "an NLTK resource"
        raise AuditError(f"TextAttack could not find NLTK data ({first}); run `audit resources` to see what is "
                         "missing.") from None
    finally:
        # textattack points HF_HOME and XDG_CACHE_HOME at its own cache dir; keep the user's hub cache.
        for key, value in hf_vars.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    # Its one logger (named after its install module) warns about every model wrapper it does not know.
    logging.getLogger("textattack.shared.utils.install").setLevel(logging.ERROR)
    return module
