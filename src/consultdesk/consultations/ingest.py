"""Durable chat-message ingest with group commit (ACC-1).

A message is acknowledged only after the transaction that stores it has committed (on
SQLite with ``synchronous=FULL``: after fsync). One fsync per message caps SQLite at a
few hundred messages a second, so concurrent messages are batched: callers put messages
on a queue, one writer thread drains whatever is waiting (up to ``max_batch``), stores
the lot in one transaction, commits once, and only then resolves each caller's future.

Guarantees:
- per-consultation order is submission order (one FIFO queue, one writer);
- idempotent on ``(consultation_id, client_msg_id)``, also within one batch;
- a message that fails (bad text, closed consultation, unknown id) gets its own error and
  does not sink its batch-mates; if the batch's commit itself fails (e.g. a writer in
  another process took the same sequence number), every message is retried on its own
  through ``service.post_message``.

Each stored message is passed to the ``listeners`` (in commit order) after the commit,
which is how the chat hub broadcasts to the other side. The patience rule (STD-3) runs
inside the same transaction: the system suggestion follows the repeated question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from consultdesk.consultations import patience, service
from consultdesk.consultations.messages import (
    AuthorKind,
    Message,
    check_client_msg_id,
    check_message_text,
)
from consultdesk.consultations.model import Move, Status
from consultdesk.consultations.tables import ConsultationEventRow, ConsultationRow, MessageRow
from consultdesk.db.engine import UnitOfWork
from consultdesk.policy.service import current_policy
from consultdesk.security.redaction import redact_c3
from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import Conflict, DomainError, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, new_id

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container

log = logging.getLogger("consultdesk.ingest")

DEFAULT_MAX_BATCH = 256
PATIENCE_WINDOW = 40  # earlier messages whose questions count on first sight (STD-3)
QUESTION_MEMORY = 10_000  # consultations whose question keys the writer keeps
POLICY_TTL_S = 5.0  # a policy change reaches the patience rule within this time
MESSAGES = cast(Table, MessageRow.__table__)
EVENTS = cast(Table, ConsultationEventRow.__table__)
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Incoming:
    consultation_id: str
    author_kind: str
    text: str
    author_id: str | None = None
    client_msg_id: str | None = None
    # Who sent it (e.g. a chat connection), for listeners; not stored.
    origin: object = field(default=None, compare=False)


Outcome = service.Posted | DomainError
# Called after commit with the item that was stored (None for system messages the
# ingest added itself) and the stored message.
Listener = Callable[[Incoming | None, service.Posted], None]
Waiter = Future[service.Posted] | asyncio.Future[service.Posted]


def _to_message(values: dict[str, Any]) -> Message:
    return Message(
        id=values["id"],
        consultation_id=values["consultation_id"],
        seq=values["seq"],
        author_kind=AuthorKind(values["author_kind"]),
        author_id=values["author_id"],
        text=values["text"],
        client_msg_id=values["client_msg_id"],
        created_at=values["created_at"],
        redacted=tuple(values["redacted"]),
    )


@dataclass
class StoredBatch:
    outcomes: list[Outcome]  # one per item: the stored (or earlier) message, or its error
    suggestions: list[service.Posted]  # system messages the patience rule added
    questions: dict[str, Counter[str]]  # question keys per consultation, after the batch
    repeat_limits: dict[str, int]  # patience.repeat_question_limit per branch, as used


def store_batch(
    *,
    session: Session,
    now: datetime,
    items: Sequence[Incoming],
    questions: Mapping[str, Counter[str]] | None = None,
    repeat_limits: Mapping[str, int] | None = None,
) -> StoredBatch:
    """Store ``items`` in the session's transaction, in order, with the rules of
    ``service.post_message``; nothing is committed here. ``questions`` are the question
    keys already known per consultation (the writer's memory, so the patience rule need
    not re-read the transcript every batch); unknown consultations are read from the
    database. ``repeat_limits`` likewise spares reading the policy per batch."""
    outcomes: list[Outcome | None] = [None] * len(items)
    checked: list[tuple[int, AuthorKind, str, str | None]] = []
    for i, item in enumerate(items):
        try:
            kind = AuthorKind(item.author_kind)
        except ValueError:
            outcomes[i] = ValidationFailed("author_kind 取值无效", field="author_kind")
            continue
        try:
            if "\x00" in item.text:  # PostgreSQL cannot store it; it would sink the batch
                raise ValidationFailed("消息含有不允许的 NUL 字符", field="text")
            checked.append(
                (i, kind, check_message_text(item.text), check_client_msg_id(item.client_msg_id))
            )
        except DomainError as exc:
            outcomes[i] = exc
    ids = sorted({items[i].consultation_id for i, *_ in checked})
    if not ids:
        return StoredBatch([o for o in outcomes if o is not None], [], {}, {})
    # PostgreSQL: lock the rows (sequence numbers); SQLite holds the write lock from BEGIN.
    rows = {
        r.id: r
        for r in session.scalars(
            select(ConsultationRow).where(ConsultationRow.id.in_(ids)).with_for_update()
        )
    }
    wanted = {(items[i].consultation_id, c) for i, _, _, c in checked if c is not None}
    known: dict[tuple[str, str], Message] = {}
    if wanted:
        for m in session.scalars(
            select(MessageRow).where(
                MessageRow.consultation_id.in_({cid for cid, _ in wanted}),
                MessageRow.client_msg_id.in_({c for _, c in wanted}),
            )
        ):
            known[(m.consultation_id, m.client_msg_id or "")] = service._message(m)
    asked = _earlier_questions(session, rows, items, checked, questions or {})
    limits: dict[str, int] = dict(repeat_limits or {})
    new_messages: list[dict[str, Any]] = []
    new_events: list[dict[str, Any]] = []
    suggestions: list[service.Posted] = []

    def add(row: ConsultationRow, values: dict[str, Any]) -> Message:
        row.message_count += 1
        values.update(id=new_id("msg"), seq=row.message_count, created_at=now)
        new_messages.append(values)
        return _to_message(values)

    for i, kind, text, client_id in checked:
        body = text
        cid = items[i].consultation_id
        row = rows.get(cid)
        if row is None:
            outcomes[i] = NotFound("咨询不存在", field="consultation_id")
            continue
        if client_id is not None and (cid, client_id) in known:
            outcomes[i] = service.Posted(known[(cid, client_id)], duplicate=True)
            continue
        if row.status == Status.CLOSED.value:
            outcomes[i] = Conflict("该咨询已关闭，请发起新的咨询", field="consultation_id")
            continue
        warning = None
        redacted: list[str] = []
        if kind == AuthorKind.CUSTOMER:
            result = redact_c3(body)
            body, warning = result.text, result.warning
            redacted = sorted({f.kind.value for f in result.findings})
            move = {
                Status.RESOLVED.value: Move.REOPEN,
                Status.WAITING_CUSTOMER.value: Move.CUSTOMER_REPLIED,
            }.get(row.status)
            if move is not None:
                after, ev = service._consultation(row).apply(move, actor="customer", now=now)
                row.status = after.status.value
                row.resolved_at = after.resolved_at
                new_events.append(
                    {
                        "consultation_id": cid,
                        "kind": ev.move.value,
                        "from_status": ev.from_status.value,
                        "to_status": ev.to_status.value,
                        "actor": ev.actor,
                        "at": now,
                        "reason": None,
                        "data": {},
                    }
                )
        elif kind in (AuthorKind.AGENT, AuthorKind.BOT) and row.first_response_at is None:
            row.first_response_at = now
        message = add(
            row,
            {
                "consultation_id": cid,
                "author_kind": kind.value,
                "author_id": items[i].author_id,
                "text": body,
                "client_msg_id": client_id,
                "redacted": redacted,
            },
        )
        if client_id is not None:
            known[(cid, client_id)] = message
        outcomes[i] = service.Posted(message, duplicate=False, warning=warning)
        if kind != AuthorKind.CUSTOMER:
            continue
        # STD-3: a question asked more than the limit is steered to another channel.
        key = patience.question_key(body)
        if key is None:
            continue
        seen = asked.setdefault(cid, Counter())
        seen[key] += 1
        times = seen[key]
        if row.branch not in limits:
            policy = current_policy(session=session, branch=BranchCode(row.branch))
            limits[row.branch] = policy.int("patience.repeat_question_limit")
        if patience.needs_other_channel(times_asked=times, limit=limits[row.branch]):
            system = add(
                row,
                {
                    "consultation_id": cid,
                    "author_kind": AuthorKind.SYSTEM.value,
                    "author_id": None,
                    "text": patience.SUGGESTION,
                    "client_msg_id": f"{patience.SUGGESTION_KIND}:{message.seq}",
                    "redacted": [],
                },
            )
            suggestions.append(service.Posted(system, duplicate=False))
            new_events.append(
                {
                    "consultation_id": cid,
                    "kind": patience.SUGGESTION_KIND,
                    "from_status": None,
                    "to_status": None,
                    "actor": SYSTEM_ACTOR,
                    "at": now,
                    "reason": "同一问题重复提出",
                    "data": {"times_asked": times, "limit": limits[row.branch]},
                }
            )
    # Core inserts (executemany): the ORM's bulk path costs more per row than the rules.
    if new_messages:
        session.execute(insert(MESSAGES), new_messages)
    if new_events:
        session.execute(insert(EVENTS), new_events)
    session.flush()
    return StoredBatch([o for o in outcomes if o is not None], suggestions, asked, limits)


def _earlier_questions(
    session: Session,
    rows: dict[str, ConsultationRow],
    items: Sequence[Incoming],
    checked: list[tuple[int, AuthorKind, str, str | None]],
    known: Mapping[str, Counter[str]],
) -> dict[str, Counter[str]]:
    """Question keys of the recent customer messages of every consultation that gets a
    customer message in this batch (STD-3): copied from ``known``, else read."""
    wanted = {
        items[i].consultation_id
        for i, kind, _, _ in checked
        if kind == AuthorKind.CUSTOMER and items[i].consultation_id in rows
    }
    found: dict[str, Counter[str]] = {c: Counter(known[c]) for c in wanted if c in known}
    targets = sorted(wanted - found.keys())
    if not targets:
        return found
    floor = {cid: rows[cid].message_count - PATIENCE_WINDOW for cid in targets}
    found.update({cid: Counter() for cid in targets})
    for cid, seq, text in session.execute(
        select(MessageRow.consultation_id, MessageRow.seq, MessageRow.text).where(
            MessageRow.consultation_id.in_(targets),
            MessageRow.seq > min(floor.values()),
            MessageRow.author_kind == AuthorKind.CUSTOMER.value,
        )
    ):
        if seq > floor[cid] and (key := patience.question_key(text)) is not None:
            found[cid][key] += 1
    return found


class Ingest:
    """The group-commit writer. ``submit`` from any thread; ``post`` waits (sync code);
    ``post_async`` awaits (event loop). The writer thread starts on demand and leaves
    after ``idle_s`` seconds without work."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clock: Clock,
        max_batch: int = DEFAULT_MAX_BATCH,
        idle_s: float = 5.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._uow = uow
        self._clock = clock
        self.max_batch = max_batch
        self._idle_s = idle_s
        self._queue: queue.Queue[tuple[Incoming, Waiter]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.listeners: list[Listener] = []
        # Question keys per consultation (STD-3), least recently used dropped first. Only
        # messages stored through this writer update it; the rule is a courtesy, so a
        # count that misses a message stored elsewhere is acceptable.
        self._questions: OrderedDict[str, Counter[str]] = OrderedDict()
        # The patience limit per branch, re-read from the policy every POLICY_TTL_S.
        self._limits: dict[str, int] = {}
        self._limits_read = 0.0
        self.batches = 0
        self.stored = 0

    def submit(self, item: Incoming) -> Future[service.Posted]:
        """Queue ``item``; the future resolves after the commit (any thread may wait)."""
        future: Future[service.Posted] = Future()
        self._put(item, future)
        return future

    def submit_async(self, item: Incoming) -> asyncio.Future[service.Posted]:
        """Queue ``item`` from an event loop; the asyncio future resolves after the commit.
        Cheaper than wrapping ``submit``: the writer settles all of a loop's futures of
        one batch with a single wake-up of that loop."""
        future: asyncio.Future[service.Posted] = asyncio.get_running_loop().create_future()
        self._put(item, future)
        return future

    def _put(self, item: Incoming, waiter: Waiter) -> None:
        with self._lock:
            self._queue.put((item, waiter))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="consultdesk-ingest", daemon=True
                )
                self._thread.start()

    def post(self, item: Incoming, *, timeout: float = 30.0) -> service.Posted:
        """Store ``item`` and return once committed; raises the item's ``DomainError``."""
        return self.submit(item).result(timeout=timeout)

    async def post_async(self, item: Incoming) -> service.Posted:
        return await self.submit_async(item)

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._idle_s)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except Exception:  # never let the writer die: waiters would hang for ever
                log.exception("ingest writer failed on a batch of %d", len(batch))
                failed: BaseException = RuntimeError("消息未能保存，请重发")
                for _, waiter in batch:
                    if isinstance(waiter, asyncio.Future):
                        one: list[tuple[Waiter, Outcome | BaseException]] = [(waiter, failed)]
                        with contextlib.suppress(RuntimeError):
                            waiter.get_loop().call_soon_threadsafe(_settle_all, one)
                    else:
                        _settle(waiter, failed)

    def _write(self, batch: list[tuple[Incoming, Waiter]]) -> None:
        items = [item for item, _ in batch]
        now = self._clock.now()
        suggestions: list[service.Posted] = []
        outcomes: list[Outcome | BaseException]
        try:
            with self._uow() as session:
                if time.monotonic() - self._limits_read > POLICY_TTL_S:
                    self._limits, self._limits_read = {}, time.monotonic()
                stored = store_batch(
                    session=session,
                    now=now,
                    items=items,
                    questions=self._questions,
                    repeat_limits=self._limits,
                )
            outcomes = list(stored.outcomes)
            suggestions = stored.suggestions
            self._remember(stored.questions)
            self._limits = stored.repeat_limits
        except Exception as exc:  # the commit failed: store each message on its own
            log.warning("batch of %d failed (%s); storing one by one", len(items), exc)
            suggestions = []
            for item in items:
                self._questions.pop(item.consultation_id, None)
            outcomes = [self._store_one(item, now) for item in items]
        self.batches += 1
        heard: list[tuple[Incoming | None, Outcome | BaseException]] = [
            *zip(items, outcomes, strict=True),
            *((None, s) for s in suggestions),
        ]
        for source, outcome in heard:
            if isinstance(outcome, service.Posted) and not outcome.duplicate:
                self.stored += 1
                for listener in self.listeners:
                    try:
                        listener(source, outcome)
                    except Exception:
                        log.exception("ingest listener failed")
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Waiter, Outcome | BaseException]]]
        by_loop = {}
        for (_, waiter), outcome in zip(batch, outcomes, strict=True):
            if isinstance(waiter, asyncio.Future):
                by_loop.setdefault(waiter.get_loop(), []).append((waiter, outcome))
            else:
                _settle(waiter, outcome)
        for loop, settled in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits
                loop.call_soon_threadsafe(_settle_all, settled)

    def _remember(self, questions: dict[str, Counter[str]]) -> None:
        for cid, keys in questions.items():
            self._questions[cid] = keys
            self._questions.move_to_end(cid)
        while len(self._questions) > QUESTION_MEMORY:
            self._questions.popitem(last=False)

    def _store_one(self, item: Incoming, now: datetime) -> Outcome | BaseException:
        try:
            with self._uow() as session:
                return service.post_message(
                    session=session,
                    now=now,
                    consultation_id=item.consultation_id,
                    author_kind=item.author_kind,
                    text=item.text,
                    author_id=item.author_id,
                    client_msg_id=item.client_msg_id,
                )
        except Exception as exc:
            return exc


def _settle(waiter: Waiter, outcome: Outcome | BaseException) -> None:
    if waiter.done():  # cancelled: the sender left; the message is stored all the same
        return
    if isinstance(outcome, BaseException):
        waiter.set_exception(outcome)
    else:
        waiter.set_result(outcome)


def _settle_all(settled: list[tuple[Waiter, Outcome | BaseException]]) -> None:
    for waiter, outcome in settled:
        _settle(waiter, outcome)


_CREATE = threading.Lock()


def ingest_for(container: Container) -> Ingest:
    """The container's one ingest writer (created on first use).
    ``container.tuning.ingest_max_batch = 1`` turns batching off (the bench's baseline)."""
    with _CREATE:
        found = container.attached.ingest
        if found is None:
            found = container.attached.ingest = Ingest(
                uow=container.uow,
                clock=container.clock,
                max_batch=container.tuning.ingest_max_batch or DEFAULT_MAX_BATCH,
            )
        return found
