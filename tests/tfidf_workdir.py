"""A folder with a TF-IDF + logistic-regression model (tfidf.skops) fit on the demo corpus's skewed
training split and a balanced test.csv: the small real audit that CLI and gate tests run."""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from audit.demo.corpus import generate
from audit.models.sklearn_model import save_sklearn_model


def build_tfidf_workdir(root: Path, first_text: str | None = None) -> Path:
    """Write tfidf.skops and test.csv (60 rows; the first text replaced by ``first_text`` if given)."""
    train = generate(300, seed=0, skewed=True)
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    pipe.fit([r["text"] for r in train], [r["label"] for r in train])
    save_sklearn_model(pipe, root / "tfidf.skops")
    test = generate(60, seed=1, skewed=False)
    if first_text is not None:
        test[0]["text"] = first_text
    with (root / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(test[0]))
        writer.writeheader()
        writer.writerows(test)
    return root
