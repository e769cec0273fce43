"""The matching engine: from a customer's question to knowledge-base entries, a
calibrated confidence and a decision.

Pipeline (the same for the bot and for `consultdesk eval intents`):
1. `normalize_text` (T→S, full-width, HTML, punctuation, Chinese numerals);
   text without letters or digits gets "clarify" at once.
2. Dense retrieval: cosine against every knowledge-base question (USE by default).
3. Lexical retrieval: BM25 over jieba words (bank dictionary) and character n-grams.
4. Per entry: the best cosine and best BM25 over its questions, combined by a
   logistic `Combination` learned leave-one-question-out on the knowledge base's
   own paraphrases (defaults derived from the demo knowledge base otherwise).
5. When entries have paraphrases and there are at most `MAX_CLASSIFIER_ENTRIES`,
   a classifier (multinomial logistic regression over the embedding and TF-IDF
   of the lexical terms, i.e. a learned combination of dense and lexical features)
   gives the entry probabilities instead, blended with a nearest-paraphrase vote
   (the `KNN_NEIGHBOURS` knowledge-base questions most similar in the same
   features, `KNN_WEIGHT`); the top blended probability is the confidence.
6. Decision from the confidence and the `MatchPolicy` thresholds.

Embeddings and fitted classifiers persist in `cache_dir`, keyed by a content hash,
so a restart does not re-embed. A rebuilt matcher is published with `LiveMatcher.publish`
(one reference swap), so no caller ever sees a half-built index.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from consultdesk.assistant.calibration import Combination, fit_combination
from consultdesk.assistant.encoder import SentenceEncoder, default_encoder, single_blas_thread
from consultdesk.assistant.normalize import has_content, normalize_text
from consultdesk.shared.errors import ValidationFailed

Decision = Literal["answer", "offer", "clarify", "handover"]

# Default policy (the lead's versioned policy overrides them). Chosen on 5-fold
# cross-validation of BANKING77 train (classifier path): at >= 0.62 the bot answered
# ~86 % of questions with ~97 % accuracy; between 0.20 and 0.62 it offers the top
# three (~13 %); below 0.20 (<1 %) it hands over.
ANSWER_CONFIDENCE = 0.62
OFFER_CONFIDENCE = 0.20
MAX_CLASSIFIER_ENTRIES = 500
# Classifier path: share of the nearest-paraphrase vote in the entry probabilities,
# how many neighbours vote and how sharply closer ones count (softmax temperature
# over their similarity). Chosen on 5-fold CV of BANKING77 train: the vote lifted
# accuracy 91.5 % -> 92.1 % and answered accuracy 97.1 % -> 97.4 % (bench/).
KNN_WEIGHT = 0.3
KNN_NEIGHBOURS = 10
KNN_SHARPNESS = 20.0
KNN_MIN_SIMILARITY = 0.5
# Bumped whenever the features change, so old cache files are never reused.
PIPELINE_VERSION = "m5"
_CANDIDATE_POOL = 5
_LOO_SAMPLE = 2000
# Above this many questions, dense scoring goes through an entry shortlist.
_TWO_STAGE_QUESTIONS = 4000
_SHORTLIST = 64


@dataclass(frozen=True)
class KnowledgeItem:
    """A knowledge-base entry as the matcher sees it: the standard question first,
    then its paraphrases."""

    entry_id: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class MatchPolicy:
    """Confidence thresholds: at or above `answer_confidence` the bot answers; at or
    above `offer_confidence` it offers the top three; below, it hands over."""

    answer_confidence: float = ANSWER_CONFIDENCE
    offer_confidence: float = OFFER_CONFIDENCE
    version: str = "builtin-1"

    def __post_init__(self) -> None:
        if not 0.0 <= self.offer_confidence <= self.answer_confidence <= 1.0:
            raise ValidationFailed(
                "置信度阈值须满足 0 ≤ 推荐阈值 ≤ 直接回答阈值 ≤ 1", field="answer_confidence"
            )


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """Best candidates (highest score first), the confidence that the first one is
    right, and what the bot should do with it."""

    candidates: tuple[Candidate, ...]
    confidence: float
    decision: Decision
    policy_version: str
    normalized: str = ""

    @property
    def top(self) -> str | None:
        return self.candidates[0].entry_id if self.candidates else None


@dataclass(frozen=True)
class _Classifier:
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    dense_coef: NDArray[np.float32]  # (entries, dim)
    lexical_coef: NDArray[np.float32]  # (entries, vocabulary)
    intercept: NDArray[np.float32]  # (entries,)
    question_tfidf: Any  # (questions, vocabulary), CSC: the knowledge base's own questions
    question_embeddings: NDArray[np.float32]  # (questions, dim)
    question_entry: NDArray[np.int64]  # (questions,): the entry each question belongs to

    def probabilities(self, embedding: NDArray[np.float32], terms: Sequence[str]) -> Any:
        from consultdesk.assistant.lexical import TfidfSpace

        space = TfidfSpace(vocabulary=self.vocabulary, idf=self.idf)
        tfidf = space.transform([terms])
        values = tfidf.data.astype(np.float32)
        logits = self.dense_coef @ embedding + self.intercept
        similarity = self.question_embeddings @ embedding
        if tfidf.nnz:
            logits = logits + self.lexical_coef[:, tfidf.indices] @ values
            similarity = similarity + self.question_tfidf[:, tfidf.indices] @ values
        logits = logits - logits.max()
        weights = np.exp(logits)
        return (1.0 - KNN_WEIGHT) * weights / weights.sum() + KNN_WEIGHT * self._vote(similarity)

    def _vote(self, summed: NDArray[np.float32]) -> Any:
        """Entry probabilities from the nearest knowledge-base questions, each
        weighted by a softmax over its similarity (cosine + TF-IDF cosine, halved)."""
        similarity = np.asarray(summed, dtype=np.float64) / 2.0
        k = min(KNN_NEIGHBOURS, len(similarity))
        if len(similarity) > k:
            nearest = np.argpartition(-similarity, k - 1)[:k]
        else:
            nearest = np.arange(len(similarity))
        closeness = similarity[nearest]
        ceiling = max(float(closeness.max()), KNN_MIN_SIMILARITY)
        weights = np.exp(KNN_SHARPNESS * (closeness - ceiling))
        votes = np.bincount(
            self.question_entry[nearest], weights=weights, minlength=len(self.intercept)
        )
        # "Nobody close" takes part in the vote with similarity KNN_MIN_SIMILARITY; its
        # share is withheld, so a question far from every paraphrase gets no vote.
        return votes / (votes.sum() + np.exp(KNN_SHARPNESS * (KNN_MIN_SIMILARITY - ceiling)))


def _content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def _save_atomically(path: Path, arrays: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    os.close(handle)
    with open(temporary, "wb") as stream:
        np.savez(stream, **arrays)
    os.replace(temporary, path)


def _load(path: Path) -> Any | None:
    if not path.exists():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # a damaged cache file is rebuilt, never trusted


@dataclass(frozen=True)
class _Index:
    entry_ids: tuple[str, ...]
    starts: NDArray[np.int64]  # first question row of each entry
    ends: NDArray[np.int64]  # one past its last question row
    embeddings: NDArray[np.float32]  # (questions, dim), unit rows
    centroids: NDArray[np.float32]  # (entries, dim), unit rows


def _validated(items: Sequence[KnowledgeItem]) -> None:
    if not items:
        raise ValidationFailed("知识库为空，无法建立匹配索引", field="items")
    seen: set[str] = set()
    for item in items:
        if item.entry_id in seen:
            raise ValidationFailed(f"知识条目编号重复：{item.entry_id}", field="entry_id")
        seen.add(item.entry_id)


class Matcher:
    """An immutable, thread-safe index over a knowledge base. Build with `build`."""

    def __init__(
        self,
        *,
        index: _Index,
        encoder: SentenceEncoder,
        bm25: Any,
        combination: Combination,
        classifier: _Classifier | None,
        policy: MatchPolicy,
    ) -> None:
        self._index = index
        self._encoder = encoder
        self._bm25 = bm25
        self._combination = combination
        self._classifier = classifier
        self.policy = policy

    # ----- building -------------------------------------------------------
    @classmethod
    def build(
        cls,
        items: Sequence[KnowledgeItem],
        *,
        encoder: SentenceEncoder | None = None,
        cache_dir: Path | None = None,
        policy: MatchPolicy | None = None,
        fit_classifier: bool = True,
    ) -> Matcher:
        """Index `items` (entry ids unique, at least one question with letters or
        digits each). Everything fitted is cached in `cache_dir` under a hash of the
        items, the encoder and the pipeline version; a hit loads it without
        re-embedding or refitting. Raises ValidationFailed on an empty knowledge
        base, duplicate ids or an entry without a usable question."""
        encoder = encoder or default_encoder()
        _validated(items)
        path = None
        parts = None
        if cache_dir is not None:
            key = _content_hash(
                PIPELINE_VERSION,
                encoder.name,
                str(fit_classifier),
                *("\x1e".join((item.entry_id, *item.questions)) for item in items),
            )
            path = Path(cache_dir) / f"matcher-{key}.npz"
            parts = _load(path)
        if parts is None:
            parts = _fitted_parts(items, encoder=encoder, fit_classifier=fit_classifier)
            if path is not None:
                _save_atomically(path, parts)
        return cls._from_parts(parts, encoder=encoder, policy=policy or MatchPolicy())

    @classmethod
    def _from_parts(cls, parts: Any, *, encoder: SentenceEncoder, policy: MatchPolicy) -> Matcher:
        from consultdesk.assistant.lexical import bm25_from_arrays

        starts = np.asarray(parts["starts"], dtype=np.int64)
        embeddings = np.asarray(parts["embeddings"], dtype=np.float32)
        ends = np.append(starts[1:], embeddings.shape[0]).astype(np.int64)
        sums = np.add.reduceat(embeddings, starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        index = _Index(
            entry_ids=tuple(str(e) for e in parts["entry_ids"].tolist()),
            starts=starts,
            ends=ends,
            embeddings=embeddings,
            centroids=np.ascontiguousarray(sums / norms, dtype=np.float32),
        )
        weights = parts["combination"]
        combination = Combination(
            dense_weight=float(weights[0]),
            lexical_weight=float(weights[1]),
            bias=float(weights[2]),
            fitted=bool(weights[3]),
        )
        classifier = None
        if "clf_terms" in parts:
            from scipy import sparse

            question_entry = np.repeat(
                np.arange(len(starts), dtype=np.int64), (ends - starts).astype(np.int64)
            )
            classifier = _Classifier(
                vocabulary={str(t): i for i, t in enumerate(parts["clf_terms"].tolist())},
                idf=np.asarray(parts["clf_idf"], dtype=np.float64),
                dense_coef=np.asarray(parts["clf_dense"], dtype=np.float32),
                lexical_coef=np.asarray(parts["clf_lexical"], dtype=np.float32),
                intercept=np.asarray(parts["clf_intercept"], dtype=np.float32),
                question_tfidf=sparse.csc_matrix(
                    (
                        np.asarray(parts["clf_rows_data"], dtype=np.float32),
                        parts["clf_rows_indices"],
                        parts["clf_rows_indptr"],
                    ),
                    shape=tuple(int(n) for n in parts["clf_rows_shape"]),
                ),
                question_embeddings=embeddings,
                question_entry=question_entry,
            )
        return cls(
            index=index,
            encoder=encoder,
            bm25=bm25_from_arrays(parts),
            combination=combination,
            classifier=classifier,
            policy=policy,
        )

    def with_policy(self, policy: MatchPolicy) -> Matcher:
        """The same index under other thresholds (no rebuild)."""
        return Matcher(
            index=self._index,
            encoder=self._encoder,
            bm25=self._bm25,
            combination=self._combination,
            classifier=self._classifier,
            policy=policy,
        )

    @property
    def entry_count(self) -> int:
        return len(self._index.entry_ids)

    @property
    def uses_classifier(self) -> bool:
        return self._classifier is not None

    @property
    def combination(self) -> Combination:
        return self._combination

    # ----- matching -------------------------------------------------------
    def match(self, text: str, *, k: int = 3) -> MatchResult:
        """The top `k` entries for `text` with a confidence and a decision. Never
        raises on any string: text without letters or digits gets "clarify"."""
        from consultdesk.assistant.segment import lexical_terms

        normalized = normalize_text(text if isinstance(text, str) else "")
        if not has_content(normalized):
            return MatchResult((), 0.0, "clarify", self.policy.version, normalized)
        terms = lexical_terms(normalized)
        embedding = self._encoder.encode([normalized], role="query")[0]
        with single_blas_thread():
            scores = self._entry_scores(embedding, terms)
        k = max(1, min(k, len(scores)))
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        candidates = tuple(
            Candidate(self._index.entry_ids[int(i)], float(scores[int(i)])) for i in top
        )
        confidence = float(np.clip(scores[int(top[0])], 0.0, 1.0))
        return MatchResult(
            candidates, confidence, self._decide(confidence), self.policy.version, normalized
        )

    def _entry_scores(self, embedding: NDArray[np.float32], terms: Sequence[str]) -> Any:
        if self._classifier is not None:
            return self._classifier.probabilities(embedding, terms)
        index = self._index
        lexical = self._bm25.normalized_scores(terms)
        best_lexical = np.maximum.reduceat(lexical, index.starts)
        if index.embeddings.shape[0] <= _TWO_STAGE_QUESTIONS:
            best_dense = np.maximum.reduceat(index.embeddings @ embedding, index.starts)
            return self._combination.probability(best_dense, best_lexical)
        # Large knowledge base: rank entries by centroid and by BM25 first, then score
        # every question of the shortlisted entries exactly (keeps p99 in budget).
        coarse = index.centroids @ embedding
        pool = min(_SHORTLIST, len(coarse) - 1)
        shortlist = np.union1d(
            np.argpartition(-coarse, pool)[:pool], np.argpartition(-best_lexical, pool)[: pool // 2]
        )
        lengths = index.ends[shortlist] - index.starts[shortlist]
        rows = np.concatenate(
            [
                np.arange(a, b)
                for a, b in zip(index.starts[shortlist], index.ends[shortlist], strict=True)
            ]
        )
        local_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        best_dense = np.maximum.reduceat(index.embeddings[rows] @ embedding, local_starts)
        scores = np.zeros(len(index.entry_ids), dtype=np.float64)
        scores[shortlist] = self._combination.probability(best_dense, best_lexical[shortlist])
        return scores

    def _decide(self, confidence: float) -> Decision:
        if confidence >= self.policy.answer_confidence:
            return "answer"
        if confidence >= self.policy.offer_confidence:
            return "offer"
        return "handover"

    def score_pair(self, a: str, b: str) -> float:
        """P(same meaning) for two questions under the built-in pair calibration."""
        from consultdesk.assistant.pairs import builtin_pair_model, pair_features

        features = pair_features([(a, b)], encoder=self._encoder)
        return float(builtin_pair_model().probabilities(features)[0])


@dataclass(frozen=True)
class _Corpus:
    """What fitting needs beyond the stored index: the texts and their terms."""

    entry_ids: tuple[str, ...]
    starts: NDArray[np.int64]
    question_entry: NDArray[np.int64]
    normalized: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]
    embeddings: NDArray[np.float32]


def _fitted_parts(
    items: Sequence[KnowledgeItem], *, encoder: SentenceEncoder, fit_classifier: bool
) -> dict[str, Any]:
    from consultdesk.assistant.lexical import Bm25Index, bm25_to_arrays
    from consultdesk.assistant.segment import lexical_terms

    entry_ids: list[str] = []
    starts: list[int] = []
    question_entry: list[int] = []
    normalized: list[str] = []
    for item in items:
        questions = [normalize_text(q) for q in item.questions if isinstance(q, str)]
        questions = list(dict.fromkeys(q for q in questions if has_content(q)))
        if not questions:
            raise ValidationFailed(f"知识条目 {item.entry_id} 没有有效的问题", field="questions")
        starts.append(len(normalized))
        entry_ids.append(item.entry_id)
        for question in questions:
            question_entry.append(len(entry_ids) - 1)
            normalized.append(question)
    corpus = _Corpus(
        entry_ids=tuple(entry_ids),
        starts=np.asarray(starts, dtype=np.int64),
        question_entry=np.asarray(question_entry, dtype=np.int64),
        normalized=tuple(normalized),
        terms=tuple(tuple(lexical_terms(q)) for q in normalized),
        embeddings=encoder.encode(normalized, role="passage"),
    )
    bm25 = Bm25Index.build(corpus.terms)
    with single_blas_thread():
        combination = _fit_loo_combination(corpus, bm25) or Combination()
        parts: dict[str, Any] = {
            "entry_ids": np.asarray(corpus.entry_ids, dtype=str),
            "starts": corpus.starts,
            "embeddings": corpus.embeddings,
            "combination": np.asarray(
                [
                    combination.dense_weight,
                    combination.lexical_weight,
                    combination.bias,
                    float(combination.fitted),
                ]
            ),
            **bm25_to_arrays(bm25),
        }
        if fit_classifier and _classifier_pays_off(corpus):
            parts.update(_fitted_classifier(corpus))
    return parts


def _classifier_pays_off(corpus: _Corpus) -> bool:
    entries = len(corpus.entry_ids)
    questions = len(corpus.normalized)
    return 2 <= entries <= MAX_CLASSIFIER_ENTRIES and questions >= 2 * entries


def _fitted_classifier(corpus: _Corpus) -> dict[str, Any]:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from consultdesk.assistant.lexical import TfidfSpace

    space = TfidfSpace.fit(corpus.terms, min_df=2)
    lexical = space.transform(corpus.terms)
    features = sparse.hstack([sparse.csr_matrix(corpus.embeddings), lexical]).tocsr()
    model = LogisticRegression(C=10.0, max_iter=2000).fit(features, corpus.question_entry)
    dim = corpus.embeddings.shape[1]
    classes = model.classes_
    dense_coef = np.zeros((len(corpus.entry_ids), dim), dtype=np.float32)
    lexical_coef = np.zeros((len(corpus.entry_ids), len(space.vocabulary)), dtype=np.float32)
    intercept = np.full(len(corpus.entry_ids), -1e4, dtype=np.float32)
    if len(classes) == 2:  # binary: sklearn keeps one row; spread it over both classes
        coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        bias = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        coef, bias = model.coef_, model.intercept_
    dense_coef[classes] = coef[:, :dim]
    lexical_coef[classes] = coef[:, dim:]
    intercept[classes] = bias
    terms = sorted(space.vocabulary, key=space.vocabulary.__getitem__)
    rows = lexical.tocsc()
    return {
        "clf_rows_data": rows.data.astype(np.float32),
        "clf_rows_indices": rows.indices,
        "clf_rows_indptr": rows.indptr,
        "clf_rows_shape": np.asarray(rows.shape, dtype=np.int64),
        "clf_terms": np.asarray(terms, dtype=str),
        "clf_idf": space.idf,
        "clf_dense": dense_coef,
        "clf_lexical": lexical_coef,
        "clf_intercept": intercept,
    }


def _fit_loo_combination(corpus: _Corpus, bm25: Any) -> Combination | None:
    """Leave-one-question-out on the knowledge base's paraphrases: each sampled
    question is matched against every other question; the right entry and the
    strongest wrong ones become training rows for the combination."""
    counts = np.bincount(corpus.question_entry, minlength=len(corpus.entry_ids))
    eligible = np.flatnonzero(counts[corpus.question_entry] >= 2)
    if len(eligible) < 10 or len(corpus.entry_ids) < 2:
        return None
    rng = np.random.default_rng(0)
    if len(eligible) > _LOO_SAMPLE:
        eligible = np.sort(rng.choice(eligible, _LOO_SAMPLE, replace=False))
    dense_rows: list[float] = []
    lexical_rows: list[float] = []
    right_rows: list[bool] = []
    for chunk in np.array_split(eligible, max(1, len(eligible) // 256)):
        dense = corpus.embeddings[chunk] @ corpus.embeddings.T  # (chunk, questions)
        lexical = np.vstack([bm25.normalized_scores(corpus.terms[row]) for row in chunk])
        positions = np.arange(len(chunk))
        dense[positions, chunk] = -1.0
        lexical[positions, chunk] = 0.0
        best_dense = np.maximum.reduceat(dense, corpus.starts, axis=1)
        best_lexical = np.maximum.reduceat(lexical, corpus.starts, axis=1)
        pools = np.argsort(-(best_dense + 0.5 * best_lexical), axis=1)[:, :_CANDIDATE_POOL]
        for position, row in enumerate(chunk):
            truth = int(corpus.question_entry[row])
            for entry in set(pools[position].tolist()) | {truth}:
                dense_rows.append(float(best_dense[position, entry]))
                lexical_rows.append(float(best_lexical[position, entry]))
                right_rows.append(entry == truth)
    return fit_combination(
        np.asarray(dense_rows), np.asarray(lexical_rows), np.asarray(right_rows, dtype=bool)
    )


@dataclass
class LiveMatcher:
    """The matcher the bot currently uses. `publish` swaps in a fully built
    replacement in one reference assignment: readers see the old or the new index,
    never a half-built one, and nobody waits while a new one builds."""

    _current: Matcher
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def current(self) -> Matcher:
        return self._current

    def publish(self, matcher: Matcher) -> Matcher:
        """Make `matcher` current; returns the one it replaced."""
        with self._lock:
            previous, self._current = self._current, matcher
        return previous

    def rebuild(
        self,
        items: Sequence[KnowledgeItem],
        *,
        encoder: SentenceEncoder | None = None,
        cache_dir: Path | None = None,
    ) -> Matcher:
        """Build a matcher for `items` under the current policy, then publish it."""
        built = Matcher.build(
            items, encoder=encoder, cache_dir=cache_dir, policy=self._current.policy
        )
        self.publish(built)
        return built

    def match(self, text: str, *, k: int = 3) -> MatchResult:
        return self._current.match(text, k=k)
