"""The assistant over the live knowledge base.

`Assistant` holds one immutable `Knowledge` snapshot: the matcher built from
`knowledge.list_published` (plus paraphrases from agents' `same` pair labels) and the
published answers it quotes. `refresh()` reloads the published answers and, when they
changed, builds a new matcher in a background thread and then swaps the snapshot in one
reference assignment: questions keep being answered from the old snapshot while the new
one builds, and nobody ever sees a matcher without its answers (no downtime).
Fitted indexes are cached under `<data_dir>/assistant-cache` keyed by content, so a
restart or an unchanged rebuild does not re-embed. A large knowledge base
(`CHILD_BUILD_MIN_QUESTIONS`) that is rebuilt while a snapshot is live is built in a
child process into that cache and only loaded here: embedding tens of thousands of
questions in-process would hold the encoder (one forward pass at a time) and the
interpreter lock, and answers during the rebuild would wait for it
(bench/bench_kb_scale.py measures both).

`train_from_database` is `consultdesk assistant train` on the database: the same build
into the same cache, plus a calibration report of the pair score on the labelled pairs.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from consultdesk.assistant import review
from consultdesk.assistant.dialogue import EntryView
from consultdesk.assistant.encoder import SentenceEncoder, default_encoder
from consultdesk.assistant.matcher import KnowledgeItem, Matcher, MatchPolicy, MatchResult
from consultdesk.db.engine import UnitOfWork
from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import DependencyDown

log = logging.getLogger("consultdesk.assistant")

CACHE_FOLDER = "assistant-cache"
# From this many questions a rebuild behind a live snapshot runs in a child process
# (~2 s to start and load the encoder there; 2,000 questions embed in ~1 s here).
CHILD_BUILD_MIN_QUESTIONS = 2000
Builder = Callable[[Sequence[KnowledgeItem]], Matcher]


@dataclass(frozen=True)
class Knowledge:
    """One consistent view: the matcher and the answers it can return."""

    matcher: Matcher | None
    entries: Mapping[str, EntryView]
    fingerprint: str
    built_at: float = 0.0

    @property
    def ready(self) -> bool:
        return self.matcher is not None


EMPTY = Knowledge(matcher=None, entries={}, fingerprint="")


class KnowledgeLoading(DependencyDown):
    """The published knowledge base has not been loaded yet (the first build after
    start-up takes seconds to a minute); ask again shortly."""

    code = "assistant_loading"


@dataclass(frozen=True)
class Loaded:
    items: tuple[KnowledgeItem, ...]
    entries: dict[str, EntryView]
    fingerprint: str
    added: int = 0  # paraphrases taken from agents' same-pair labels


def load_knowledge(*, session: Session, now: datetime) -> Loaded:
    """The published answers at `now` as matcher items and quotable entries, with
    paraphrases added from agents' `same` labels; fingerprinted by content."""
    from consultdesk.knowledge import service as knowledge

    published = knowledge.list_published(session=session, now=now)
    questions: dict[str, tuple[str, ...]] = {a.entry_id: tuple(a.questions) for a in published}
    extra = review.labelled_paraphrases(
        questions_by_entry=dict(questions), labels=review.list_pair_labels(session=session)
    )
    items = tuple(
        KnowledgeItem(entry_id=a.entry_id, questions=(*a.questions, *extra.get(a.entry_id, ())))
        for a in published
    )
    entries: dict[str, EntryView] = {
        a.entry_id: EntryView(
            entry_id=a.entry_id,
            question=a.standard_question,
            answer=a.answer,
            steps=tuple(a.steps),
            complexity=a.complexity.value,
            source=a.source,
            business_line=a.business_line.value,
        )
        for a in published
    }
    digest = hashlib.sha256()
    for item in items:
        entry = entries[item.entry_id]
        for part in (*item.questions, entry.answer, *entry.steps, entry.complexity, entry.source):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return Loaded(
        items=items,
        entries=entries,
        fingerprint=digest.hexdigest()[:32],
        added=sum(len(v) for v in extra.values()),
    )


@dataclass
class Assistant:
    """The live assistant of one container. Thread-safe; `refresh` never blocks readers."""

    uow: UnitOfWork
    clock: Clock
    cache_dir: Path | None = None
    encoder: SentenceEncoder | None = None
    builder: Builder | None = None
    _knowledge: Knowledge = field(default=EMPTY, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _worker: threading.Thread | None = field(default=None, repr=False)
    _again: bool = field(default=False, repr=False)
    builds: int = 0

    @property
    def knowledge(self) -> Knowledge:
        return self._knowledge

    def _build(self, items: Sequence[KnowledgeItem]) -> Matcher:
        if self.builder is not None:
            return self.builder(items)
        encoder = self.encoder or default_encoder()
        if self._build_in_child(items):
            try:
                _build_in_child_process(items, cache_dir=self.cache_dir)  # type: ignore[arg-type]
            except Exception:
                log.exception("building the matcher in a child process failed; building here")
        return Matcher.build(items, encoder=encoder, cache_dir=self.cache_dir)

    def _build_in_child(self, items: Sequence[KnowledgeItem]) -> bool:
        """True when answers are being served from a live snapshot and the build is
        large enough to stall them; the child needs the cache folder to hand the
        index over and the default encoder (which it loads itself)."""
        return (
            self.cache_dir is not None
            and self.encoder is None
            and self._knowledge.ready
            and sum(len(item.questions) for item in items) >= CHILD_BUILD_MIN_QUESTIONS
        )

    def refresh(self, *, wait: bool = False) -> bool:
        """Reload the published answers; when they changed, rebuild the matcher (in a
        background thread unless `wait`) and publish it. True when a rebuild started."""
        with self.uow() as session:
            loaded = load_knowledge(session=session, now=self.clock.now())
        if loaded.fingerprint == self._knowledge.fingerprint:
            return False
        return self.rebuild(loaded, wait=wait)

    def rebuild(self, loaded: Loaded, *, wait: bool = False) -> bool:
        """Build the matcher for `loaded` and publish it (in a background thread
        unless `wait`; the current snapshot keeps answering until the swap)."""
        if wait:
            self._rebuild(loaded)
            return True
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                self._again = True  # rebuild once more when the running one ends
                return True
            self._worker = threading.Thread(
                target=self._rebuild_in_background,
                args=(loaded,),
                name="consultdesk-assistant-rebuild",
                daemon=True,
            )
            self._worker.start()
        return True

    @property
    def loading(self) -> bool:
        """True until the published knowledge base has been loaded once (an empty one
        counts as loaded)."""
        return not self._knowledge.fingerprint

    def ensure_loaded(self) -> None:
        """Start loading the knowledge if it was never loaded (e.g. no app lifespan ran)."""
        if self.loading and self._worker is None:
            self.refresh()

    def _rebuild_in_background(self, loaded: Loaded) -> None:
        while True:
            try:
                self._rebuild(loaded)
            except Exception:
                log.exception("rebuilding the assistant's matcher failed; the old one stays live")
            with self._lock:
                if not self._again:
                    self._worker = None
                    return
                self._again = False
            with self.uow() as session:
                loaded = load_knowledge(session=session, now=self.clock.now())

    def _rebuild(self, loaded: Loaded) -> None:
        matcher = self._build(loaded.items) if loaded.items else None
        # One reference assignment: readers see the old snapshot or the new one.
        self._knowledge = Knowledge(
            matcher=matcher,
            entries=dict(loaded.entries),
            fingerprint=loaded.fingerprint,
            built_at=time.time(),
        )
        self.builds += 1

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for a running background rebuild to finish (tests, CLI)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def install(self, knowledge: Knowledge) -> None:
        """Publish a ready snapshot (e.g. built elsewhere)."""
        self._knowledge = knowledge


def _build_into_cache(items: Sequence[KnowledgeItem], cache_dir: str) -> None:
    """Runs in the child process: build the matcher with the default encoder and
    leave it in the cache (written atomically). The child yields the cores to
    processes answering questions (nice 10)."""
    import os

    if hasattr(os, "nice"):
        os.nice(10)
    Matcher.build(items, encoder=default_encoder(), cache_dir=Path(cache_dir))


def _build_in_child_process(items: Sequence[KnowledgeItem], *, cache_dir: Path) -> None:
    """Build the matcher for `items` into `cache_dir` in a fresh interpreter and wait
    for it (the caller's thread waits; nothing else in this process does)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pool.submit(_build_into_cache, tuple(items), str(cache_dir)).result()


def policy_for(*, session: Session, branch: str) -> MatchPolicy:
    """The branch's thresholds from the versioned policy (QC-5)."""
    from consultdesk.policy.service import current_policy
    from consultdesk.shared.ids import BranchCode

    policy = current_policy(session=session, branch=BranchCode(branch))
    answer = float(policy.decimal("assistant.answer_confidence"))
    offer = min(float(policy.decimal("assistant.offer_confidence")), answer)
    return MatchPolicy(answer_confidence=answer, offer_confidence=offer, version=policy.version)


@dataclass(frozen=True)
class Suggestion:
    entry: EntryView
    score: float


def suggest(
    *, knowledge: Knowledge, text: str, k: int = 3, min_score: float = 0.0
) -> list[Suggestion]:
    """The top `k` entries for what an agent is typing: the bot's own matcher (QC-5),
    without those scoring under `min_score` (policy `assistant.suggest_min_score`)."""
    if knowledge.matcher is None:
        return []
    result: MatchResult = knowledge.matcher.match(text, k=k)
    return [
        Suggestion(knowledge.entries[c.entry_id], round(c.score, 4))
        for c in result.candidates
        if c.entry_id in knowledge.entries and c.score >= min_score
    ]


def suggest_min_score(*, session: Session, branch: str) -> float:
    """The branch's floor under agents' suggestions from the versioned policy (QC-5)."""
    from consultdesk.policy.service import current_policy
    from consultdesk.shared.ids import BranchCode

    policy = current_policy(session=session, branch=BranchCode(branch))
    return float(policy.decimal("assistant.suggest_min_score"))


def train_from_database(
    *, uow: UnitOfWork, now: datetime, cache_dir: Path, encoder: SentenceEncoder | None = None
) -> dict[str, Any]:
    """`consultdesk assistant train` on the database: fit the matcher on the published
    knowledge base (with agents' `same` pairs as paraphrases) into `cache_dir`, and
    calibrate the pair score on the agents' labelled pairs."""
    import numpy as np

    from consultdesk.assistant.pairs import (
        best_threshold,
        builtin_pair_model,
        calibrate_pair_model,
    )
    from consultdesk.shared.errors import ValidationFailed

    with uow() as session:
        loaded = load_knowledge(session=session, now=now)
        labels = review.list_pair_labels(session=session)
    if not loaded.items:
        raise ValidationFailed("知识库中没有已发布的条目，无法训练", field="knowledge")
    encoder = encoder or default_encoder()
    started = time.perf_counter()
    matcher = Matcher.build(loaded.items, encoder=encoder, cache_dir=cache_dir)
    report: dict[str, Any] = {
        "entries": matcher.entry_count,
        "questions": sum(len(item.questions) for item in loaded.items),
        "classifier": matcher.uses_classifier,
        "combination_fitted": matcher.combination.fitted,
        "labelled_pairs": len(labels),
        "paraphrases_from_pairs": loaded.added,
        "seconds": round(time.perf_counter() - started, 2),
        "cache_dir": str(cache_dir),
    }
    same = np.array([int(label.same) for label in labels])
    if len(set(same.tolist())) == 2:
        pairs = [(label.first, label.second) for label in labels]
        model, scores = calibrate_pair_model(pairs, same, encoder=encoder)
        threshold = best_threshold(scores, same)
        report["pair_calibration"] = "weights" if model is not builtin_pair_model() else "threshold"
        report["pair_threshold"] = round(float(threshold), 4)
        report["pair_accuracy"] = round(float(((scores >= threshold) == (same == 1)).mean()), 4)
    return report
