"""PairFeatures: (text, text_pair) tuples -> one sparse feature row, the first step of the pair
TF-IDF baseline (`audit train --arch tfidf` on sentence pairs).

A class, not a ``FunctionTransformer``: a ``.skops`` file names the functions it holds and loading
one calls whatever it names, so the allow-list in :mod:`audit.models.sklearn_model` trusts no
function; it trusts this class, by its full name. The features are what a paraphrase or an
entailment leans on without reading order: TF-IDF of each side over one shared vocabulary, which
terms the two sides share, and overlap figures (word overlap each way, bigram overlap, agreement
of the numbers, length gap, cosine of the two TF-IDF vectors).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from audit.core.errors import AuditError

WORD = re.compile(r"\w+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# The dense columns after the TF-IDF blocks, in this order.
OVERLAP_FEATURES = ("word_jaccard", "first_words_in_second", "second_words_in_first", "bigram_jaccard",
                    "number_jaccard", "length_gap", "tfidf_cosine")
NOT_PAIRS = ("PairFeatures reads (text, text_pair) tuples, got {what}; give it sentence pairs (a model trained on "
             "pairs is audited on pair data, e.g. with --text-pair-col).")


class PairFeatures(BaseEstimator, TransformerMixin):
    """Sentence pairs in, ``[tfidf(text) | tfidf(text_pair) | shared terms | overlap figures]`` out."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), max_features: int = 50000, sublinear_tf: bool = True,
                 min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df

    def fit(self, X: Any, y: Any = None) -> PairFeatures:
        """Fit one TF-IDF vocabulary on both sides' texts."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        first, second = _sides(X)
        self.tfidf_ = TfidfVectorizer(sublinear_tf=self.sublinear_tf, ngram_range=tuple(self.ngram_range),
                                      min_df=self.min_df, max_features=self.max_features).fit(first + second)
        # Python ints, not numpy ones: skops stores each numpy scalar as its own file (see save_sklearn_model).
        self.tfidf_.vocabulary_ = {term: int(i) for term, i in self.tfidf_.vocabulary_.items()}
        return self

    def transform(self, X: Any) -> Any:
        import scipy.sparse as sp
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "tfidf_")
        first, second = _sides(X)
        a, b = self.tfidf_.transform(first), self.tfidf_.transform(second)
        shared = (a > 0).multiply(b > 0).astype(np.float64)
        cosine = np.asarray(a.multiply(b).sum(axis=1)).ravel()  # rows are L2-normalised
        overlap = np.array([overlap_figures(x, z) for x, z in zip(first, second)]).reshape(len(first), -1)
        overlap[:, OVERLAP_FEATURES.index("tfidf_cosine")] = cosine
        return sp.hstack([a, b, shared, sp.csr_matrix(overlap)]).tocsr()

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        terms = list(self.tfidf_.get_feature_names_out())
        names = [f"text:{t}" for t in terms] + [f"text_pair:{t}" for t in terms] + [f"shared:{t}" for t in terms]
        return np.array(names + list(OVERLAP_FEATURES), dtype=object)


def overlap_figures(text: str, text_pair: str) -> list[float]:
    """The overlap columns of one pair (``tfidf_cosine`` left at 0: the transform fills it in)."""
    words_a, words_b = WORD.findall(text.lower()), WORD.findall(text_pair.lower())
    set_a, set_b = set(words_a), set(words_b)
    both = len(set_a & set_b)
    return [
        _jaccard(set_a, set_b),
        both / max(1, len(set_a)),
        both / max(1, len(set_b)),
        _jaccard(set(zip(words_a, words_a[1:])), set(zip(words_b, words_b[1:]))),
        _jaccard(set(NUMBER.findall(text)), set(NUMBER.findall(text_pair))),  # no numbers on either side: 1
        abs(len(words_a) - len(words_b)) / max(1, len(words_a), len(words_b)),
        0.0,
    ]


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _sides(X: Any) -> tuple[list[str], list[str]]:
    rows = list(X)
    bad = next((x for x in rows if not (isinstance(x, (tuple, list)) and len(x) == 2)), None)
    if bad is not None:
        what = f"a {type(bad).__name__}" + (f" of {len(bad)}" if isinstance(bad, (tuple, list)) else "")
        raise AuditError(NOT_PAIRS.format(what=what))
    return [str(a) for a, _ in rows], [str(b) for _, b in rows]
