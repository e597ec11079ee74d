"""Print one line of the heavy stack's versions in this Python, for the CI log: python .ci/versions.py LABEL"""

from __future__ import annotations

import sys
from importlib import metadata

NAMES = ("torch", "transformers", "datasets", "huggingface-hub", "sentence-transformers", "tokenizers", "numpy",
         "pandas", "scikit-learn", "textattack", "flair")


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


if __name__ == "__main__":
    label = sys.argv[1] if len(sys.argv) > 1 else "environment"
    print(f"{label}: python {sys.version.split()[0]}, " + ", ".join(f"{n} {version(n)}" for n in NAMES))
