"""Use cases on consultations: open, talk, move through the lifecycle, restate, classify,
and the returning customer's history (ACC-1, ACC-4, ACC-5, ACP-1, ACP-4)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Row, Select, and_, bindparam, select, tuple_
from sqlalchemy.orm import Session

from consultdesk.consultations.messages import (
    AuthorKind,
    Message,
    check_client_msg_id,
    check_message_text,
)
from consultdesk.consultations.model import (
    OPEN_STATES,
    Channel,
    Complexity,
    Consultation,
    ConsultationId,
    ConsultationType,
    LifecycleEvent,
    Move,
    Priority,
    Status,
    check_summary,
)
from consultdesk.consultations.tables import ConsultationEventRow, ConsultationRow, MessageRow
from consultdesk.customers import service as customers
from consultdesk.org import service as org
from consultdesk.policy.service import current_policy
from consultdesk.security.redaction import redact_c3
from consultdesk.shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from consultdesk.shared.ids import BranchCode, new_id
from consultdesk.shared.scope import SYSTEM, Scope


def _enum(kind: type[Any], value: str, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        raise ValidationFailed(f"{field} 取值无效：{value}；可选 {allowed}", field=field) from None


def _consultation(row: ConsultationRow | Row[Any]) -> Consultation:
    return Consultation(
        id=ConsultationId(row.id),
        channel=Channel(row.channel),
        type=ConsultationType(row.type),
        priority=Priority(row.priority),
        status=Status(row.status),
        branch=row.branch,
        policy_version=row.policy_version,
        opened_at=row.opened_at,
        customer_id=row.customer_id,
        agent_id=row.agent_id,
        complexity=Complexity(row.complexity) if row.complexity else None,
        business_line=row.business_line,
        subject=row.subject,
        summary=row.summary,
        summary_confirmed_at=row.summary_confirmed_at,
        outcome=row.outcome,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
    )


_MESSAGE_COLUMNS = (
    MessageRow.id,
    MessageRow.consultation_id,
    MessageRow.seq,
    MessageRow.author_kind,
    MessageRow.author_id,
    MessageRow.text,
    MessageRow.client_msg_id,
    MessageRow.created_at,
    MessageRow.redacted,
)


_AUTHOR_KINDS = {k.value: k for k in AuthorKind}


def _message_of_values(
    id: str,
    consultation_id: str,
    seq: int,
    author_kind: str,
    author_id: str | None,
    text: str,
    client_msg_id: str | None,
    created_at: datetime,
    redacted: list[Any] | None,
) -> Message:
    """A message from its columns in ``_MESSAGE_COLUMNS`` order (the transcript's path)."""
    return Message(
        id,
        consultation_id,
        seq,
        _AUTHOR_KINDS[author_kind],
        author_id,
        text,
        client_msg_id,
        created_at,
        tuple(redacted) if redacted else (),
    )


# The consultation's branch (for the scope check) and its messages after a sequence
# number, in one round trip; a consultation without such messages gives one row of NULLs.
_TRANSCRIPT = (
    select(ConsultationRow.branch, *_MESSAGE_COLUMNS)
    .select_from(ConsultationRow)
    .outerjoin(
        MessageRow,
        and_(
            MessageRow.consultation_id == ConsultationRow.id,
            MessageRow.seq > bindparam("after_seq"),
        ),
    )
    .where(ConsultationRow.id == bindparam("consultation_id"))
    .order_by(MessageRow.seq)
)


def _message(row: MessageRow | Row[Any]) -> Message:
    return _message_of_values(
        row.id,
        row.consultation_id,
        row.seq,
        row.author_kind,
        row.author_id,
        row.text,
        row.client_msg_id,
        row.created_at,
        row.redacted,
    )


def _row(
    session: Session, consultation_id: str, *, lock: bool = False, scope: Scope = SYSTEM
) -> ConsultationRow:
    """The row, or NotFound — also for a consultation outside ``scope``, so another
    branch's id reads exactly like an unknown one (RSK-2)."""
    row = session.get(ConsultationRow, consultation_id, with_for_update=lock or None)
    if row is None or not scope.admits(row.branch):
        raise NotFound("咨询不存在", field="consultation_id")
    return row


def _event(session: Session, ev: LifecycleEvent) -> None:
    session.add(
        ConsultationEventRow(
            consultation_id=ev.consultation_id,
            kind=ev.move.value,
            from_status=ev.from_status.value,
            to_status=ev.to_status.value,
            actor=ev.actor,
            at=ev.at,
            reason=ev.reason,
            data={},
        )
    )


def record_fact(
    *,
    session: Session,
    consultation_id: str,
    kind: str,
    actor: str,
    now: datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """A notable fact on the consultation's timeline (verification, escalation fired, …)."""
    _row(session, consultation_id)
    session.add(
        ConsultationEventRow(
            consultation_id=consultation_id,
            kind=kind,
            actor=actor,
            at=now,
            reason=reason,
            data=data or {},
        )
    )


def open_consultation(
    *,
    session: Session,
    now: datetime,
    channel: str,
    type: str = "other",
    priority: str = "normal",
    branch: str,
    actor: str,
    customer_id: str | None = None,
    subject: str | None = None,
) -> Consultation:
    """A new consultation in the queue, stamped with the policy version in force (ANX-2)."""
    the_channel = _enum(Channel, channel, "channel")
    the_type = _enum(ConsultationType, type, "type")
    the_priority = _enum(Priority, priority, "priority")
    the_branch = org.get_branch(session=session, code=branch)
    if customer_id is not None:
        customers.get_customer(scope=SYSTEM, session=session, customer_id=customer_id)
    if subject is not None and len(subject) > 200:
        raise ValidationFailed("主题不得超过 200 个字符", field="subject")
    policy = current_policy(session=session, branch=BranchCode(the_branch.code))
    row = ConsultationRow(
        id=new_id("con"),
        channel=the_channel.value,
        type=the_type.value,
        priority=the_priority.value,
        status=Status.QUEUED.value,
        branch=the_branch.code,
        policy_version=policy.version,
        customer_id=customer_id,
        subject=subject,
        message_count=0,
        opened_at=now,
    )
    session.add(row)
    session.flush()
    session.add(
        ConsultationEventRow(
            consultation_id=row.id,
            kind="opened",
            to_status=Status.QUEUED.value,
            actor=actor,
            at=now,
            data={"channel": the_channel.value, "policy_version": policy.version},
        )
    )
    session.flush()
    return _consultation(row)


def get_consultation(*, session: Session, consultation_id: str, scope: Scope) -> Consultation:
    """The consultation, if ``scope`` admits its branch; NotFound otherwise (RSK-2)."""
    return _consultation(_row(session, consultation_id, scope=scope))


def move(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    move: Move | str,
    actor: str,
    reason: str | None = None,
    agent_id: str | None = None,
) -> Consultation:
    """Apply a lifecycle move; an illegal one raises and writes nothing."""
    the_move = _enum(Move, move, "move") if isinstance(move, str) else move
    row = _row(session, consultation_id, lock=True)
    after, event = _consultation(row).apply(the_move, actor=actor, now=now, reason=reason)
    row.status = after.status.value
    row.resolved_at = after.resolved_at
    row.closed_at = after.closed_at
    if the_move == Move.ACCEPT:
        row.agent_id = agent_id or actor
    if the_move in (Move.TRANSFER, Move.ESCALATE):
        row.agent_id = agent_id
    _event(session, event)
    session.flush()
    return _consultation(row)


@dataclass(frozen=True)
class Posted:
    message: Message
    duplicate: bool
    warning: str | None = None


def post_message(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    author_kind: AuthorKind | str,
    text: str,
    author_id: str | None = None,
    client_msg_id: str | None = None,
) -> Posted:
    """Store a message; the caller acknowledges only after this commits.

    Idempotent on ``client_msg_id``: a resend returns the stored message. A customer's
    passwords, PINs and CVVs are removed before anything is written, and the customer is
    warned (RSK-3). An agent's or the bot's first reply stamps the first response (ACC-2).
    """
    kind = (
        _enum(AuthorKind, author_kind, "author_kind")
        if isinstance(author_kind, str)
        else author_kind
    )
    body = check_message_text(text)
    client_id = check_client_msg_id(client_msg_id)
    row = _row(session, consultation_id, lock=True)  # serialises seq allocation per consultation
    if client_id is not None:
        existing = session.scalars(
            select(MessageRow).where(
                MessageRow.consultation_id == consultation_id, MessageRow.client_msg_id == client_id
            )
        ).first()
        if existing is not None:
            return Posted(_message(existing), duplicate=True)
    if row.status == Status.CLOSED.value:
        raise Conflict("该咨询已关闭，请发起新的咨询", field="consultation_id")
    warning = None
    redacted: list[str] = []
    if kind == AuthorKind.CUSTOMER:
        result = redact_c3(body)
        body, warning = result.text, result.warning
        redacted = sorted({f.kind.value for f in result.findings})
        if row.status == Status.RESOLVED.value:
            after, event = _consultation(row).apply(Move.REOPEN, actor="customer", now=now)
            row.status = after.status.value
            row.resolved_at = None
            _event(session, event)
        elif row.status == Status.WAITING_CUSTOMER.value:
            after, event = _consultation(row).apply(
                Move.CUSTOMER_REPLIED, actor="customer", now=now
            )
            row.status = after.status.value
            _event(session, event)
    elif kind in (AuthorKind.AGENT, AuthorKind.BOT) and row.first_response_at is None:
        row.first_response_at = now
    row.message_count += 1
    message = MessageRow(
        id=new_id("msg"),
        consultation_id=consultation_id,
        seq=row.message_count,
        author_kind=kind.value,
        author_id=author_id,
        text=body,
        client_msg_id=client_id,
        redacted=redacted,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return Posted(_message(message), duplicate=False, warning=warning)


def transcript(
    *, session: Session, consultation_id: str, scope: Scope, after_seq: int = 0
) -> list[Message]:
    """The stored messages after ``after_seq``, in order. Columns, not ORM objects: agents'
    consoles and API clients read transcripts far more often than anything else."""
    rows = (
        session.connection()
        .execute(_TRANSCRIPT, {"consultation_id": consultation_id, "after_seq": after_seq})
        .all()
    )
    if not rows or not scope.admits(rows[0][0]):
        raise NotFound("咨询不存在", field="consultation_id")
    return [_message_of_values(*row[1:]) for row in rows if row[1] is not None]


def messages_at(*, session: Session, keys: Sequence[tuple[str, int]]) -> list[Message]:
    """The stored messages with these (consultation id, sequence number) keys, in order
    (the chat fan-out reads what another process announced)."""
    if not keys:
        return []
    rows = session.execute(
        select(*_MESSAGE_COLUMNS)
        .where(tuple_(MessageRow.consultation_id, MessageRow.seq).in_(list(keys)))
        .order_by(MessageRow.consultation_id, MessageRow.seq)
    )
    return [_message(r) for r in rows]


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    actor: str
    at: datetime
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]


def timeline(*, session: Session, consultation_id: str, scope: Scope) -> list[TimelineEntry]:
    _row(session, consultation_id, scope=scope)
    rows = session.scalars(
        select(ConsultationEventRow)
        .where(ConsultationEventRow.consultation_id == consultation_id)
        .order_by(ConsultationEventRow.id)
    )
    return [
        TimelineEntry(
            r.kind, r.actor, r.at, r.from_status, r.to_status, r.reason, dict(r.data or {})
        )
        for r in rows
    ]


def restate_problem(
    *, session: Session, now: datetime, consultation_id: str, summary: str, actor: str
) -> Consultation:
    """ACP-1: the agent's restatement; confirmation is cleared until the customer agrees."""
    text = check_summary(summary)
    row = _row(session, consultation_id, lock=True)
    row.summary = text
    row.summary_confirmed_at = None
    record_fact(
        session=session,
        consultation_id=consultation_id,
        kind="summary_restated",
        actor=actor,
        now=now,
    )
    session.flush()
    return _consultation(row)


def confirm_summary(
    *, session: Session, now: datetime, consultation_id: str, actor: str
) -> Consultation:
    """ACP-1: the customer confirms the agent understood the problem."""
    row = _row(session, consultation_id, lock=True)
    if not row.summary:
        raise Conflict("尚未复述客户问题，无法确认", field="summary")
    row.summary_confirmed_at = now
    record_fact(
        session=session,
        consultation_id=consultation_id,
        kind="summary_confirmed",
        actor=actor,
        now=now,
    )
    session.flush()
    return _consultation(row)


def classify(
    *,
    session: Session,
    now: datetime,
    consultation_id: str,
    actor: str,
    complexity: str | None = None,
    type: str | None = None,
    priority: str | None = None,
    business_line: str | None = None,
) -> Consultation:
    """ACP-4 / ACC-4: set what kind of problem this is; recorded on the timeline."""
    row = _row(session, consultation_id, lock=True)
    changes: dict[str, str] = {}
    if complexity is not None:
        row.complexity = _enum(Complexity, complexity, "complexity").value
        changes["complexity"] = row.complexity
    if type is not None:
        row.type = _enum(ConsultationType, type, "type").value
        changes["type"] = row.type
    if priority is not None:
        row.priority = _enum(Priority, priority, "priority").value
        changes["priority"] = row.priority
    if business_line is not None:
        if not business_line.strip() or len(business_line) > 30:
            raise ValidationFailed("业务条线须为 1–30 个字符", field="business_line")
        row.business_line = business_line.strip()
        changes["business_line"] = row.business_line
    if not changes:
        raise ValidationFailed("请至少指定一项分类", field="complexity")
    record_fact(
        session=session,
        consultation_id=consultation_id,
        kind="classified",
        actor=actor,
        now=now,
        data=changes,
    )
    session.flush()
    return _consultation(row)


def record_outcome(
    *, session: Session, now: datetime, consultation_id: str, outcome: str, actor: str
) -> Consultation:
    text = outcome.strip()
    if not text or len(text) > 2000:
        raise ValidationFailed("处理结果须为 1–2000 个字符", field="outcome")
    row = _row(session, consultation_id, lock=True)
    row.outcome = text
    record_fact(
        session=session,
        consultation_id=consultation_id,
        kind="outcome_recorded",
        actor=actor,
        now=now,
    )
    session.flush()
    return _consultation(row)


def customer_history(
    *, session: Session, customer_id: str, scope: Scope, limit: int = 20
) -> list[Consultation]:
    """ACC-5: the customer's earlier consultations within ``scope``, newest first."""
    customers.get_customer(session=session, customer_id=customer_id, scope=scope)
    query = select(ConsultationRow).where(ConsultationRow.customer_id == customer_id)
    if scope.branch is not None:
        query = query.where(ConsultationRow.branch == scope.branch)
    rows = session.scalars(query.order_by(ConsultationRow.opened_at.desc()).limit(limit))
    return [_consultation(r) for r in rows]


def list_consultations(
    *,
    session: Session,
    scope: Scope,
    branch: str | None = None,
    status: str | None = None,
    open_only: bool = False,
    agent_id: str | None = None,
    limit: int = 100,
) -> list[Consultation]:
    """Consultations within ``scope`` (and ``branch``, which must lie inside it), newest first."""
    if branch and not scope.admits(branch.upper()):
        raise Forbidden("只能查看本机构的咨询", field="branch")
    status_value = _enum(Status, status, "status").value if status else None
    statement = _list_statement(
        scope.branch is not None, bool(branch), bool(status), open_only, bool(agent_id)
    )
    params = {
        "scope_branch": scope.branch,
        "branch": branch,
        "status": status_value,
        "agent_id": agent_id,
        "limit": limit,
    }
    return [_consultation(r) for r in session.connection().execute(statement, params)]


@functools.cache
def _list_statement(
    scoped: bool, by_branch: bool, by_status: bool, open_only: bool, by_agent: bool
) -> Select[Any]:
    """``list_consultations``' query for one combination of filters, built once: columns,
    not ORM objects (the agents' most frequent read is their open chats)."""
    query = (
        select(*ConsultationRow.__table__.columns)
        .order_by(ConsultationRow.opened_at.desc(), ConsultationRow.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if scoped:
        query = query.where(ConsultationRow.branch == bindparam("scope_branch"))
    if by_branch:
        query = query.where(ConsultationRow.branch == bindparam("branch"))
    if by_status:
        query = query.where(ConsultationRow.status == bindparam("status"))
    if open_only:
        query = query.where(ConsultationRow.status.in_([s.value for s in OPEN_STATES]))
    if by_agent:
        query = query.where(ConsultationRow.agent_id == bindparam("agent_id"))
    return query


def closed_between(
    *, session: Session, scope: Scope, start: datetime, end: datetime, branch: str | None = None
) -> list[Consultation]:
    """Consultations closed in ``[start, end)`` with an agent, within ``scope`` (and
    ``branch``), oldest first: the population QA samples are drawn from (QC-2)."""
    if branch and not scope.admits(branch.upper()):
        raise Forbidden("只能查看本机构的咨询", field="branch")
    query = select(ConsultationRow).where(
        ConsultationRow.status == Status.CLOSED.value,
        ConsultationRow.closed_at >= start,
        ConsultationRow.closed_at < end,
        ConsultationRow.agent_id.is_not(None),
    )
    if scope.branch is not None:
        query = query.where(ConsultationRow.branch == scope.branch)
    if branch:
        query = query.where(ConsultationRow.branch == branch.upper())
    query = query.order_by(ConsultationRow.closed_at, ConsultationRow.id)
    return [_consultation(r) for r in session.scalars(query)]
