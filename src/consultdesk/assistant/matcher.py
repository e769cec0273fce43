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
   gives the entry probabilities instead; its top probability is the confidence.
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

# Default policy (the lead's versioned policy overrides them). Chosen by 5-fold
# cross-validation on BANKING77 train (bench/bench_assistant.py): answering at
# >= 0.55 keeps answered accuracy above 97 % while answering ~85 % directly.
ANSWER_CONFIDENCE = 0.55
OFFER_CONFIDENCE = 0.25
MAX_CLASSIFIER_ENTRIES = 500
# Bumped whenever the features change, so old cache files are never reused.
PIPELINE_VERSION = "m1"
_CANDIDATE_POOL = 5
_LOO_SAMPLE = 2000


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

    def probabilities(self, embedding: NDArray[np.float32], terms: Sequence[str]) -> Any:
        from consultdesk.assistant.lexical import TfidfSpace

        space = TfidfSpace(vocabulary=self.vocabulary, idf=self.idf)
        tfidf = space.transform([terms])
        logits = self.dense_coef @ embedding + self.intercept
        if tfidf.nnz:
            logits = logits + self.lexical_coef[:, tfidf.indices] @ tfidf.data.astype(np.float32)
        logits = logits - logits.max()
        weights = np.exp(logits)
        return weights / weights.sum()


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
    question_entry: NDArray[np.int64]
    normalized: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]
    embeddings: NDArray[np.float32]


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
        """Index `items` (entry ids unique, at least one non-empty question each).
        Raises ValidationFailed on an empty knowledge base or duplicate ids."""
        from consultdesk.assistant.lexical import Bm25Index
        from consultdesk.assistant.segment import lexical_terms

        encoder = encoder or default_encoder()
        index = _build_index(items, encoder=encoder, cache_dir=cache_dir, terms_of=lexical_terms)
        bm25 = Bm25Index.build(index.terms)
        with single_blas_thread():
            combination = _fit_loo_combination(index, bm25) or Combination()
            classifier = None
            if fit_classifier and _classifier_pays_off(index):
                classifier = _fitted_classifier(index, cache_dir=cache_dir)
        return cls(
            index=index,
            encoder=encoder,
            bm25=bm25,
            combination=combination,
            classifier=classifier,
            policy=policy or MatchPolicy(),
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
        dense = self._index.embeddings @ embedding
        lexical = self._bm25.normalized_scores(terms)
        best_dense = np.maximum.reduceat(dense, self._index.starts)
        best_lexical = np.maximum.reduceat(lexical, self._index.starts)
        return self._combination.probability(best_dense, best_lexical)

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


def _build_index(
    items: Sequence[KnowledgeItem],
    *,
    encoder: SentenceEncoder,
    cache_dir: Path | None,
    terms_of: Any,
) -> _Index:
    if not items:
        raise ValidationFailed("知识库为空，无法建立匹配索引", field="items")
    seen: set[str] = set()
    entry_ids: list[str] = []
    starts: list[int] = []
    question_entry: list[int] = []
    normalized: list[str] = []
    for item in items:
        if item.entry_id in seen:
            raise ValidationFailed(f"知识条目编号重复：{item.entry_id}", field="entry_id")
        seen.add(item.entry_id)
        questions = [normalize_text(q) for q in item.questions if isinstance(q, str)]
        questions = list(dict.fromkeys(q for q in questions if has_content(q)))
        if not questions:
            raise ValidationFailed(f"知识条目 {item.entry_id} 没有有效的问题", field="questions")
        starts.append(len(normalized))
        entry_ids.append(item.entry_id)
        for question in questions:
            question_entry.append(len(entry_ids) - 1)
            normalized.append(question)
    embeddings = _embeddings(normalized, encoder=encoder, cache_dir=cache_dir)
    return _Index(
        entry_ids=tuple(entry_ids),
        starts=np.asarray(starts, dtype=np.int64),
        question_entry=np.asarray(question_entry, dtype=np.int64),
        normalized=tuple(normalized),
        terms=tuple(tuple(terms_of(q)) for q in normalized),
        embeddings=embeddings,
    )


def _embeddings(
    texts: Sequence[str], *, encoder: SentenceEncoder, cache_dir: Path | None
) -> NDArray[np.float32]:
    path = None
    if cache_dir is not None:
        key = _content_hash(PIPELINE_VERSION, encoder.name, *texts)
        path = Path(cache_dir) / f"embeddings-{key}.npz"
        cached = _load(path)
        if cached is not None and cached["vectors"].shape[0] == len(texts):
            return np.asarray(cached["vectors"], dtype=np.float32)
    vectors = encoder.encode(list(texts), role="passage")
    if path is not None:
        _save_atomically(path, {"vectors": vectors})
    return vectors


def _classifier_pays_off(index: _Index) -> bool:
    entries = len(index.entry_ids)
    questions = len(index.normalized)
    return 2 <= entries <= MAX_CLASSIFIER_ENTRIES and questions >= 2 * entries


def _fitted_classifier(index: _Index, *, cache_dir: Path | None) -> _Classifier:
    from consultdesk.assistant.lexical import TfidfSpace

    path = None
    if cache_dir is not None:
        key = _content_hash(
            PIPELINE_VERSION,
            "classifier",
            str(index.embeddings.shape),
            *(
                f"{index.entry_ids[e]}\x1e{q}"
                for e, q in zip(index.question_entry, index.normalized, strict=True)
            ),
        )
        path = Path(cache_dir) / f"classifier-{key}.npz"
        cached = _load(path)
        if cached is not None:
            vocabulary = {str(t): i for i, t in enumerate(cached["terms"])}
            return _Classifier(
                vocabulary=vocabulary,
                idf=cached["idf"],
                dense_coef=cached["dense_coef"],
                lexical_coef=cached["lexical_coef"],
                intercept=cached["intercept"],
            )
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    space = TfidfSpace.fit(index.terms, min_df=2)
    features = sparse.hstack(
        [sparse.csr_matrix(index.embeddings), space.transform(index.terms)]
    ).tocsr()
    model = LogisticRegression(C=10.0, max_iter=2000).fit(features, index.question_entry)
    dim = index.embeddings.shape[1]
    classes = model.classes_
    dense_coef = np.zeros((len(index.entry_ids), dim), dtype=np.float32)
    lexical_coef = np.zeros((len(index.entry_ids), len(space.vocabulary)), dtype=np.float32)
    intercept = np.full(len(index.entry_ids), -1e4, dtype=np.float32)
    if len(classes) == 2:  # binary: sklearn keeps one row; spread it over both classes
        coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        bias = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        coef, bias = model.coef_, model.intercept_
    dense_coef[classes] = coef[:, :dim]
    lexical_coef[classes] = coef[:, dim:]
    intercept[classes] = bias
    classifier = _Classifier(
        vocabulary=space.vocabulary,
        idf=space.idf,
        dense_coef=dense_coef,
        lexical_coef=lexical_coef,
        intercept=intercept,
    )
    if path is not None:
        terms = np.array(sorted(space.vocabulary, key=space.vocabulary.__getitem__), dtype=str)
        _save_atomically(
            path,
            {
                "terms": terms,
                "idf": space.idf,
                "dense_coef": dense_coef,
                "lexical_coef": lexical_coef,
                "intercept": intercept,
            },
        )
    return classifier


def _fit_loo_combination(index: _Index, bm25: Any) -> Combination | None:
    """Leave-one-question-out on the knowledge base's paraphrases: each sampled
    question is matched against every other question; the right entry and the
    strongest wrong ones become training rows for the combination."""
    counts = np.bincount(index.question_entry, minlength=len(index.entry_ids))
    eligible = np.flatnonzero(counts[index.question_entry] >= 2)
    if len(eligible) < 10 or len(index.entry_ids) < 2:
        return None
    rng = np.random.default_rng(0)
    if len(eligible) > _LOO_SAMPLE:
        eligible = np.sort(rng.choice(eligible, _LOO_SAMPLE, replace=False))
    dense_rows: list[float] = []
    lexical_rows: list[float] = []
    right_rows: list[bool] = []
    for chunk in np.array_split(eligible, max(1, len(eligible) // 256)):
        dense = index.embeddings[chunk] @ index.embeddings.T  # (chunk, questions)
        lexical = np.vstack([bm25.normalized_scores(index.terms[row]) for row in chunk])
        positions = np.arange(len(chunk))
        dense[positions, chunk] = -1.0
        lexical[positions, chunk] = 0.0
        best_dense = np.maximum.reduceat(dense, index.starts, axis=1)
        best_lexical = np.maximum.reduceat(lexical, index.starts, axis=1)
        pools = np.argsort(-(best_dense + 0.5 * best_lexical), axis=1)[:, :_CANDIDATE_POOL]
        for position, row in enumerate(chunk):
            truth = int(index.question_entry[row])
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
