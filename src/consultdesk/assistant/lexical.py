"""BM25 over words and character n-grams.

Contract: `Bm25Index.build(documents)` takes each document's terms (see
`segment.lexical_terms`); `scores(terms)` returns one BM25 score per document, and
`normalized_scores(terms)` the same divided by the query's own best attainable score
(so 1.0 means every query term found in a document of average length, 0.0 none).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Bm25Index:
    """An immutable BM25 index; `weights` holds (documents × vocabulary) BM25 weights."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    weights: sparse.csc_matrix
    unseen_idf: float

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> Bm25Index:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[float] = []
        lengths = np.zeros(len(documents), dtype=np.float64)
        for row, terms in enumerate(documents):
            lengths[row] = len(terms)
            for term, count in Counter(terms).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(float(count))
        n_docs = max(len(documents), 1)
        tf = np.asarray(counts, dtype=np.float64)
        doc_freq = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocabulary))
        idf = np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
        average = float(lengths.mean()) if len(documents) and lengths.mean() > 0 else 1.0
        row_index = np.asarray(rows, dtype=np.int64)
        norm = K1 * (1 - B + B * lengths[row_index] / average) if rows else tf
        values = idf[np.asarray(cols, dtype=np.int64)] * tf * (K1 + 1) / (tf + norm)
        weights = sparse.csc_matrix(
            (values, (row_index, np.asarray(cols, dtype=np.int64))),
            shape=(len(documents), len(vocabulary)),
        )
        unseen = math.log1p((n_docs + 0.5) / 0.5)
        return cls(vocabulary=vocabulary, idf=idf, weights=weights, unseen_idf=unseen)

    def _query_columns(self, terms: Sequence[str]) -> tuple[list[int], float]:
        columns: list[int] = []
        best = 0.0
        for term in set(terms):
            column = self.vocabulary.get(term)
            if column is None:
                best += self.unseen_idf
            else:
                columns.append(column)
                best += float(self.idf[column])
        return columns, best

    def scores(self, terms: Sequence[str]) -> NDArray[np.float64]:
        """BM25 score of every document for the query terms (duplicates count once)."""
        columns, _ = self._query_columns(terms)
        if not columns:
            return np.zeros(self.weights.shape[0], dtype=np.float64)
        return np.asarray(self.weights[:, columns].sum(axis=1), dtype=np.float64).ravel()

    def normalized_scores(self, terms: Sequence[str]) -> NDArray[np.float64]:
        """BM25 scores divided by the query's attainable score, clipped to [0, 1]."""
        columns, best = self._query_columns(terms)
        if not columns or best <= 0:
            return np.zeros(self.weights.shape[0], dtype=np.float64)
        raw = np.asarray(self.weights[:, columns].sum(axis=1), dtype=np.float64).ravel()
        return np.clip(raw / best, 0.0, 1.0)


@dataclass(frozen=True)
class TfidfSpace:
    """Sublinear TF-IDF over lexical terms, rows L2-normalised; terms seen in fewer
    than `min_df` training documents are dropped."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float64]

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]], *, min_df: int = 2) -> TfidfSpace:
        doc_freq: Counter[str] = Counter()
        for terms in documents:
            doc_freq.update(set(terms))
        kept = sorted(term for term, count in doc_freq.items() if count >= min_df)
        vocabulary = {term: index for index, term in enumerate(kept)}
        n_docs = len(documents)
        idf = np.array(
            [math.log((1 + n_docs) / (1 + doc_freq[term])) + 1.0 for term in kept],
            dtype=np.float64,
        )
        return cls(vocabulary=vocabulary, idf=idf)

    def transform(self, documents: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, terms in enumerate(documents):
            counts = Counter(t for t in terms if t in self.vocabulary)
            if not counts:
                continue
            weights = {
                self.vocabulary[t]: (1.0 + math.log(c)) * float(self.idf[self.vocabulary[t]])
                for t, c in counts.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values()))
            for col, weight in weights.items():
                rows.append(row)
                cols.append(col)
                values.append(weight / norm)
        return sparse.csr_matrix(
            (values, (rows, cols)), shape=(len(documents), len(self.vocabulary))
        )


def bm25_to_arrays(index: Bm25Index) -> dict[str, Any]:
    """The index as plain arrays (for a cache file)."""
    weights = index.weights.tocsc()
    terms = sorted(index.vocabulary, key=index.vocabulary.__getitem__)
    return {
        "bm25_data": weights.data,
        "bm25_indices": weights.indices,
        "bm25_indptr": weights.indptr,
        "bm25_shape": np.asarray(weights.shape, dtype=np.int64),
        "bm25_terms": np.asarray(terms, dtype=str),
        "bm25_idf": index.idf,
        "bm25_unseen": np.asarray([index.unseen_idf]),
    }


def bm25_from_arrays(arrays: Any) -> Bm25Index:
    """The inverse of `bm25_to_arrays`."""
    shape = tuple(int(n) for n in arrays["bm25_shape"])
    weights = sparse.csc_matrix(
        (arrays["bm25_data"], arrays["bm25_indices"], arrays["bm25_indptr"]), shape=shape
    )
    vocabulary = {str(term): i for i, term in enumerate(arrays["bm25_terms"].tolist())}
    return Bm25Index(
        vocabulary=vocabulary,
        idf=np.asarray(arrays["bm25_idf"], dtype=np.float64),
        weights=weights,
        unseen_idf=float(arrays["bm25_unseen"][0]),
    )
