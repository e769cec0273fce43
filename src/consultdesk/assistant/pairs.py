"""Are two questions the same? Pair features, the built-in pair calibration and a
pair model trained at run time on labelled pairs (agents' same/different labels).

Contract: `pair_features(pairs, encoder=...)` returns one row of `FEATURE_NAMES`
per pair; a `PairModel` maps rows onto P(same meaning). `builtin_pair_model()` is a
fixed logistic model whose weights were derived from the demo knowledge base's
paraphrases (same entry = same meaning, different entries = different), never
from BQ; `train_pair_model` fits a gradient-boosted model on the caller's pairs.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from consultdesk.assistant.encoder import SentenceEncoder
from consultdesk.assistant.normalize import normalize_text

FEATURE_NAMES = (
    "cosine",
    "char_jaccard",
    "bigram_jaccard",
    "word_jaccard",
    "sequence_ratio",
    "length_ratio",
    "numbers_differ",
)
# Logistic weights over FEATURE_NAMES, fitted by `fit_builtin_weights` on pairs drawn
# from resources/demo_kb.yaml (bench/bench_assistant.py --derive-defaults).
BUILTIN_WEIGHTS = (6.0, 1.0, 2.0, 1.0, 1.0, 0.0, -1.0)
BUILTIN_BIAS = -6.0
BUILTIN_THRESHOLD = 0.5


class PairModel(Protocol):
    def probabilities(self, features: NDArray[np.float64]) -> NDArray[np.float64]: ...


def _bigrams(text: str) -> set[str]:
    compact = text.replace(" ", "")
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def _numbers(text: str) -> set[str]:
    found: set[str] = set()
    current = ""
    for char in text + " ":
        if char.isdigit():
            current += char
        elif current:
            found.add(current)
            current = ""
    return found


def pair_features(
    pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
) -> NDArray[np.float64]:
    """One row of FEATURE_NAMES per pair (texts normalised first)."""
    from consultdesk.assistant.segment import segment_words

    left = [normalize_text(a) for a, _ in pairs]
    right = [normalize_text(b) for _, b in pairs]
    vectors_left = encoder.encode(left, role="query")
    vectors_right = encoder.encode(right, role="query")
    rows = np.zeros((len(pairs), len(FEATURE_NAMES)), dtype=np.float64)
    if len(pairs):
        rows[:, 0] = np.einsum("ij,ij->i", vectors_left, vectors_right)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        chars_a, chars_b = set(a.replace(" ", "")), set(b.replace(" ", ""))
        rows[i, 1] = _jaccard(chars_a, chars_b)
        rows[i, 2] = _jaccard(_bigrams(a), _bigrams(b))
        rows[i, 3] = _jaccard(set(segment_words(a)), set(segment_words(b)))
        rows[i, 4] = difflib.SequenceMatcher(None, a, b).ratio()
        longest = max(len(a), len(b), 1)
        rows[i, 5] = min(len(a), len(b)) / longest
        rows[i, 6] = float(_numbers(a) != _numbers(b))
    return rows


@dataclass(frozen=True)
class LinearPairModel:
    weights: tuple[float, ...]
    bias: float

    def probabilities(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        logits = features @ np.asarray(self.weights) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30))), dtype=np.float64)


@cache
def builtin_pair_model() -> LinearPairModel:
    """The shipped pair calibration (demo knowledge base, see module docstring)."""
    return LinearPairModel(weights=BUILTIN_WEIGHTS, bias=BUILTIN_BIAS)


def fit_builtin_weights(features: NDArray[np.float64], same: NDArray[np.int64]) -> LinearPairModel:
    """Fit a linear pair model (used to derive BUILTIN_WEIGHTS from the demo KB)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=1000).fit(features, same)
    return LinearPairModel(
        weights=tuple(float(w) for w in model.coef_[0]), bias=float(model.intercept_[0])
    )


@dataclass(frozen=True)
class TrainedPairModel:
    """A gradient-boosted model over the pair features plus the elementwise product
    and absolute difference of the two embeddings."""

    model: Any

    def probabilities(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(self.model.predict_proba(features)[:, 1], dtype=np.float64)


def interaction_features(
    pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
) -> NDArray[np.float64]:
    """Pair features followed by u*v and |u-v| of the two embeddings."""
    left = [normalize_text(a) for a, _ in pairs]
    right = [normalize_text(b) for _, b in pairs]
    u = encoder.encode(left, role="query")
    v = encoder.encode(right, role="query")
    scalar = pair_features(pairs, encoder=encoder)
    return np.hstack([scalar, u * v, np.abs(u - v)]).astype(np.float32)


def train_pair_model(features: NDArray[Any], same: NDArray[np.int64]) -> TrainedPairModel:
    """Fit the trained pair model on rows from `interaction_features`."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, max_leaf_nodes=63, random_state=0
    ).fit(features, same)
    return TrainedPairModel(model=model)


def best_threshold(scores: NDArray[np.float64], same: NDArray[np.int64]) -> float:
    """The decision threshold that maximises accuracy on (scores, labels)."""
    if scores.size == 0:
        return BUILTIN_THRESHOLD
    order = np.argsort(scores)
    sorted_scores = scores[order]
    sorted_same = same[order]
    # predicting "same" for scores >= t: accuracy = negatives below t + positives from t
    negatives_below = np.concatenate([[0], np.cumsum(sorted_same == 0)])
    positives_from = np.concatenate([np.cumsum((sorted_same == 1)[::-1])[::-1], [0]])
    correct = negatives_below + positives_from
    best = int(np.argmax(correct))
    if best == 0:
        return float(sorted_scores[0])
    if best == len(sorted_scores):
        return float(sorted_scores[-1]) + 1e-9
    return float((sorted_scores[best - 1] + sorted_scores[best]) / 2)
