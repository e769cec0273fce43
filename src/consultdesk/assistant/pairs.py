"""Are two questions the same? Pair features, the built-in pair calibration and a
pair model trained at run time on labelled pairs (agents' same/different labels).

Contract: `pair_features(pairs, encoder=...)` returns one row of `FEATURE_NAMES`
per pair; a `PairModel` maps rows onto P(same meaning). `builtin_pair_model()` is a
fixed logistic model whose weights were derived from the demo knowledge base's
paraphrases (same entry = same meaning, different entries = different), never
from BQ. `calibrate_pair_model` re-weights those similarity scores (plus four
computed on the labelled pairs' own texts) on the caller's labelled pairs;
`train_pair_model` fits a text model (pair tokens and embedding interactions) on them.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from consultdesk.assistant.calibration import logistic
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
    def score(
        self, pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
    ) -> NDArray[np.float64]:
        """P(same meaning) per pair."""
        ...


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
        return logistic(features @ np.asarray(self.weights) + self.bias)

    def score(
        self, pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
    ) -> NDArray[np.float64]:
        """P(same meaning) per pair."""
        return self.probabilities(pair_features(pairs, encoder=encoder))


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


CORPUS_FEATURE_NAMES = (
    "corpus_centred_cosine",
    "whitened_cosine",
    "idf_char_jaccard",
    "idf_word_jaccard",
)
_WHITENED_DIMS = 256


@dataclass(frozen=True)
class PairCorpusStats:
    """What the labelled pairs' own texts say about their domain, learned without
    their labels: the mean embedding (centre), a whitening of the embedding space
    and document frequencies of characters and words. Gives the
    `CORPUS_FEATURE_NAMES` columns."""

    centre: NDArray[np.float32]
    whitening: NDArray[np.float32]  # (dim, k)
    char_idf: dict[str, float]
    word_idf: dict[str, float]
    unseen_idf: float

    @classmethod
    def fit(
        cls,
        left: Sequence[str],
        right: Sequence[str],
        vectors_left: NDArray[np.float32],
        vectors_right: NDArray[np.float32],
    ) -> PairCorpusStats:
        import math
        from collections import Counter

        from consultdesk.assistant.segment import segment_words

        vectors = np.vstack([vectors_left, vectors_right]).astype(np.float64)
        centre = vectors.mean(axis=0)
        _, singular, basis = np.linalg.svd(vectors - centre, full_matrices=False)
        k = max(1, min(_WHITENED_DIMS, int((singular > 1e-6).sum())))
        whitening = basis[:k].T / singular[:k] * math.sqrt(len(vectors))
        chars: Counter[str] = Counter()
        words: Counter[str] = Counter()
        for text in (*left, *right):
            chars.update(set(text.replace(" ", "")))
            words.update(set(segment_words(text)))
        documents = len(left) + len(right)

        def idf(count: int) -> float:
            return math.log((documents + 1) / (count + 1)) + 1.0

        return cls(
            centre=centre.astype(np.float32),
            whitening=whitening.astype(np.float32),
            char_idf={c: idf(n) for c, n in chars.items()},
            word_idf={w: idf(n) for w, n in words.items()},
            unseen_idf=idf(0),
        )

    def features(
        self,
        left: Sequence[str],
        right: Sequence[str],
        vectors_left: NDArray[np.float32],
        vectors_right: NDArray[np.float32],
    ) -> NDArray[np.float64]:
        from consultdesk.assistant.segment import segment_words

        rows = np.zeros((len(left), len(CORPUS_FEATURE_NAMES)), dtype=np.float64)
        if not len(left):
            return rows
        rows[:, 0] = _centred_cosine(vectors_left, vectors_right, self.centre)
        a = (vectors_left - self.centre) @ self.whitening
        b = (vectors_right - self.centre) @ self.whitening
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        norms[norms == 0] = 1.0
        rows[:, 1] = np.einsum("ij,ij->i", a, b) / norms
        for i, (x, y) in enumerate(zip(left, right, strict=True)):
            rows[i, 2] = self._weighted_jaccard(
                set(x.replace(" ", "")), set(y.replace(" ", "")), self.char_idf
            )
            rows[i, 3] = self._weighted_jaccard(
                set(segment_words(x)), set(segment_words(y)), self.word_idf
            )
        return rows

    def _weighted_jaccard(self, a: set[str], b: set[str], idf: dict[str, float]) -> float:
        union = sum(idf.get(t, self.unseen_idf) for t in a | b)
        if union == 0:
            return 0.0
        return sum(idf.get(t, self.unseen_idf) for t in a & b) / union


@dataclass(frozen=True)
class CalibratedPairModel:
    """The built-in pair features plus `PairCorpusStats` features, weighted by a
    logistic calibration fitted on labelled pairs (`calibrate_pair_model`): a Platt
    scaling over 12 similarity scores (12 weights and a bias), not a trained text
    model (no tokens)."""

    stats: PairCorpusStats
    weights: NDArray[np.float64]
    bias: float

    def probabilities(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        return logistic(features @ self.weights + self.bias)

    def score(
        self, pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
    ) -> NDArray[np.float64]:
        """P(same meaning) per pair."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        features, _ = _calibration_rows(pairs, self.stats, encoder)
        return self.probabilities(features)


def _calibration_rows(
    pairs: Sequence[tuple[str, str]], stats: PairCorpusStats | None, encoder: SentenceEncoder
) -> tuple[NDArray[np.float64], PairCorpusStats]:
    """FEATURE_NAMES + CORPUS_FEATURE_NAMES per pair, and the corpus statistics used
    (fitted on these pairs' texts when `stats` is None)."""
    left, right, u, v = _embedded(pairs, encoder)
    if stats is None:
        stats = PairCorpusStats.fit(left, right, u, v)
    builtin_rows = _feature_rows(left, right, u, v, domain_centre(encoder))
    return np.hstack([builtin_rows, stats.features(left, right, u, v)]), stats


# Below this many labelled pairs (or with one label only) calibration keeps the
# built-in weights and only moves the threshold.
CALIBRATION_MIN_PAIRS = 200


def calibrate_pair_model(
    pairs: Sequence[tuple[str, str]], same: NDArray[np.int64], *, encoder: SentenceEncoder
) -> tuple[PairModel, NDArray[np.float64]]:
    """Calibrate the pair score on labelled pairs (1 = same meaning): with at least
    `CALIBRATION_MIN_PAIRS` pairs of both labels, the corpus statistics from their
    texts and a logistic calibration over 12 scores (`CalibratedPairModel`);
    otherwise the built-in model. Returns the model and its scores of `pairs` (for
    choosing a threshold)."""
    from sklearn.linear_model import LogisticRegression

    if len(pairs) < CALIBRATION_MIN_PAIRS or len(set(np.asarray(same).tolist())) < 2:
        builtin = builtin_pair_model()
        return builtin, builtin.score(pairs, encoder=encoder)
    features, stats = _calibration_rows(pairs, None, encoder)
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit(features, same)
    model = CalibratedPairModel(
        stats=stats,
        weights=np.asarray(fitted.coef_[0], dtype=np.float64),
        bias=float(fitted.intercept_[0]),
    )
    return model, model.probabilities(features)


def pair_tokens(a: str, b: str) -> list[str]:
    """Sparse evidence of one normalised pair: words only one side has (`d:`), words
    both share (`s:`), character bigrams only one side has (`bd:`) and crossings of
    the differing words (`x:`), so a linear model can learn that e.g. 借款 vs 还款
    changes the meaning while 怎么 vs 如何 does not."""
    from consultdesk.assistant.segment import segment_words

    words_a, words_b = set(segment_words(a)), set(segment_words(b))
    bigrams_a, bigrams_b = _bigrams(a), _bigrams(b)
    tokens = [f"d:{w}" for w in words_a ^ words_b] + [f"s:{w}" for w in words_a & words_b]
    tokens += [f"bd:{g}" for g in bigrams_a ^ bigrams_b]
    only_a, only_b = sorted(words_a - words_b)[:4], sorted(words_b - words_a)[:4]
    tokens += [f"x:{min(x, y)}|{max(x, y)}" for x in only_a for y in only_b]
    return tokens


def _token_lists(tokens: list[str]) -> list[str]:
    return tokens


@dataclass(frozen=True)
class TrainedPairModel:
    """Two models fitted at run time on the caller's labelled pairs, their
    probabilities blended (`MLP_SHARE`):
    - logistic regression over hashed TF-IDF pair tokens (`pair_tokens`) joined with
      the standardised pair features, u*v and |u-v| of the two embeddings;
    - a one-hidden-layer network over the same standardised dense features, which
      sees interactions between embedding dimensions that a linear model cannot."""

    hasher: Any
    tfidf: Any
    scaler: Any
    model: Any
    network: Any

    def score(
        self, pairs: Sequence[tuple[str, str]], *, encoder: SentenceEncoder
    ) -> NDArray[np.float64]:
        """P(same meaning) per pair."""
        from scipy import sparse

        if not pairs:
            return np.zeros(0, dtype=np.float64)
        left, right, dense = _dense_pair_rows(pairs, encoder)
        tokens = self.tfidf.transform(
            self.hasher.transform([pair_tokens(a, b) for a, b in zip(left, right, strict=True)])
        )
        scaled = self.scaler.transform(dense)
        design = sparse.hstack([tokens, sparse.csr_matrix(scaled * _DENSE_SCALE)]).tocsr()
        linear = self.model.predict_proba(design)[:, 1]
        network = self.network.predict_proba(scaled)[:, 1]
        return np.asarray((1 - MLP_SHARE) * linear + MLP_SHARE * network, dtype=np.float64)


# Dense features are scaled down so the sparse tokens and the embeddings share one
# regularisation strength (chosen on a BQ train/dev split: 0.05).
_DENSE_SCALE = 0.05
# Share of the network in the trained model's probability, and its size. On BQ
# (trained on BQ train, scored on BQ dev): logistic alone 79.7 %, network alone
# 78.7 %, blended 80.7 % (bench/bench_assistant.py).
MLP_SHARE = 0.3
MLP_HIDDEN = 256


def _dense_pair_rows(
    pairs: Sequence[tuple[str, str]], encoder: SentenceEncoder
) -> tuple[list[str], list[str], NDArray[np.float64]]:
    left, right, u, v = _embedded(pairs, encoder)
    scalar = _feature_rows(left, right, u, v, domain_centre(encoder))
    return left, right, np.hstack([scalar, u * v, np.abs(u - v)])


def train_pair_model(
    pairs: Sequence[tuple[str, str]], same: NDArray[np.int64], *, encoder: SentenceEncoder
) -> TrainedPairModel:
    """Fit the trained pair model on labelled pairs (1 = same meaning)."""
    from scipy import sparse
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    left, right, dense = _dense_pair_rows(pairs, encoder)
    hasher = HashingVectorizer(
        analyzer=_token_lists, n_features=2**20, alternate_sign=False, norm=None
    )
    counts = hasher.transform([pair_tokens(a, b) for a, b in zip(left, right, strict=True)])
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    scaler = StandardScaler().fit(dense)
    scaled = scaler.transform(dense)
    design = sparse.hstack([tfidf.transform(counts), sparse.csr_matrix(scaled * _DENSE_SCALE)])
    model = LogisticRegression(C=1.0, max_iter=3000).fit(design.tocsr(), same)
    # Early stopping needs a few held-back rows of each label; tiny sets train fully.
    held_back = len(same) >= 200 and int(np.bincount(same).min()) >= 20
    network = MLPClassifier(
        hidden_layer_sizes=(MLP_HIDDEN,),
        alpha=1e-3,
        early_stopping=held_back,
        max_iter=60,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        network.fit(scaled, same)
    return TrainedPairModel(hasher=hasher, tfidf=tfidf, scaler=scaler, model=model, network=network)


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
