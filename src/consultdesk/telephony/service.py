"""Use cases on CTI events (ACC-1, ACC-2, STD-4, STD-5, STD-6).

``handle_event`` is idempotent on the sender's ``event_id``: the event row is inserted
first, so a resend (even a concurrent one) finds it and changes nothing. A ring opens a
phone consultation and starts the answer clock; the answer records the speed of answer,
takes the whole agent and starts the 5-minute call clock; hang-up records talk time.
The caller's number is only used to find a returning customer; it is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultdesk.consultations import service as consultations
from consultdesk.consultations.model import Move, Status
from consultdesk.customers import service as customers
from consultdesk.routing import service as routing
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.scope import SYSTEM
from consultdesk.sla import service as sla
from consultdesk.telephony.model import Call, CallState, CtiKind
from consultdesk.telephony.tables import CallRow, CtiEventRow

MAX_CLOCK_SKEW = timedelta(seconds=5)
ACTOR = "system:cti"


@dataclass(frozen=True)
class CtiEvent:
    event_id: str
    call_id: str
    kind: CtiKind
    at: datetime | None = None
    agent_id: str | None = None
    branch: str | None = None
    caller: str | None = None


@dataclass(frozen=True)
class CallView:
    call_id: str
    consultation_id: str
    branch: str
    state: CallState
    agent_id: str | None
    rung_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    speed_of_answer_s: float | None
    talk_s: float | None
    held_s: float
    transfers: int
    duplicate: bool = False


def _call(row: CallRow) -> Call:
    return Call(
        call_id=row.call_id,
        state=CallState(row.state),
        rung_at=row.rung_at,
        agent_id=row.agent_id,
        answered_at=row.answered_at,
        hold_started_at=row.hold_started_at,
        held_s=row.held_s,
        ended_at=row.ended_at,
        transfers=row.transfers,
    )


def _view(row: CallRow, *, duplicate: bool = False) -> CallView:
    return CallView(
        call_id=row.call_id,
        consultation_id=row.consultation_id,
        branch=row.branch,
        state=CallState(row.state),
        agent_id=row.agent_id,
        rung_at=row.rung_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        speed_of_answer_s=row.speed_of_answer_s,
        talk_s=row.talk_s,
        held_s=row.held_s,
        transfers=row.transfers,
        duplicate=duplicate,
    )


def _store(row: CallRow, call: Call) -> None:
    row.state = call.state.value
    row.agent_id = call.agent_id
    row.answered_at = call.answered_at
    row.hold_started_at = call.hold_started_at
    row.held_s = call.held_s
    row.ended_at = call.ended_at
    row.transfers = call.transfers
    row.speed_of_answer_s = call.speed_of_answer_s
    row.talk_s = call.talk_s


def get_call(*, session: Session, call_id: str) -> CallView:
    row = session.get(CallRow, call_id)
    if row is None:
        raise NotFound("通话不存在", field="call_id")
    return _view(row)


def handle_event(
    *, session: Session, now: datetime, event: CtiEvent, index_key: bytes, default_branch: str
) -> CallView:
    """Apply one CTI event; a resend of the same ``event_id`` returns the call unchanged."""
    at = event.at or now
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationFailed("事件时间晚于当前时间", field="at")
    try:
        with session.begin_nested():
            session.add(
                CtiEventRow(
                    event_id=event.event_id,
                    call_id=event.call_id,
                    kind=event.kind.value,
                    at=at,
                    received_at=now,
                    data={"agent_id": event.agent_id} if event.agent_id else {},
                )
            )
            session.flush()
    except IntegrityError:
        return replace(get_call(session=session, call_id=event.call_id), duplicate=True)
    if event.kind == CtiKind.RING:
        return _ring(
            session, at=at, event=event, index_key=index_key, default_branch=default_branch
        )
    row = session.get(CallRow, event.call_id, with_for_update=True)
    if row is None:
        raise NotFound("通话不存在（未收到振铃事件）", field="call_id")
    before = _call(row)
    if event.kind in (CtiKind.ANSWER, CtiKind.TRANSFER) and not event.agent_id:
        raise ValidationFailed("接听或转接事件须包含坐席编号", field="agent_id")
    after = before.apply(event.kind, at=at, agent_id=event.agent_id)
    _store(row, after)
    cid = row.consultation_id
    if event.kind == CtiKind.ANSWER:
        _answered(session, at=at, row=row, agent_id=after.agent_id or "")
    elif event.kind == CtiKind.TRANSFER:
        _transferred(session, at=at, row=row, before=before, after=after)
    elif event.kind == CtiKind.HANGUP:
        _hung_up(session, at=at, row=row, call=after)
    else:
        consultations.record_fact(
            session=session,
            consultation_id=cid,
            kind=f"call_{event.kind.value}",
            actor=ACTOR,
            now=at,
        )
    session.flush()
    return _view(row)


def _ring(
    session: Session, *, at: datetime, event: CtiEvent, index_key: bytes, default_branch: str
) -> CallView:
    if session.get(CallRow, event.call_id) is not None:
        raise Conflict("该通话已振铃", field="call_id")
    customer = None
    if event.caller:
        customer = customers.find_by_phone(session=session, index_key=index_key, phone=event.caller)
    c = consultations.open_consultation(
        session=session,
        now=at,
        channel="phone",
        branch=event.branch or default_branch,
        actor=ACTOR,
        customer_id=customer.id if customer else None,
    )
    row = CallRow(
        call_id=event.call_id,
        consultation_id=c.id,
        branch=c.branch,
        state=CallState.RINGING.value,
        rung_at=at,
        held_s=0.0,
        transfers=0,
    )
    session.add(row)
    session.flush()
    sla.sync_clocks(session=session, now=at, consultation_id=c.id)
    return _view(row)


def _answered(session: Session, *, at: datetime, row: CallRow, agent_id: str) -> None:
    consultations.move(
        session=session,
        now=at,
        consultation_id=row.consultation_id,
        move=Move.ACCEPT,
        actor=agent_id,
        agent_id=agent_id,
    )
    consultations.record_fact(
        session=session,
        consultation_id=row.consultation_id,
        kind="call_answered",
        actor=agent_id,
        now=at,
        data={"speed_of_answer_s": row.speed_of_answer_s},
    )
    sla.on_call_answered(session=session, now=at, consultation_id=row.consultation_id)
    routing.call_started(session=session, now=at, agent_id=agent_id)


def _transferred(
    session: Session, *, at: datetime, row: CallRow, before: Call, after: Call
) -> None:
    cid = row.consultation_id
    c = consultations.get_consultation(scope=SYSTEM, session=session, consultation_id=cid)
    if c.status in (Status.IN_PROGRESS, Status.WAITING_CUSTOMER):
        consultations.move(
            session=session, now=at, consultation_id=cid, move=Move.TRANSFER, actor=ACTOR
        )
    consultations.move(
        session=session,
        now=at,
        consultation_id=cid,
        move=Move.ACCEPT,
        actor=after.agent_id or ACTOR,
        agent_id=after.agent_id,
    )
    if before.agent_id:
        routing.call_ended(session=session, now=at, agent_id=before.agent_id)
    if after.agent_id:
        routing.call_started(session=session, now=at, agent_id=after.agent_id)


def _hung_up(session: Session, *, at: datetime, row: CallRow, call: Call) -> None:
    cid = row.consultation_id
    if call.abandoned:
        consultations.record_fact(
            session=session, consultation_id=cid, kind="call_abandoned", actor=ACTOR, now=at
        )
        consultations.move(
            session=session,
            now=at,
            consultation_id=cid,
            move=Move.CLOSE,
            actor=ACTOR,
            reason="来电放弃",
        )
        sla.sync_clocks(session=session, now=at, consultation_id=cid)
        return
    consultations.record_fact(
        session=session,
        consultation_id=cid,
        kind="call_ended",
        actor=ACTOR,
        now=at,
        data={"talk_s": call.talk_s, "held_s": call.held_s},
    )
    sla.on_call_ended(session=session, now=at, consultation_id=cid)
    if call.agent_id:
        routing.call_ended(session=session, now=at, agent_id=call.agent_id)


def calls(*, session: Session, branch: str | None = None, limit: int = 100) -> list[CallView]:
    query = select(CallRow).order_by(CallRow.rung_at.desc()).limit(limit)
    if branch:
        query = query.where(CallRow.branch == branch)
    return [_view(r) for r in session.scalars(query)]


@dataclass(frozen=True)
class CallFigures:
    calls: int
    answered: int
    abandoned: int
    speed_of_answer_s: list[float]
    talk_s: list[float]


def call_figures(
    *, session: Session, since: datetime, until: datetime, branch: str | None = None
) -> CallFigures:
    """Calls that rang in [since, until): speeds of answer and talk times (ACC-2, STD-4)."""
    query = select(CallRow).where(CallRow.rung_at >= since, CallRow.rung_at < until)
    if branch:
        query = query.where(CallRow.branch == branch)
    rows = list(session.scalars(query))
    return CallFigures(
        calls=len(rows),
        answered=sum(1 for r in rows if r.answered_at is not None),
        abandoned=sum(1 for r in rows if r.ended_at is not None and r.answered_at is None),
        speed_of_answer_s=[r.speed_of_answer_s for r in rows if r.speed_of_answer_s is not None],
        talk_s=[r.talk_s for r in rows if r.talk_s is not None],
    )
