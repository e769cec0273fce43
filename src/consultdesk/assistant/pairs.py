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
    "centred_cosine",
    "char_jaccard",
    "bigram_jaccard",
    "word_jaccard",
    "sequence_ratio",
    "length_ratio",
    "numbers_differ",
)
# Logistic weights over FEATURE_NAMES, fitted by `fit_builtin_weights` (similarity
# weights constrained to be >= 0, "numbers differ" <= 0) on pairs drawn from
# resources/demo_kb.yaml: bench/derive_assistant_defaults.py prints them.
BUILTIN_WEIGHTS = (1.009, 2.515, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
BUILTIN_BIAS = -1.276
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


_centres: dict[str, NDArray[np.float32]] = {}


def domain_centre(encoder: SentenceEncoder) -> NDArray[np.float32]:
    """The mean embedding of the demo knowledge base's questions: subtracting it
    before the cosine removes what all bank questions share (computed once per
    encoder, ~0.2 s)."""
    centre = _centres.get(encoder.name)
    if centre is None:
        from consultdesk.assistant.entries import demo_knowledge_items

        questions = [normalize_text(q) for item in demo_knowledge_items() for q in item.questions]
        centre = encoder.encode(questions, role="query").mean(axis=0).astype(np.float32)
        _centres[encoder.name] = centre
    return centre


def _centred_cosine(
    left: NDArray[np.float32], right: NDArray[np.float32], centre: NDArray[np.float32]
) -> NDArray[np.float64]:
    a = left - centre
    b = right - centre
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    norms[norms == 0] = 1.0
    return np.asarray(np.einsum("ij,ij->i", a, b) / norms, dtype=np.float64)


def _embedded(
    pairs: Sequence[tuple[str, str]], encoder: SentenceEncoder
) -> tuple[list[str], list[str], NDArray[np.float32], NDArray[np.float32]]:
    left = [normalize_text(a) for a, _ in pairs]
    right = [normalize_text(b) for _, b in pairs]
    return left, right, encoder.encode(left, role="query"), encoder.encode(right, role="query")


def _feature_rows(
    left: Sequence[str],
    right: Sequence[str],
    vectors_left: NDArray[np.float32],
    vectors_right: NDArray[np.float32],
    centre: NDArray[np.float32],
) -> NDArray[np.float64]:
    from consultdesk.assistant.segment import segment_words

    rows = np.zeros((len(left), len(FEATURE_NAMES)), dtype=np.float64)
    if len(left):
        rows[:, 0] = np.einsum("ij,ij->i", vectors_left, vectors_right)
        rows[:, 1] = _centred_cosine(vectors_left, vectors_right, centre)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        chars_a, chars_b = set(a.replace(" ", "")), set(b.replace(" ", ""))
        rows[i, 2] = _jaccard(chars_a, chars_b)
        rows[i, 3] = _jaccard(_bigrams(a), _bigrams(b))
        rows[i, 4] = _jaccard(set(segment_words(a)), set(segment_words(b)))
        rows[i, 5] = difflib.SequenceMatcher(None, a, b).ratio()
        longest = max(len(a), len(b), 1)
        rows[i, 6] = min(len(a), len(b)) / longest
        rows[i, 7] = float(_numbers(a) != _numbers(b))
    return rows


def pair_features(
    pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
) -> NDArray[np.float64]:
    """One row of FEATURE_NAMES per pair (texts normalised first)."""
    left, right, vectors_left, vectors_right = _embedded(pairs, encoder)
    return _feature_rows(left, right, vectors_left, vectors_right, domain_centre(encoder))


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


def fit_builtin_weights(
    features: NDArray[np.float64], same: NDArray[np.int64], *, l2: float = 1.0
) -> LinearPairModel:
    """Fit a logistic pair model whose similarity weights are >= 0 and whose
    "numbers differ" weight is <= 0 (a small paraphrase set cannot be trusted to
    learn signs); used to derive BUILTIN_WEIGHTS from the demo knowledge base."""
    from scipy.optimize import minimize

    signs = 2 * same - 1
    n_features = features.shape[1]

    def loss(theta: NDArray[np.float64]) -> float:
        logits = features @ theta[:-1] + theta[-1]
        penalty = l2 * float(np.sum(theta[:-1] ** 2)) / len(same)
        return float(np.mean(np.logaddexp(0.0, -signs * logits))) + penalty

    bounds: list[tuple[float | None, float | None]] = [(0.0, None)] * n_features
    bounds[FEATURE_NAMES.index("numbers_differ")] = (None, 0.0)
    bounds.append((None, None))
    result = minimize(loss, np.zeros(n_features + 1), bounds=bounds, method="L-BFGS-B")
    return LinearPairModel(
        weights=tuple(round(float(w), 3) for w in result.x[:-1]), bias=round(float(result.x[-1]), 3)
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
    left, right, u, v = _embedded(pairs, encoder)
    scalar = _feature_rows(left, right, u, v, domain_centre(encoder))
    return np.hstack([scalar, u * v, np.abs(u - v)]).astype(np.float32)


def train_pair_model(features: NDArray[Any], same: NDArray[np.int64]) -> TrainedPairModel:
    """Fit the trained pair model on rows from `interaction_features`."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Few rows cannot support many boosting rounds; 300 rounds for BQ-sized data.
    rounds = int(min(300, max(20, len(same) // 100)))
    model = HistGradientBoostingClassifier(
        max_iter=rounds, learning_rate=0.1, max_leaf_nodes=63, random_state=0
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
